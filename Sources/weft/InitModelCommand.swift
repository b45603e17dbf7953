import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft init-model`: a randomly initialised encoder written as a model
/// folder, the "no transfer learning" arm of the ablation (`weft embed
/// --model` reads it like any other checkpoint).
struct InitModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-model",
        abstract: "Write a randomly initialised encoder (no training) as a model folder.",
        discussion: """
            Either --like DIR (the architecture, tokenizer and pooling of an existing model folder, e.g. \
            models/external/all-MiniLM-L6-v2, with fresh weights) or --preset with --tokenizer. Weights are \
            BERT's initialisation (N(0, initializer_range²), zero biases, unit LayerNorm weights), seeded.
            Example: weft init-model --like models/external/all-MiniLM-L6-v2 --out /tmp/minilm-random
            """)

    @Option(help: "Model folder whose config.json, tokenizer and pooling to copy (its weights are not read).")
    var like: String?

    @Option(help: "Model size when --like is not given: tiny or small.")
    var preset: ModelPreset?

    @Option(help: "Layer normalisation with --preset: post (BERT) or pre (default: post).")
    var layerNorm: LayerNormPlacement = .post

    @Option(help: "SentencePiece model (.model) or WordPiece vocabulary (.txt), with --preset.")
    var tokenizer: String?

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Seed of the initialisation (default: 0).")
    var seed: UInt64 = 0

    func validate() throws {
        if (like == nil) == (preset == nil) { throw ValidationError("give either --like DIR or --preset (with --tokenizer)") }
        if preset != nil && tokenizer == nil { throw ValidationError("--preset needs --tokenizer") }
    }

    func run() async throws {
        let config: BertConfig, pooling: PoolingSettings, tokenizerFile: URL?
        if let like {
            let directory = URL(fileURLWithPath: like)
            config = try BertConfig.load(from: directory.appendingPathComponent("config.json"))
            pooling = try PoolingSettings.load(fromModelDirectory: directory) ?? PoolingSettings()
            tokenizerFile = EncoderCheckpoint.tokenizerFileNames.map { directory.appendingPathComponent($0) }
                .first { FileManager.default.fileExists(atPath: $0.path) }
            // A sentence-transformers folder's WordPiece settings live beside vocab.txt; carry them over.
            if tokenizerFile != nil {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                for name in ["tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"] {
                    let source = directory.appendingPathComponent(name)
                    let destination = URL(fileURLWithPath: out).appendingPathComponent(name)
                    if FileManager.default.fileExists(atPath: source.path), !FileManager.default.fileExists(atPath: destination.path) {
                        try FileManager.default.copyItem(at: source, to: destination)
                    }
                }
            }
        } else {
            let loaded = try TokenizerLoader.load(path: tokenizer!)
            config = preset!.config(vocabularySize: loaded.vocabularySize,
                                    paddingTokenId: Int(loaded.specialTokenIds.padding ?? 0), layerNormPlacement: layerNorm)
            pooling = PoolingSettings(mode: .mean, normalize: true)
            tokenizerFile = URL(fileURLWithPath: tokenizer!)
        }
        let encoder = try TransformerEncoder(config: config, languageModelHead: false, seed: seed)
        try EncoderCheckpoint.save(encoder, to: URL(fileURLWithPath: out), pooling: pooling, tokenizerFile: tokenizerFile)
        print("weft init-model: \(encoder.parameterCount) parameters (\(config.layerCount) layers, hidden \(config.hiddenSize)), seed \(seed), written to \(out)")
    }
}
