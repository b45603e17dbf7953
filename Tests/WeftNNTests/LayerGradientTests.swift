import Testing
@testable import WeftNN

struct LayerGradientTests {
    func input(_ shape: [Int], seed: UInt64) -> Variable {
        var rng = SeededGenerator(seed: seed)
        return Variable(Tensor.randomUniform(shape, low: -1, high: 1, using: &rng), requiresGrad: true)
    }

    @Test func linearLayer() {
        var rng = SeededGenerator(seed: 1)
        let layer = Linear(inFeatures: 6, outFeatures: 4, using: &rng)
        let x = input([3, 6], seed: 2)
        let m = GradientCheck.check(inputs: [x, layer.weight, layer.bias!]) { t, v in
            t.linear(v[0], weight: v[1], bias: v[2])
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(layer.parameterCount == 28)
    }

    @Test func layerNormLayer() {
        let layer = LayerNorm(dimension: 8, eps: 1e-12)
        var rng = SeededGenerator(seed: 3)
        layer.weight.value.assign(Tensor.randomUniform([8], low: 0.5, high: 1.5, using: &rng))
        let x = input([4, 8], seed: 4)
        let m = GradientCheck.check(inputs: [x, layer.weight, layer.bias]) { t, v in
            t.layerNorm(v[0], weight: v[1], bias: v[2], eps: layer.eps)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }

    @Test func embeddingLayer() {
        var rng = SeededGenerator(seed: 5)
        let layer = Embedding(count: 10, dimension: 4, std: 1, using: &rng)
        let m = GradientCheck.check(inputs: [layer.weight]) { t, v in t.gatherRows(v[0], ids: [1, 9, 1, 0]) }
        #expect(m.isEmpty, "\(m.prefix(3))")
        let tape = Tape.inference
        let y = layer([9], tape: tape)
        #expect(y.value.scalars == layer.weight.value.row(9).scalars)
    }

    @Test func dropoutLayerIsIdentityAtInference() {
        var rng = SeededGenerator(seed: 6)
        let d = Dropout(probability: 0.5)
        let x = input([4, 4], seed: 7)
        let y = d(x, tape: Tape(), training: false, using: &rng)
        #expect(y === x)
        let z = d(x, tape: Tape(), training: true, using: &rng)
        #expect(z.value.scalars.contains(0))
    }

    @Test func crossEntropyLoss() {
        let logits = input([4, 5], seed: 8)
        let m = GradientCheck.check(inputs: [logits]) { t, v in
            Loss.crossEntropy(v[0], targets: [0, 4, -100, 2], tape: t)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }

    @Test func mlpComposesThroughTheTape() {
        var rng = SeededGenerator(seed: 9)
        let l1 = Linear(inFeatures: 5, outFeatures: 7, using: &rng), l2 = Linear(inFeatures: 7, outFeatures: 3, using: &rng)
        let x = input([6, 5], seed: 10)
        let m = GradientCheck.check(inputs: [x, l1.weight, l1.bias!, l2.weight, l2.bias!]) { t, v in
            let h = t.gelu(t.linear(v[0], weight: v[1], bias: v[2]))
            return Loss.crossEntropy(t.linear(h, weight: v[3], bias: v[4]), targets: [0, 1, 2, 0, 1, 2], tape: t)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
    }
}
