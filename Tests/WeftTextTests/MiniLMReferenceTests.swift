import Foundation
import Testing
@testable import WeftText
import WeftNN

/// all-MiniLM-L6-v2 imported from its sentence-transformers files must give
/// the reference sentence embeddings (cosine ≥ 0.9999 for every text).
struct MiniLMReferenceTests {
    struct Reference {
        let loaded: EncoderCheckpoint.Loaded
        let input: EncoderInput
        /// (N, 384) unit-length reference vectors
        let embeddings: Tensor
        let texts: [String]
        /// The reference ids of each text without padding.
        let sequences: [[Int32]]

        init() throws {
            let model = ReferenceFixtures.miniLMModel
            guard FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path) else {
                Issue.record("all-MiniLM-L6-v2 is not in \(model.path): run Scripts/fetch-pretrained.sh first")
                throw EncoderError.missingFile(directory: model.path, file: "model.safetensors")
            }
            loaded = try EncoderCheckpoint.load(from: model)
            let file = try SafetensorsFile(contentsOf: ReferenceFixtures.miniLM.appendingPathComponent("reference.safetensors"))
            let shape = try #require(file.info(named: "input_ids")).shape
            input = try EncoderInput(batchSize: shape[0], sequenceLength: shape[1],
                                     ids: try file.int32Array(named: "input_ids"),
                                     attentionMask: try file.int32Array(named: "attention_mask"))
            embeddings = try file.tensor(named: "sentence_embeddings")
            let (ids, mask, t) = (input.ids, input.attentionMask, input.sequenceLength)
            sequences = (0..<input.batchSize).map { b in (0..<t).filter { mask[b * t + $0] == 1 }.map { ids[b * t + $0] } }
            struct Texts: Decodable { let texts: [String] }
            texts = try JSONDecoder().decode(Texts.self, from: Data(contentsOf: ReferenceFixtures.miniLM
                .appendingPathComponent("texts.json"))).texts
        }
    }

    static func cosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var ab: Double = 0, aa: Double = 0, bb: Double = 0
        for i in 0..<n {
            ab += Double(a[i]) * Double(b[i]); aa += Double(a[i]) * Double(a[i]); bb += Double(b[i]) * Double(b[i])
        }
        return Float(ab / (aa.squareRoot() * bb.squareRoot()))
    }

    static func expectCosines(_ actual: Tensor, _ expected: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
        guard actual.shape == expected.shape else { return }
        let n = expected.lastDimension
        for row in 0..<expected.rowCount {
            let c = cosine(actual.data + row * n, expected.data + row * n, n)
            #expect(c >= 0.9999, "text \(row): cosine \(c)", sourceLocation: sourceLocation)
        }
    }

    @Test func settingsComeFromTheSentenceTransformersFiles() throws {
        let r = try Reference()
        #expect(r.loaded.pooling == PoolingSettings(mode: .mean, normalize: true, maximumLength: 256))
        #expect(r.loaded.unusedTensors.sorted() == ["pooler.dense.bias", "pooler.dense.weight"])
        #expect(r.loaded.tokenizerFile?.lastPathComponent == "vocab.txt")
    }

    @Test func inferenceOnReferenceIdsMatchesSentenceEmbeddings() throws {
        let r = try Reference()
        let engine = EncoderInference(r.loaded.encoder)
        let workspace = engine.makeWorkspace(maximumBatchSize: 4, maximumLength: r.input.sequenceLength)
        let pooled = try engine.pool(r.sequences, mode: .mean, normalize: true, workspace: workspace)
        Self.expectCosines(pooled, r.embeddings)
    }

    @Test func tapeForwardOnPaddedShortTextsMatchesSentenceEmbeddings() throws {
        // The short texts only, padded to the longest of them: the tape path with a real model and real padding,
        // at a fraction of the cost of the 256-token text.
        let r = try Reference()
        let rows = r.sequences.indices.filter { r.sequences[$0].count <= 32 }
        #expect(rows.count >= 8)
        let input = try EncoderInput(sequences: rows.map { r.sequences[$0] })
        let tape = Tape.inference
        let hidden = try r.loaded.encoder(input, tape: tape)
        let pooled = r.loaded.encoder.pool(hidden, input: input, mode: .mean, normalize: true, tape: tape).value
        let c = r.embeddings.lastDimension
        let expected = Tensor(uninitialized: [rows.count, c])
        for (k, row) in rows.enumerated() { (expected.data + k * c).update(from: r.embeddings.data + row * c, count: c) }
        Self.expectCosines(pooled, expected)
    }
}
