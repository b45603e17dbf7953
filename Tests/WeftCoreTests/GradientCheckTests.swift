import Testing
@testable import WeftCore

/// Every differentiable op on the tape against central differences
/// (tolerances explained in `GradientCheck`).
struct GradientCheckTests {
    func param(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Variable {
        var rng = SeededGenerator(seed: seed)
        return Variable(Tensor.randomUniform(shape, low: low, high: high, using: &rng), requiresGrad: true)
    }

    func expectPasses(_ inputs: [Variable], _ f: (Tape, [Variable]) -> Variable,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let mismatches = GradientCheck.check(inputs: inputs, f)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))", sourceLocation: sourceLocation)
    }

    @Test func linearWithAndWithoutBias() {
        let x = param([2, 3, 5], seed: 1), w = param([4, 5], seed: 2), b = param([4], seed: 3)
        expectPasses([x, w, b]) { t, v in t.linear(v[0], weight: v[1], bias: v[2]) }
        expectPasses([x, w]) { t, v in t.linear(v[0], weight: v[1], bias: nil) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulAllTransposes(ta: Bool, tb: Bool) {
        let a = param(ta ? [4, 3] : [3, 4], seed: 4), b = param(tb ? [5, 4] : [4, 5], seed: 5)
        expectPasses([a, b]) { t, v in t.matmul(v[0], v[1], transposeA: ta, transposeB: tb) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedMatmulAllTransposes(ta: Bool, tb: Bool) {
        let a = param(ta ? [2, 4, 3] : [2, 3, 4], seed: 6), b = param(tb ? [2, 5, 4] : [2, 4, 5], seed: 7)
        expectPasses([a, b]) { t, v in t.batchedMatmul(v[0], v[1], transposeA: ta, transposeB: tb, alpha: 0.5) }
    }

    @Test func elementwise() {
        let a = param([3, 7], seed: 8), b = param([3, 7], seed: 9), bias = param([7], seed: 10)
        expectPasses([a, b]) { t, v in t.add(v[0], v[1]) }
        expectPasses([a, b]) { t, v in t.sub(v[0], v[1]) }
        expectPasses([a, b]) { t, v in t.mul(v[0], v[1]) }
        expectPasses([a]) { t, v in t.scale(v[0], -1.5) }
        expectPasses([a, bias]) { t, v in t.addBias(v[0], v[1]) }
        let s = param([3], seed: 11)
        expectPasses([a, s]) { t, v in t.scaleRows(v[0], by: v[1]) }
        expectPasses([a]) { t, v in t.reshape(v[0], [7, 3]) }
        expectPasses([a]) { t, v in t.sum(v[0]) }
        expectPasses([a]) { t, v in t.mean(v[0]) }
    }

    @Test func swapMiddle() {
        let x = param([2, 3, 4, 5], seed: 12)
        expectPasses([x]) { t, v in t.swapMiddle(v[0]) }
    }

    @Test func activations() {
        let x = param([4, 9], seed: 13, low: -3, high: 3)
        expectPasses([x]) { t, v in t.gelu(v[0]) }
        expectPasses([x]) { t, v in t.tanh(v[0]) }
        expectPasses([x]) { t, v in t.sigmoid(v[0]) }
        // ReLU's kink: keep inputs further than h from 0.
        let r = Variable(Tensor((0..<20).map { Float($0 % 2 == 0 ? 1 : -1) * (0.1 + Float($0) * 0.05) }, shape: [4, 5]),
                         requiresGrad: true)
        expectPasses([r]) { t, v in t.relu(v[0]) }
    }

    @Test func dropoutUsesTheSameMaskForwardAndBackward() {
        let x = param([4, 16], seed: 14)
        expectPasses([x]) { t, v in
            var rng = SeededGenerator(seed: 99)  // same mask on every evaluation
            return t.dropout(v[0], probability: 0.3, using: &rng)
        }
    }

    @Test func layerNorm() {
        let x = param([5, 12], seed: 15, low: -2, high: 2)
        let w = param([12], seed: 16, low: 0.5, high: 1.5), b = param([12], seed: 17)
        expectPasses([x, w, b]) { t, v in t.layerNorm(v[0], weight: v[1], bias: v[2], eps: 1e-5) }
    }

    @Test func softmaxPlainScaledAndMasked() {
        let x = param([2, 3, 6], seed: 18, low: -2, high: 2)
        expectPasses([x]) { t, v in t.softmax(v[0]) }
        let mask = Tensor([1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0], shape: [2, 6])
        expectPasses([x]) { t, v in t.softmax(v[0], scale: 0.7, mask: mask, rowsPerMask: 3) }
    }

    @Test func l2Normalize() {
        let x = param([3, 8], seed: 19)
        expectPasses([x]) { t, v in t.l2Normalize(v[0]) }
    }

    @Test func gatherRowsWithRepeatedIds() {
        let table = param([6, 4], seed: 20)
        expectPasses([table]) { t, v in t.gatherRows(v[0], ids: [3, 0, 3, 5, 1]) }
    }

    @Test func crossEntropyWithIgnoredRows() {
        let logits = param([5, 7], seed: 21, low: -2, high: 2)
        expectPasses([logits]) { t, v in t.crossEntropy(v[0], targets: [2, -100, 6, 0, -100]) }
    }

    @Test func segmentReductions() {
        let values = param([7, 3], seed: 22)
        let offsets: [Int32] = [0, 2, 2, 5, 7]  // one empty segment
        expectPasses([values]) { t, v in t.segmentReduce(v[0], offsets: offsets, .sum) }
        expectPasses([values]) { t, v in t.segmentReduce(v[0], offsets: offsets, .mean) }
        expectPasses([values]) { t, v in t.segmentSoftmax(v[0], offsets: offsets) }
        // Max: distinct values spaced wider than 2h so the winner never changes under the probe.
        let spaced = Variable(Tensor((0..<21).map { Float(($0 * 8) % 21) * 0.1 }, shape: [7, 3]), requiresGrad: true)
        expectPasses([spaced]) { t, v in t.segmentReduce(v[0], offsets: offsets, .max) }
    }

    @Test func aWrongBackwardIsCaught() {
        // A deliberately wrong op (backward off by a factor 2) must fail the check.
        let x = param([3, 3], seed: 23)
        let mismatches = GradientCheck.check(inputs: [x]) { t, v in
            let y = Tensor(uninitialized: v[0].value.shape)
            Kernels.scale(y.data, v[0].value.data, 3, y.count)
            let out = t.output(y, recorded: t.needsGradient(v[0]))
            if t.needsGradient(v[0]) {
                t.record { Kernels.axpy(v[0].gradient().data, 6, out.grad!.data, y.count) }
            }
            return out
        }
        #expect(mismatches.count == 9)
    }

    @Test func gradientsAccumulateAcrossBackwardPasses() {
        let x = param([2, 3], seed: 24), w = param([4, 3], seed: 25)
        for _ in 0..<2 {
            let tape = Tape()
            tape.backward(tape.sum(tape.linear(x, weight: w, bias: nil)))
        }
        let once = Tape()
        let x1 = Variable(x.value, requiresGrad: true), w1 = Variable(w.value, requiresGrad: true)
        once.backward(once.sum(once.linear(x1, weight: w1, bias: nil)))
        for i in 0..<w.value.count { #expect(abs(w.grad!.data[i] - 2 * w1.grad!.data[i]) < 1e-5) }
    }

    @Test func inferenceTapeRecordsNothing() {
        let x = param([2, 3], seed: 26), w = param([4, 3], seed: 27)
        let tape = Tape.inference
        let y = tape.gelu(tape.linear(x, weight: w, bias: nil))
        #expect(tape.recordedCount == 0)
        #expect(!y.requiresGrad)
        let recording = Tape()
        _ = recording.gelu(recording.linear(x, weight: w, bias: nil))
        #expect(recording.recordedCount == 2)
    }
}
