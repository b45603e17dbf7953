import Foundation
@testable import WeftText
import WeftNN

/// A small random BERT with a WordPiece vocabulary of plain words, saved as
/// a model folder, for tests of text-level embedding and of `weft embed`.
enum TinyModelFixture {
    static let words = ["the", "card", "fee", "fees", "no", "gift", "bank", "account", "savings", "rate", "high",
                        "low", "travel", "points", "annual", "credit", "loan", "fund", "index", "risk", ",", ".",
                        "##s", "##ing", "a", "b", "c"]
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words

    /// Writes the folder into a new temporary directory and returns its URL.
    static func make(maximumLength: Int = 12, seed: UInt64 = 7) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weft-tiny-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let vocabularyFile = dir.appendingPathComponent("source-vocab.txt")
        try (vocabulary.joined(separator: "\n") + "\n").write(to: vocabularyFile, atomically: true, encoding: .utf8)
        let config = BertConfig(vocabularySize: vocabulary.count, hiddenSize: 16, layerCount: 2, attentionHeadCount: 4,
                                intermediateSize: 24, maximumPositionCount: 32)
        let model = try TransformerEncoder(config: config, languageModelHead: false, seed: seed)
        // Stronger weights than BERT's initial 0.02, so texts get clearly different vectors.
        var rng = SeededGenerator(seed: seed + 1)
        for p in model.parameters where p.shape.count == 2 {
            p.value.assign(Tensor.randomNormal(p.shape, std: 0.3, using: &rng))
        }
        let folder = dir.appendingPathComponent("model")
        try EncoderCheckpoint.save(model, to: folder, pooling: PoolingSettings(mode: .mean, normalize: true,
                                                                                maximumLength: maximumLength),
                                   tokenizerFile: nil)
        try FileManager.default.copyItem(at: vocabularyFile, to: folder.appendingPathComponent("vocab.txt"))
        return folder
    }
}
