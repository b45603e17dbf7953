import Foundation

/// A weighted sparse matrix in CSR, the operator of LightGCN-style
/// propagation: y = A · x for dense x (columns, C) in `multiply`.
///
/// The transpose (needed by the backward, dx = Aᵀ · dy) is built once, on
/// first use; a matrix marked `symmetric` is its own transpose.
public final class SparseMatrix: @unchecked Sendable {
    public let rowCount: Int
    public let columnCount: Int
    /// (rows + 1)
    public let offsets: [Int32]
    /// (nnz) column of each entry, grouped by row.
    public let columns: [Int32]
    /// (nnz) value of each entry.
    public let values: [Float]
    public let isSymmetric: Bool

    private let lock = NSLock()
    private var cachedTranspose: SparseMatrix?
    /// The matrix this one is the transpose of: weak, so a matrix and its
    /// cached transpose do not keep each other alive (one built per training
    /// batch would otherwise never be freed).
    private weak var transposeOf: SparseMatrix?

    public init(rowCount: Int, columnCount: Int, offsets: [Int32], columns: [Int32], values: [Float],
                symmetric: Bool = false) {
        precondition(offsets.count == rowCount + 1 && columns.count == values.count
                     && Int(offsets.last ?? 0) == columns.count, "SparseMatrix: inconsistent CSR arrays")
        precondition(!symmetric || rowCount == columnCount, "SparseMatrix: a symmetric matrix must be square")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.offsets = offsets
        self.columns = columns
        self.values = values
        self.isSymmetric = symmetric
    }

    public var nonZeroCount: Int { columns.count }

    /// Aᵀ (itself when symmetric).
    public var transposed: SparseMatrix {
        if isSymmetric { return self }
        lock.lock(); defer { lock.unlock() }
        if let cachedTranspose { return cachedTranspose }
        if let transposeOf { return transposeOf }
        var counts = [Int32](repeating: 0, count: columnCount + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for i in 0..<columnCount { counts[i + 1] += counts[i] }
        var cursor = counts
        var tColumns = [Int32](repeating: 0, count: nonZeroCount)
        var tValues = [Float](repeating: 0, count: nonZeroCount)
        for r in 0..<rowCount {
            for e in Int(offsets[r])..<Int(offsets[r + 1]) {
                let c = Int(columns[e])
                let p = Int(cursor[c])
                tColumns[p] = Int32(r)
                tValues[p] = values[e]
                cursor[c] += 1
            }
        }
        let t = SparseMatrix(rowCount: columnCount, columnCount: rowCount, offsets: counts, columns: tColumns,
                             values: tValues)
        t.transposeOf = self
        cachedTranspose = t
        return t
    }

    /// out (rows, C) = beta · out + A · x, with x (columns, C).
    public func multiply(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, cols c: Int,
                         accumulate: Bool = false) {
        offsets.withUnsafeBufferPointer { o in
            columns.withUnsafeBufferPointer { col in
                values.withUnsafeBufferPointer { v in
                    parallelFor(rowCount, minimumPerChunk: Swift.max(1, 4096 / Swift.max(c, 1))) { range in
                        for r in range {
                            let y = out + r * c
                            if !accumulate { y.update(repeating: 0, count: c) }
                            for e in Int(o[r])..<Int(o[r + 1]) {
                                Kernels.axpy(y, v[e], x + Int(col[e]) * c, c)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A · x for a dense tensor x (columns, C) → (rows, C).
    public func multiply(_ x: Tensor) -> Tensor {
        precondition(x.rowCount == columnCount, "SparseMatrix.multiply: \(x.shape) for \(rowCount)×\(columnCount)")
        let y = Tensor(uninitialized: [rowCount, x.lastDimension])
        multiply(x.data, into: y.data, cols: x.lastDimension)
        return y
    }

    /// The symmetrically normalised adjacency of a bipartite graph, as
    /// LightGCN: nodes are users 0..<U then items U..<U+I, and
    /// Â = D^{-1/2} A D^{-1/2}, Â[u, U+i] = Â[U+i, u] = 1 / √(d_u · d_i).
    /// Nodes without edges get empty rows.
    public static func normalizedBipartite(userItems: Adjacency, itemCount: Int) -> SparseMatrix {
        let users = userItems.rowCount
        let n = users + itemCount
        var itemDegree = [Int32](repeating: 0, count: itemCount)
        for t in userItems.targets { itemDegree[Int(t)] += 1 }
        let itemUsers = userItems.transposed(columnCount: itemCount)
        var offsets = [Int32](repeating: 0, count: n + 1)
        for u in 0..<users { offsets[u + 1] = offsets[u] + Int32(userItems.degree(of: u)) }
        for i in 0..<itemCount { offsets[users + i + 1] = offsets[users + i] + Int32(itemUsers.degree(of: i)) }
        var columns = [Int32](repeating: 0, count: Int(offsets[n]))
        var values = [Float](repeating: 0, count: columns.count)
        for u in 0..<users {
            let du = Float(userItems.degree(of: u))
            var p = Int(offsets[u])
            for i in userItems.neighbors(of: u) {
                columns[p] = Int32(users) + i
                values[p] = 1 / (du * Float(itemDegree[Int(i)])).squareRoot()
                p += 1
            }
        }
        for i in 0..<itemCount {
            let di = Float(itemDegree[i])
            var p = Int(offsets[users + i])
            for u in itemUsers.neighbors(of: i) {
                columns[p] = u
                values[p] = 1 / (di * Float(userItems.degree(of: Int(u)))).squareRoot()
                p += 1
            }
        }
        return SparseMatrix(rowCount: n, columnCount: n, offsets: offsets, columns: columns, values: values,
                            symmetric: true)
    }
}
