import Testing
@testable import WeftGraph

struct SparseMatrixTests {
    func dense(_ a: SparseMatrix) -> [[Float]] {
        var m = [[Float]](repeating: [Float](repeating: 0, count: a.columnCount), count: a.rowCount)
        for r in 0..<a.rowCount {
            for e in Int(a.offsets[r])..<Int(a.offsets[r + 1]) { m[r][Int(a.columns[e])] += a.values[e] }
        }
        return m
    }

    @Test func multiplyAndTransposeAgreeWithDenseProducts() {
        var rng = SeededGenerator(seed: 3)
        let rows = 7, cols = 5, c = 3
        var offsets: [Int32] = [0], columns: [Int32] = [], values: [Float] = []
        for _ in 0..<rows {
            for j in 0..<cols where rng.nextUniform() < 0.4 { columns.append(Int32(j)); values.append(rng.nextNormal()) }
            offsets.append(Int32(columns.count))
        }
        let a = SparseMatrix(rowCount: rows, columnCount: cols, offsets: offsets, columns: columns, values: values)
        let x = Tensor.randomNormal([cols, c], using: &rng)
        let y = a.multiply(x)
        let d = dense(a)
        for r in 0..<rows {
            for k in 0..<c {
                let ref = (0..<cols).reduce(Float(0)) { $0 + d[r][$1] * x[$1, k] }
                #expect(abs(y[r, k] - ref) < 1e-5)
            }
        }
        let t = dense(a.transposed)
        for r in 0..<rows { for j in 0..<cols { #expect(t[j][r] == d[r][j]) } }
        #expect(a.transposed.transposed === a)
    }

    @Test func normalizedBipartiteMatchesTheLightGCNFormula() throws {
        // users 0, 1, 2; items 0, 1, 2, 3 (item 3 without interactions).
        let ui = Adjacency(rowCount: 3, sources: [0, 0, 1, 2, 2, 2], targets: [0, 1, 0, 0, 1, 2])
        let a = SparseMatrix.normalizedBipartite(userItems: ui, itemCount: 4)
        #expect(a.rowCount == 7 && a.isSymmetric && a.nonZeroCount == 12)
        let d = dense(a)
        let userDegree: [Float] = [2, 1, 3], itemDegree: [Float] = [3, 2, 1, 0]
        for u in 0..<3 {
            for i in 0..<4 {
                let expected: Float = ui.contains(row: u, target: Int32(i)) ? 1 / (userDegree[u] * itemDegree[i]).squareRoot() : 0
                #expect(abs(d[u][3 + i] - expected) < 1e-7)
                #expect(d[3 + i][u] == d[u][3 + i])
            }
        }
        #expect(d[6].allSatisfy { $0 == 0 })
    }

    /// A matrix and its cached transpose free each other: the GNN builds one
    /// per training batch (the text-neighbour term), and a strong cycle
    /// leaked them all (a LastFM run was killed at 16.8 GB).
    @Test func aMatrixAndItsTransposeAreFreed() {
        weak var original: SparseMatrix?, transpose: SparseMatrix?
        do {
            let a = SparseMatrix(rowCount: 2, columnCount: 3, offsets: [0, 1, 2], columns: [2, 0], values: [1, 2])
            let t = a.transposed
            #expect(t.transposed === a && a.transposed === t)
            original = a
            transpose = t
        }
        #expect(original == nil && transpose == nil)
    }
}
