import Foundation
import Testing
@testable import WeftText
import WeftNN

/// The tape-free inference path must compute what the tape forward computes.
/// Both run in Float32 with different summation orders (fused QKV, packed
/// rows, per-row fused LayerNorm), so we allow 1e-4 relative to each
/// tensor's largest element.
struct EncoderInferenceTests {
    /// Odd sizes on purpose: head width 4 and widths not multiples of 8 exercise the SIMD tails.
    static let config = BertConfig(vocabularySize: 37, hiddenSize: 12, layerCount: 2, attentionHeadCount: 3,
                                   intermediateSize: 20, maximumPositionCount: 64)

    func randomSequences(_ lengths: [Int], seed: UInt64, vocabulary: Int) -> [[Int32]] {
        var rng = SeededGenerator(seed: seed)
        return lengths.map { n in (0..<n).map { _ in Int32(rng.nextInt(below: vocabulary)) } }
    }

    func expectMatchesTape(_ model: TransformerEncoder, _ sequences: [[Int32]], batchSize: Int,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let engine = EncoderInference(model)
        let workspace = engine.makeWorkspace(maximumBatchSize: batchSize, maximumLength: sequences.map(\.count).max())
        let states = try engine.hiddenStates(sequences, workspace: workspace)
        let input = try EncoderInput(sequences: sequences)
        let tapeHidden = try model(input, tape: .inference).value      // (B, T, C) padded
        let c = model.config.hiddenSize, t = input.sequenceLength
        var scale: Float = 0, worst: Float = 0
        for (b, s) in sequences.enumerated() {
            #expect(states[b].shape == [s.count, c], sourceLocation: sourceLocation)
            for i in 0..<(s.count * c) {
                let expected = tapeHidden.data[b * t * c + i]
                scale = max(scale, abs(expected))
                worst = max(worst, abs(states[b].data[i] - expected))
            }
        }
        #expect(worst <= 1e-4 * scale, "largest difference \(worst) for values up to \(scale)", sourceLocation: sourceLocation)

        for mode in PoolingMode.allCases {
            for normalize in [false, true] {
                let pooled = try engine.pool(sequences, mode: mode, normalize: normalize, workspace: workspace)
                let reference = model.pool(try model(input, tape: .inference), input: input, mode: mode,
                                           normalize: normalize, tape: .inference).value
                var largest: Float = 0, difference: Float = 0
                for i in 0..<reference.count {
                    largest = max(largest, abs(reference.data[i]))
                    difference = max(difference, abs(pooled.data[i] - reference.data[i]))
                }
                #expect(difference <= 1e-4 * largest, "\(mode) normalize \(normalize): \(difference)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test func manySequencesShardedAcrossWorkers() throws {
        let model = try TransformerEncoder(config: Self.config, languageModelHead: false, seed: 1)
        // Enough tokens that a multi-core machine shards by sequence; lengths out of order.
        let sequences = randomSequences([33, 7, 50, 1, 29, 64, 18, 40, 45, 12], seed: 2, vocabulary: 37)
        try expectMatchesTape(model, sequences, batchSize: 16)
    }

    @Test func smallBatchesSpreadEachOpOverCores() throws {
        let model = try TransformerEncoder(config: Self.config, languageModelHead: false, seed: 3)
        let sequences = randomSequences([64, 3, 17, 9, 60], seed: 4, vocabulary: 37)
        try expectMatchesTape(model, sequences, batchSize: 1)
        try expectMatchesTape(model, sequences, batchSize: 2)
    }

    @Test func tinyBertReferenceRowsMatch() throws {
        let loaded = try EncoderCheckpoint.load(from: ReferenceFixtures.tinyBert)
        let file = try SafetensorsFile(contentsOf: ReferenceFixtures.tinyBert.appendingPathComponent("reference.safetensors"))
        let shape = try #require(file.info(named: "input_ids")).shape
        let ids = try file.int32Array(named: "input_ids"), mask = try file.int32Array(named: "attention_mask")
        let types = try file.int32Array(named: "token_type_ids")
        func unpadded(_ values: [Int32]) -> [[Int32]] {
            (0..<shape[0]).map { b in (0..<shape[1]).filter { mask[b * shape[1] + $0] == 1 }.map { values[b * shape[1] + $0] } }
        }
        let sequences = unpadded(ids)
        try expectMatchesTape(loaded.encoder, sequences, batchSize: 8)
        // And the mean-pooled reference itself, sentence pairs included.
        let engine = EncoderInference(loaded.encoder)
        let pooled = try engine.pool(sequences, tokenTypeIds: unpadded(types), mode: .mean, normalize: false,
                                     workspace: engine.makeWorkspace(maximumBatchSize: 8))
        let expected = try file.tensor(named: "mean_pooled")
        let c = Closeness(pooled, expected, relative: 1e-4, floor: 1e-2)
        #expect(c.passes, "\(c)")
    }

    @Test func rejectsBadSequencesWithTypedErrors() throws {
        let model = try TransformerEncoder(config: Self.config, languageModelHead: false, seed: 5)
        let engine = EncoderInference(model)
        let workspace = engine.makeWorkspace(maximumBatchSize: 2, maximumLength: 8)
        #expect(throws: EncoderError.self) { try engine.pool([[]], mode: .mean, normalize: true, workspace: workspace) }
        #expect(throws: EncoderError.self) {
            try engine.pool([[Int32](repeating: 1, count: 9)], mode: .mean, normalize: true, workspace: workspace)
        }
        #expect(throws: EncoderError.self) { try engine.pool([[1, 37]], mode: .mean, normalize: true, workspace: workspace) }
        let other = try TransformerEncoder(config: BertConfig(vocabularySize: 37, hiddenSize: 16, layerCount: 1,
                                                              attentionHeadCount: 2, intermediateSize: 20),
                                           languageModelHead: false, seed: 6)
        #expect(throws: EncoderError.self) {
            try EncoderInference(other).pool([[1]], mode: .mean, normalize: true, workspace: workspace)
        }
    }
}
