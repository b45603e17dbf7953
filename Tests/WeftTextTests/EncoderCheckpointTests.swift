import Foundation
import Testing
@testable import WeftText
import WeftNN

struct EncoderCheckpointTests {
    static let config = BertConfig(vocabularySize: 13, hiddenSize: 8, layerCount: 2, attentionHeadCount: 2,
                                   intermediateSize: 16, maximumPositionCount: 10)

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("weft-enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `tensors` (name → tensor) and the config as a model folder.
    func writeFolder(_ tensors: [(String, Tensor)], dtype: SafetensorsDType = .f32,
                     extra: [SafetensorsEntry] = []) throws -> URL {
        let dir = try temporaryDirectory()
        try Self.config.save(to: dir.appendingPathComponent("config.json"))
        try Safetensors.write(tensors.map { SafetensorsEntry.tensor($0.0, $0.1, dtype: dtype) } + extra,
                              to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    func output(_ model: TransformerEncoder) throws -> [Float] {
        let input = try EncoderInput(sequences: [[1, 5, 7, 2], [1, 3, 2]])
        return try model(input, tape: .inference).value.scalars
    }

    @Test func saveThenLoadGivesTheSameModelAndFiles() throws {
        let model = try TransformerEncoder(config: Self.config, seed: 1)
        let dir = try temporaryDirectory()
        let vocabulary = dir.appendingPathComponent("source-vocab").appendingPathComponent("vocab.txt")
        try FileManager.default.createDirectory(at: vocabulary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "[PAD]\n[UNK]\n".write(to: vocabulary, atomically: true, encoding: .utf8)
        let saved = dir.appendingPathComponent("model")
        let pooling = PoolingSettings(mode: .cls, normalize: false, maximumLength: 8)
        try EncoderCheckpoint.save(model, to: saved, pooling: pooling, tokenizerFile: vocabulary)
        for file in ["config.json", "model.safetensors", "pooling.json", "vocab.txt"] {
            #expect(FileManager.default.fileExists(atPath: saved.appendingPathComponent(file).path), "\(file)")
        }
        let loaded = try EncoderCheckpoint.load(from: saved)
        #expect(loaded.encoder.config == Self.config)
        #expect(loaded.pooling == pooling)
        #expect(loaded.tokenizerFile?.lastPathComponent == "vocab.txt")
        #expect(loaded.unusedTensors.isEmpty)
        #expect(loaded.encoder.languageModelHead != nil)
        for ((n1, p1), (n2, p2)) in zip(model.namedParameters(), loaded.encoder.namedParameters()) {
            #expect(n1 == n2)
            #expect(p1.value.scalars == p2.value.scalars, "\(n1)")
        }
        #expect(try output(model) == output(loaded.encoder))
        // Hugging Face's layout: the tied decoder bias is stored beside cls.predictions.bias.
        let file = try SafetensorsFile(contentsOf: saved.appendingPathComponent("model.safetensors"))
        #expect(file.contains("cls.predictions.decoder.bias"))
        #expect(!file.contains("cls.predictions.decoder.weight"))
    }

    @Test func loadsSentenceTransformersNamesWithoutPrefixOrHead() throws {
        let model = try TransformerEncoder(config: Self.config, languageModelHead: false, seed: 2)
        let bare = model.namedParameters().map { (String($0.name.dropFirst("bert.".count)), $0.parameter.value) }
        let pooler = [("pooler.dense.weight", Tensor(zeros: [8, 8])), ("pooler.dense.bias", Tensor(zeros: [8]))]
        let positionIds = SafetensorsEntry.int64("embeddings.position_ids", (0..<10).map { Int64($0) }, shape: [1, 10])
        let dir = try writeFolder(bare + pooler, extra: [positionIds])
        let loaded = try EncoderCheckpoint.load(from: dir)
        #expect(loaded.encoder.languageModelHead == nil)
        #expect(loaded.unusedTensors.sorted() == ["pooler.dense.bias", "pooler.dense.weight"])
        #expect(try output(model) == output(loaded.encoder))
        #expect(loaded.pooling == PoolingSettings())
    }

    @Test(arguments: [SafetensorsDType.f16, .bf16])
    func halfPrecisionWeightsLoadAsFloat32(dtype: SafetensorsDType) throws {
        let model = try TransformerEncoder(config: Self.config, seed: 3)
        let dir = try writeFolder(model.namedParameters().map { ($0.name, $0.parameter.value) }, dtype: dtype)
        let loaded = try EncoderCheckpoint.load(from: dir)
        let tolerance: Float = dtype == .f16 ? 1e-3 : 8e-3  // half a unit in the last place, relative
        for ((name, original), (_, read)) in zip(model.namedParameters(), loaded.encoder.namedParameters()) {
            for i in 0..<original.value.count {
                let a = original.value.data[i], b = read.value.data[i]
                #expect(abs(a - b) <= tolerance * abs(a) + 1e-7, "\(name)[\(i)]: \(a) read as \(b)")
            }
        }
    }

    @Test func reportsMissingMisshapedAndUnexpectedTensorsByName() throws {
        let model = try TransformerEncoder(config: Self.config, seed: 4)
        var tensors = model.namedParameters().map { ($0.name, $0.parameter.value) }
        tensors.removeAll { $0.0 == "bert.encoder.layer.1.output.dense.bias" }
        tensors = tensors.map { $0.0 == "bert.encoder.layer.0.attention.self.key.weight" ? ($0.0, Tensor(zeros: [8, 4])) : $0 }
        tensors.append(("bert.encoder.layer.7.mystery.weight", Tensor(zeros: [2])))
        let dir = try writeFolder(tensors)
        #expect {
            _ = try EncoderCheckpoint.load(from: dir)
        } throws: { error in
            guard case let .checkpointMismatch(_, missing, misshaped, unexpected) = error as? EncoderError else { return false }
            return missing == ["bert.encoder.layer.1.output.dense.bias"]
                && misshaped == ["bert.encoder.layer.0.attention.self.key.weight: expected [8, 8], found [8, 4]"]
                && unexpected == ["bert.encoder.layer.7.mystery.weight"]
        }
    }

    @Test func configErrorsNameTheField() throws {
        let dir = try temporaryDirectory()
        let url = dir.appendingPathComponent("config.json")
        try #"{"vocab_size": 10, "hidden_size": 10, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 4}"#
            .write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EncoderError.invalidConfig(file: url.path, field: "num_attention_heads",
                                                   reason: "3 heads do not divide hidden_size 10")) {
            try BertConfig.load(from: url)
        }
        try #"{"vocab_size": 10, "num_hidden_layers": 1}"#.write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EncoderError.invalidConfig(file: url.path, field: "hidden_size", reason: "is required but missing")) {
            try BertConfig.load(from: url)
        }
        try #"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 4, "hidden_act": "relu"}"#
            .write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EncoderError.self) { try BertConfig.load(from: url) }
        #expect(throws: EncoderError.missingFile(directory: dir.path, file: "model.safetensors")) {
            try EncoderCheckpoint.load(from: dir)
        }
    }

    @Test func badInputIsATypedError() throws {
        let model = try TransformerEncoder(config: Self.config, seed: 5)
        let tooLong = try EncoderInput(sequences: [Array(repeating: 1, count: 11)])
        #expect(throws: EncoderError.self) { try model(tooLong, tape: .inference) }
        let badId = try EncoderInput(sequences: [[1, 13]])
        #expect(throws: EncoderError.self) { try model(badId, tape: .inference) }
        #expect(throws: EncoderError.self) { try EncoderInput(batchSize: 2, sequenceLength: 3, ids: [1, 2]) }
    }
}
