import Testing
@testable import WeftGraph

/// Numeric gradient checks of the tape ops WeftGraph adds.
struct GraphOperationGradientTests {
    func param(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Variable {
        var rng = SeededGenerator(seed: seed)
        return Variable(Tensor.randomUniform(shape, low: low, high: high, using: &rng), requiresGrad: true)
    }

    func expectPasses(_ inputs: [Variable], _ f: (Tape, [Variable]) -> Variable,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let mismatches = GradientCheck.check(inputs: inputs, f)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))", sourceLocation: sourceLocation)
    }

    @Test func sparseMatmulBackwardIsTheTransposePropagation() {
        let a = SparseMatrix(rowCount: 3, columnCount: 4, offsets: [0, 2, 2, 5], columns: [0, 3, 1, 2, 3],
                             values: [0.5, -1, 2, 0.25, 1.5])
        expectPasses([param([4, 3], seed: 1)]) { t, v in t.sparseMatmul(a, v[0]) }
        let ui = Adjacency(rowCount: 3, sources: [0, 0, 1, 2, 2], targets: [0, 1, 0, 1, 2])
        let norm = SparseMatrix.normalizedBipartite(userItems: ui, itemCount: 3)
        expectPasses([param([6, 4], seed: 2)]) { t, v in t.sparseMatmul(norm, t.sparseMatmul(norm, v[0])) }
    }

    @Test func rowDotAndScaleHeads() {
        let a = param([5, 6], seed: 3), b = param([5, 6], seed: 4)
        expectPasses([a, b]) { t, v in t.rowDot(v[0], v[1]) }
        expectPasses([a, b]) { t, v in t.rowDot(v[0], v[1], heads: 3) }
        let w1 = param([5, 1], seed: 5), w2 = param([5, 2], seed: 6)
        expectPasses([a, w1]) { t, v in t.scaleHeads(v[0], by: v[1]) }
        expectPasses([a, w2]) { t, v in t.scaleHeads(v[0], by: v[1]) }
        let s = Tape.inference.rowDot(Variable(Tensor([1, 2, 3, 4], shape: [1, 4])),
                                      Variable(Tensor([1, 1, 2, 2], shape: [1, 4])), heads: 2)
        #expect(s.value.scalars == [3, 14])
    }

    @Test func logSigmoidIsStableAndDifferentiable() {
        expectPasses([param([3, 5], seed: 7, low: -6, high: 6)]) { t, v in t.logSigmoid(v[0]) }
        let y = Tape.inference.logSigmoid(Variable(Tensor([-200, -20, 0, 20, 200], shape: [5]))).value.scalars
        #expect(abs(y[0] + 200) < 1e-3 && abs(y[1] + 20) < 1e-5)
        #expect(abs(y[2] - Float(-0.693_147_2)) < 1e-6)
        #expect(y[3] < 0 && y[3] > -1e-8 && y[4] == 0)
    }

    @Test func concatenateColumns() {
        let a = param([4, 2], seed: 8), b = param([4, 3], seed: 9), c = param([4, 1], seed: 10)
        expectPasses([a, b, c]) { t, v in t.concatenateColumns(v) }
        let y = Tape.inference.concatenateColumns([a, b])
        #expect(y.shape == [4, 5] && y.value[2, 1] == a.value[2, 1] && y.value[2, 4] == b.value[2, 2])
    }
}
