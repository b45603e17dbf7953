import Foundation
import Testing
@testable import WeftCore

struct KernelTests {
    func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = ta ? a[p * m + i] : a[i * k + p]
                    let bv = tb ? b[j * k + p] : b[p * n + j]
                    s += Double(av) * Double(bv)
                }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 1, 33), (64, 31, 9), (129, 65, 257)])
    func matmulMatchesNaiveLoopForAllTransposes(m: Int, n: Int, k: Int) {
        var rng = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k))
        for ta in [false, true] {
            for tb in [false, true] {
                let a = Tensor.randomUniform(ta ? [k, m] : [m, k], low: -1, high: 1, using: &rng)
                let b = Tensor.randomUniform(tb ? [n, k] : [k, n], low: -1, high: 1, using: &rng)
                let c = a.matmul(b, transposeSelf: ta, transposeOther: tb)
                let expected = naiveMatmul(a.scalars, b.scalars, m: m, n: n, k: k, ta: ta, tb: tb)
                #expect(c.shape == [m, n])
                let worst = zip(c.scalars, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-5 * Float(k), "ta \(ta) tb \(tb): max error \(worst)")
            }
        }
    }

    @Test func batchedMatmulMatchesPerBatchProducts() {
        var rng = SeededGenerator(seed: 3)
        let a = Tensor.randomUniform([3, 5, 7], low: -1, high: 1, using: &rng)
        let b = Tensor.randomUniform([3, 4, 7], low: -1, high: 1, using: &rng)
        let c = a.batchedMatmul(b, transposeOther: true, alpha: 2)
        for i in 0..<3 {
            let expected = naiveMatmul(a.row(i).scalars, b.row(i).scalars, m: 5, n: 4, k: 7, ta: false, tb: true)
            for j in 0..<20 { #expect(abs(c.row(i).scalars[j] - 2 * expected[j]) < 1e-4) }
        }
    }

    @Test func matmulFoldsLeadingDimensions() {
        var rng = SeededGenerator(seed: 4)
        let a = Tensor.randomUniform([2, 3, 4], using: &rng), b = Tensor.randomUniform([4, 5], using: &rng)
        let c = a.matmul(b)
        #expect(c.shape == [2, 3, 5])
        let flat = a.reshaped([6, 4]).matmul(b)
        #expect(c.scalars == flat.scalars)
    }

    @Test func vectorExpAndErfAreAccurate() {
        var worstExp: Double = 0, worstErf: Double = 0
        var x: Float = -20
        while x <= 20 {
            let e = Double(Kernels.exp(x)), ref = Foundation.exp(Double(x))
            worstExp = max(worstExp, abs(e - ref) / ref)
            worstErf = max(worstErf, abs(Double(Kernels.erf(x)) - Foundation.erf(Double(x))))
            x += 0.001
        }
        #expect(worstExp < 1e-6, "exp relative error \(worstExp)")
        #expect(worstErf < 5e-7, "erf absolute error \(worstErf)")
        #expect(Kernels.exp(-200) < 1e-37)
        #expect(Kernels.exp(200).isFinite)
    }

    @Test func geluMatchesErfDefinition() {
        let xs = (0..<1001).map { Float($0 - 500) / 100 }
        let out = Tensor(zeros: [xs.count])
        xs.withUnsafeBufferPointer { Kernels.gelu(out.data, $0.baseAddress!, xs.count) }
        for (i, x) in xs.enumerated() {
            let ref = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            #expect(abs(Double(out.data[i]) - ref) < 2e-6 * max(1, abs(ref)))
        }
    }

    @Test func layerNormMatchesDoubleReference() {
        var rng = SeededGenerator(seed: 5)
        let rows = 7, c = 37
        let x = Tensor.randomNormal([rows, c], mean: 3, std: 2, using: &rng)
        let w = Tensor.randomUniform([c], low: 0.5, high: 1.5, using: &rng)
        let b = Tensor.randomUniform([c], using: &rng)
        let y = Tensor(zeros: [rows, c])
        Kernels.layerNorm(y.data, mean: nil, rstd: nil, x.data, weight: w.data, bias: b.data, rows: rows, cols: c, eps: 1e-12)
        for r in 0..<rows {
            let xs = x.row(r).scalars.map(Double.init)
            let m = xs.reduce(0, +) / Double(c)
            let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(c)
            for i in 0..<c {
                let ref = (xs[i] - m) / (v + 1e-12).squareRoot() * Double(w.data[i]) + Double(b.data[i])
                #expect(abs(Double(y[r, i]) - ref) < 1e-5)
            }
        }
    }

    @Test func maskedSoftmaxZeroesMaskedColumnsAndFullyMaskedRows() {
        let x = Tensor([1, 2, 3, 4, 1, 2, 3, 4], shape: [2, 4])
        let mask = Tensor([1, 0, 1, 0, 0, 0, 0, 0], shape: [2, 4])
        let y = Tensor(zeros: [2, 4])
        Kernels.softmax(y.data, x.data, rows: 2, cols: 4, mask: mask.data, rowsPerMask: 1)
        let e1 = Foundation.exp(1.0), e3 = Foundation.exp(3.0)
        #expect(abs(Double(y[0, 0]) - e1 / (e1 + e3)) < 1e-6)
        #expect(y[0, 1] == 0 && y[0, 3] == 0)
        #expect(y.row(1).scalars == [0, 0, 0, 0])
    }

    @Test func softmaxHandlesLongRowsAndLargeValues() {
        let c = 1000
        let x = Tensor((0..<c).map { Float($0) * 0.5 }, shape: [1, c])
        let y = Tensor(zeros: [1, c])
        Kernels.softmax(y.data, x.data, rows: 1, cols: c)
        #expect(abs(Kernels.sum(y.data, c) - 1) < 1e-5)
        #expect(y.scalars.allSatisfy { $0.isFinite })
    }

    @Test func segmentOperationsMatchNaiveLoops() {
        let values = Tensor((0..<12).map { Float($0 % 5) - 2 }, shape: [6, 2])
        let offsets: [Int32] = [0, 3, 3, 6]
        let sum = Tensor(zeros: [3, 2]), mean = Tensor(zeros: [3, 2]), mx = Tensor(zeros: [3, 2])
        var arg = [Int32](repeating: 0, count: 6)
        offsets.withUnsafeBufferPointer { o in
            Kernels.segmentSum(sum.data, values.data, offsets: o.baseAddress!, segments: 3, cols: 2)
            Kernels.segmentSum(mean.data, values.data, offsets: o.baseAddress!, segments: 3, cols: 2, mean: true)
            arg.withUnsafeMutableBufferPointer { a in
                Kernels.segmentMax(mx.data, argmax: a.baseAddress!, values.data, offsets: o.baseAddress!, segments: 3, cols: 2)
            }
        }
        // values rows: [-2,-1] [0,1] [2,-2] | [-1,0] [1,2] [-2,-1]
        let expectedSum: [Float] = [0, -2, 0, 0, -2, 1]
        let expectedMean: [Float] = [0, -2.0 / 3, 0, 0, -2.0 / 3, 1.0 / 3]
        let expectedMax: [Float] = [2, 1, 0, 0, 1, 2]
        #expect(sum.scalars == expectedSum)
        #expect(mean.scalars == expectedMean)
        #expect(mx.scalars == expectedMax)
        #expect(arg == [2, 1, -1, -1, 4, 4])
    }

    @Test func crossEntropyMatchesLogSumExp() {
        let logits = Tensor([1, 2, 3, 0, 0, 0], shape: [2, 3])
        let targets: [Int32] = [2, -100]
        let (loss, count) = targets.withUnsafeBufferPointer {
            Kernels.crossEntropy(logits.data, targets: $0.baseAddress!, rows: 2, classes: 3, ignoreIndex: -100, probabilities: nil)
        }
        let ref = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)) - 3
        #expect(count == 1)
        #expect(abs(Double(loss) - ref) < 1e-6)
    }

    @Test func dropoutKeepsExpectationAndRate() {
        var rng = SeededGenerator(seed: 6)
        let n = 100_000
        let mask = Tensor(zeros: [n])
        Kernels.dropoutMask(mask.data, count: n, probability: 0.25, using: &rng)
        let dropped = mask.scalars.filter { $0 == 0 }.count
        #expect(abs(Double(dropped) / Double(n) - 0.25) < 0.01)
        #expect(abs(Kernels.sum(mask.data, n) / Double(n) - 1) < 0.01)
    }

    @Test func parallelForCoversEveryIndexOnce() {
        let n = 10_007
        let hits = Tensor(zeros: [n])
        let p = hits.data
        parallelFor(n, minimumPerChunk: 100) { range in for i in range { p[i] += 1 } }
        #expect(hits.scalars.allSatisfy { $0 == 1 })
    }
}
