import Testing
@testable import WeftText
import WeftNN

/// The encoder's own tape ops against central differences (tolerances in `GradientCheck`).
struct EncoderOpGradientTests {
    func input(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Variable {
        var rng = SeededGenerator(seed: seed)
        return Variable(Tensor.randomUniform(shape, low: -scale, high: scale, using: &rng), requiresGrad: true)
    }

    /// Row 0 all tokens, row 1 padded after 3 of 5, so masked keys and padded queries are both exercised.
    let mask = Tensor([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], shape: [2, 5])

    @Test func multiHeadAttentionWithPaddingMask() {
        let q = input([2, 5, 8], seed: 1), k = input([2, 5, 8], seed: 2), v = input([2, 5, 8], seed: 3)
        let m = GradientCheck.check(inputs: [q, k, v]) { t, x in
            t.multiHeadAttention(query: x[0], key: x[1], value: x[2], keyMask: mask, heads: 2)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }

    @Test func multiHeadAttentionWithoutMaskAndOneHead() {
        let q = input([1, 4, 6], seed: 4), k = input([1, 4, 6], seed: 5), v = input([1, 4, 6], seed: 6)
        let m = GradientCheck.check(inputs: [q, k, v]) { t, x in
            t.multiHeadAttention(query: x[0], key: x[1], value: x[2], keyMask: nil, heads: 1)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }

    @Test func multiHeadAttentionWithDropout() {
        let q = input([2, 5, 8], seed: 7), k = input([2, 5, 8], seed: 8), v = input([2, 5, 8], seed: 9)
        let m = GradientCheck.check(inputs: [q, k, v]) { t, x in
            // The same seed each call, so every evaluation draws the same dropout mask.
            var rng = SeededGenerator(seed: 42)
            return t.multiHeadAttention(query: x[0], key: x[1], value: x[2], keyMask: mask, heads: 4,
                                        dropoutProbability: 0.3, using: &rng)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }

    @Test func attentionMatchesComposedOps() throws {
        // Q Kᵀ / √D, masked softmax and P V from the core ops, heads split with swapMiddle.
        let (b, t, c, h) = (2, 5, 8, 2)
        let d = c / h
        let q = input([b, t, c], seed: 10), k = input([b, t, c], seed: 11), v = input([b, t, c], seed: 12)
        let tape = Tape.inference
        let fused = tape.multiHeadAttention(query: q, key: k, value: v, keyMask: mask, heads: h).value
        func split(_ x: Variable) -> Variable {
            tape.reshape(tape.swapMiddle(tape.reshape(x, [b, t, h, d])), [b * h, t, d])
        }
        let scores = tape.batchedMatmul(split(q), split(k), transposeB: true, alpha: 1 / Float(d).squareRoot())
        let p = tape.softmax(scores, mask: mask, rowsPerMask: h * t)
        let context = tape.batchedMatmul(p, split(v))
        let merged = tape.swapMiddle(tape.reshape(context, [b, h, t, d])).value
        for i in 0..<fused.count { #expect(abs(fused.data[i] - merged.data[i]) < 1e-5, "element \(i)") }
    }

    @Test func maskedMeanPooling() {
        let x = input([2, 5, 3], seed: 13)
        let m = GradientCheck.check(inputs: [x]) { t, v in t.maskedMeanPool(v[0], mask: mask) }
        #expect(m.isEmpty, "\(m.prefix(3))")
        let y = Tape.inference.maskedMeanPool(x, mask: mask).value
        // Row 1 averages its first 3 positions only.
        for j in 0..<3 {
            let expected = (0..<3).map { x.value[1, $0, j] }.reduce(0, +) / 3
            #expect(abs(y[1, j] - expected) < 1e-6)
        }
    }

    @Test func firstTokenPooling() {
        let x = input([3, 4, 2], seed: 14)
        let m = GradientCheck.check(inputs: [x]) { t, v in t.firstTokenPool(v[0]) }
        #expect(m.isEmpty, "\(m.prefix(3))")
        let y = Tape.inference.firstTokenPool(x).value
        #expect(y.scalars == [x.value[0, 0, 0], x.value[0, 0, 1], x.value[1, 0, 0], x.value[1, 0, 1],
                              x.value[2, 0, 0], x.value[2, 0, 1]])
    }

    @Test func wholeEncoderGradientCheck() throws {
        // A 1-layer model small enough to probe every parameter numerically.
        let config = BertConfig(vocabularySize: 11, hiddenSize: 8, layerCount: 1, attentionHeadCount: 2,
                                intermediateSize: 12, maximumPositionCount: 6,
                                hiddenDropoutProbability: 0, attentionDropoutProbability: 0)
        var rng = SeededGenerator(seed: 15)
        let model = try TransformerEncoder(config: config, using: &rng)
        // Larger weights than BERT's 0.02 so every path carries a measurable gradient.
        for p in model.parameters { p.value.assign(Tensor.randomUniform(p.shape, low: -0.5, high: 0.5, using: &rng)) }
        let batch = try EncoderInput(sequences: [[1, 4, 7, 2], [1, 9, 2]])
        let labels: [Int32] = [-100, 4, 3, -100, -100, 8, -100, -100]
        let m = GradientCheck.check(inputs: model.parameters, maxElements: 16) { t, _ in
            var r = SeededGenerator(seed: 0)
            return try! model.languageModelLoss(batch, labels: labels, tape: t, training: false, using: &r)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }
}

