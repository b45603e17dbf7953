import Foundation
import Testing
@testable import WeftText
import WeftNN

struct MaskedPositionHeadTests {
    /// Logits only at the chosen positions give the loss and every gradient
    /// of Hugging Face's way (logits everywhere, labels −100 elsewhere).
    @Test func matchesTheFullHeadWithIgnoredLabels() throws {
        let config = ModelPreset.tiny.config(vocabularySize: 60)
        let specials = SpecialTokenIds(padding: 0, unknown: 1, classification: 2, separator: 3, mask: 4)
        let masker = try TokenMasker(specialTokenIds: specials, vocabularySize: 60, policy: .training)
        var rng = SeededGenerator(seed: 21)
        let sequences: [[Int32]] = (0..<3).map { r in [2] + (0..<(9 + 3 * r)).map { _ in Int32(5 + rng.nextInt(below: 55)) } + [3] }
        let batch = try masker.makeBatch(sequences, using: &rng)
        #expect(batch.positions.count > 0)

        func gradients(_ lossOf: (TransformerEncoder, Tape) throws -> Variable) throws -> (Float, [String: Tensor]) {
            let model = try TransformerEncoder(config: config, seed: 4)
            let tape = Tape()
            let loss = try lossOf(model, tape)
            tape.backward(loss)
            var grads: [String: Tensor] = [:]
            for (name, p) in model.namedParameters() { grads[name] = p.grad ?? Tensor(zeros: p.shape) }
            return (loss.value.data[0], grads)
        }
        let (selectedLoss, selected) = try gradients { model, tape in
            var r = SeededGenerator(seed: 0)
            return try model.maskedLanguageModelLoss(batch, tape: tape, training: false, using: &r).loss
        }
        var labels = [Int32](repeating: -100, count: batch.input.ids.count)
        for (p, l) in zip(batch.positions, batch.labels) { labels[Int(p)] = l }
        let (fullLoss, full) = try gradients { model, tape in
            var r = SeededGenerator(seed: 0)
            return try model.languageModelLoss(batch.input, labels: labels, tape: tape, training: false, using: &r)
        }
        #expect(abs(selectedLoss - fullLoss) < 1e-5)
        #expect(selected.count == full.count)
        for (name, g) in full {
            let h = try #require(selected[name])
            let scale = max(1e-6, g.scalars.map(abs).max() ?? 0)
            let difference = zip(g.scalars, h.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(difference / scale < 1e-4, "gradient of \(name) differs by \(difference)")
        }
    }

    @Test func rejectsPositionsOutsideTheBatch() throws {
        let model = try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: 30), seed: 1)
        let input = try EncoderInput(sequences: [[2, 7, 8, 3]])
        let bad = MaskedBatch(input: input, positions: [4], labels: [7], tokenCount: 4)
        var rng = SeededGenerator(seed: 0)
        #expect(throws: EncoderError.self) {
            try model.maskedLanguageModelLoss(bad, tape: Tape(), training: false, using: &rng)
        }
        let badLabel = MaskedBatch(input: input, positions: [1], labels: [30], tokenCount: 4)
        #expect(throws: EncoderError.self) {
            try model.maskedLanguageModelLoss(badLabel, tape: Tape(), training: false, using: &rng)
        }
    }

    @Test func tallyAddsBatchesAndGivesPerplexity() {
        var tally = MaskedPredictionTally()
        tally.add(predictions: 2, correct: 1, meanLoss: 2, tokens: 10)
        tally.add(predictions: 2, correct: 2, meanLoss: 4, tokens: 6)
        #expect(tally.correct == 3 && tally.predictions == 4 && tally.tokens == 16)
        #expect(tally.accuracy == 0.75)
        #expect(abs(tally.perplexity - exp(3.0)) < 1e-9)
    }

    /// The fused loss equals the generic cross-entropy op, value and gradient,
    /// alone and when the logits already hold a gradient.
    @Test func fusedCrossEntropyMatchesTheGenericOp() throws {
        var rng = SeededGenerator(seed: 8)
        let values = Tensor.randomNormal([7, 37], std: 3, using: &rng)
        let targets: [Int32] = (0..<7).map { _ in Int32(rng.nextInt(below: 37)) }
        let upstream = Tensor([0.7], shape: [1])
        for preexisting in [false, true] {
            let a = Variable(values.copy(), requiresGrad: true), b = Variable(values.copy(), requiresGrad: true)
            if preexisting {
                a.gradient().fill(0.25)
                b.gradient().fill(0.25)
            }
            let tapeA = Tape(), tapeB = Tape()
            let (fused, correct) = tapeA.maskedLanguageModelCrossEntropy(a, targets: targets)
            let generic = tapeB.crossEntropy(b, targets: targets)
            #expect(abs(fused.value.data[0] - generic.value.data[0]) < 1e-5)
            #expect(correct == MaskedPredictionTally.correctCount(logits: values, labels: targets))
            tapeA.backward(fused, seed: upstream)
            tapeB.backward(generic, seed: upstream)
            let difference = zip(a.grad!.scalars, b.grad!.scalars).map { abs($0 - $1) }.max() ?? 1
            #expect(difference < 1e-6, "gradients differ by \(difference)")
        }
        let (inference, _) = Tape.inference.maskedLanguageModelCrossEntropy(Variable(values), targets: targets)
        #expect(abs(inference.value.scalar - Tape().crossEntropy(Variable(values), targets: targets).value.scalar) < 1e-5)
    }
}
