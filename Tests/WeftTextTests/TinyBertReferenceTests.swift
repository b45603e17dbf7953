import Foundation
import Testing
@testable import WeftText
import WeftNN

/// The tiny-bert reference (PyTorch float64, stored as float32): Weft's
/// Float32 forward, backward and Adam steps must reproduce it. Nothing here
/// depends on the batch size, length or vocabulary of the stored batch.
///
/// Tolerances: the reference is exact to float32 rounding; Weft sums in
/// Float32 in another order, so each value carries relative rounding of a
/// few 1e-7 per op, amplified through LayerNorm (eps 1e-12, division by
/// small standard deviations) and cancellations in gradient sums. We allow
/// |a − r| ≤ 1e-4 · (|r| + 1e-2 · max|r|) for activations and losses, and
/// 2e-4 · (|r| + 1e-2 · max|r|) + 1e-7 · G for gradients, G the largest
/// gradient element of the model: the key biases' gradients are zero in
/// exact arithmetic (a key bias shifts every score of a query equally, which
/// softmax ignores), so both sides are rounding noise there (~1e-12 vs ~1e-23).
/// A wrong op is off by O(1) and fails.
struct TinyBertReferenceTests {
    struct Reference {
        let model: TransformerEncoder
        let input: EncoderInput
        let labels: [Int32]
        let file: SafetensorsFile

        init() throws {
            let loaded = try EncoderCheckpoint.load(from: ReferenceFixtures.tinyBert)
            model = loaded.encoder
            file = try SafetensorsFile(contentsOf: ReferenceFixtures.tinyBert.appendingPathComponent("reference.safetensors"))
            let shape = try #require(file.info(named: "input_ids")).shape
            input = try EncoderInput(batchSize: shape[0], sequenceLength: shape[1],
                                     ids: try file.int32Array(named: "input_ids"),
                                     attentionMask: try file.int32Array(named: "attention_mask"),
                                     tokenTypeIds: try file.int32Array(named: "token_type_ids"))
            labels = try file.int32Array(named: "labels")
        }

        func tensor(_ name: String) throws -> Tensor { try file.tensor(named: name) }
    }

    func expectClose(_ actual: Tensor, _ expected: Tensor, _ what: String, relative: Float = 1e-4,
                     absolute: Float = 0, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, "\(what): \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
        guard actual.count == expected.count else { return }
        let c = Closeness(actual, expected, relative: relative, floor: 1e-2, absolute: absolute)
        if ProcessInfo.processInfo.environment["WEFT_PRINT_ERRORS"] != nil { print("\(what): \(c)") }
        #expect(c.passes, "\(what): \(c)", sourceLocation: sourceLocation)
    }

    @Test func loadsEveryParameterWithHuggingFaceNames() throws {
        let reference = try Reference()
        let names = reference.model.namedParameters().map(\.name)
        #expect(names.count == 42)
        let gradientNames = reference.file.names.filter { $0.hasPrefix("grad.") }.map { String($0.dropFirst(5)) }
        #expect(Set(names) == Set(gradientNames))
        #expect(reference.model.languageModelHead != nil)
    }

    @Test func forwardMatchesHiddenStatesLogitsLossAndPooling() throws {
        let r = try Reference()
        let tape = Tape.inference
        let hidden = try r.model(r.input, tape: tape)
        expectClose(hidden.value, try r.tensor("last_hidden_state"), "last_hidden_state")
        let logits = try r.model.languageModelLogits(hidden, tape: tape)
        expectClose(logits.value, try r.tensor("logits"), "logits")
        let loss = Loss.crossEntropy(logits, targets: r.labels, tape: tape)
        expectClose(loss.value, try r.tensor("loss"), "loss")
        let pooled = r.model.pool(hidden, input: r.input, mode: .mean, normalize: false, tape: tape)
        expectClose(pooled.value, try r.tensor("mean_pooled"), "mean_pooled")
    }

    @Test func everyGradientMatches() throws {
        let r = try Reference()
        let tape = Tape()
        var rng = SeededGenerator(seed: 0)
        let loss = try r.model.languageModelLoss(r.input, labels: r.labels, tape: tape, training: false, using: &rng)
        tape.backward(loss)
        let parameters = r.model.namedParameters()
        let references = try parameters.map { try r.tensor("grad.\($0.name)") }
        let largest = references.map { t in (0..<t.count).map { abs(t.data[$0]) }.max() ?? 0 }.max() ?? 0
        for ((name, parameter), reference) in zip(parameters, references) {
            let gradient = parameter.grad ?? Tensor(zeros: parameter.value.shape)
            expectClose(gradient, reference, "grad.\(name)", relative: 2e-4, absolute: 1e-7 * largest)
        }
    }

    @Test func adamLossesMatch() throws {
        let r = try Reference()
        let expected = try r.tensor("adam_losses")
        let optimizer = AdamW(parameters: r.model.namedParameters(), learningRate: 1e-3, beta1: 0.9, beta2: 0.999,
                              eps: 1e-8, weightDecay: 0)
        var rng = SeededGenerator(seed: 0)
        var losses: [Float] = []
        for _ in 0..<expected.count {
            r.model.zeroGradients()
            let tape = Tape()
            let loss = try r.model.languageModelLoss(r.input, labels: r.labels, tape: tape, training: false, using: &rng)
            losses.append(loss.value.scalar)
            tape.backward(loss)
            optimizer.update()
        }
        expectClose(Tensor(losses, shape: [losses.count]), expected, "adam_losses")
    }
}
