import CBLAS

/// Thin wrappers over OpenBLAS `cblas_sgemm` for row-major matrices.
public enum BLAS {
    /// Sets OpenBLAS's thread count.
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// OpenBLAS's current thread count.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// C (M×N) = alpha · op(A) · op(B) + beta · C, all row-major.
    ///
    /// op(A) is M×K: A is stored M×K, or K×M when `transposeA`.
    /// op(B) is K×N: B is stored K×N, or N×K when `transposeB`.
    /// `lda`, `ldb`, `ldc` default to the packed row strides.
    @inline(__always)
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C scaled by beta when K is 0; make beta = 0 mean zeros.
            for i in 0..<m {
                let row = c + i * (ldc ?? n)
                if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda ?? (transposeA ? m : k)),
            b, Int32(ldb ?? (transposeB ? k : n)),
            beta, c, Int32(ldc ?? n))
    }
}

extension Tensor {
    /// Matrix product of the last two dimensions: `self` viewed as (M, K)
    /// (or (K, M) with `transposeSelf`) times `other` viewed as (K, N)
    /// (or (N, K) with `transposeOther`). Leading dimensions of `self` are
    /// folded into M when `other` is 2-D, giving shape (..., N).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(other.rank == 2, "matmul: right operand must be 2-D, got \(other.shape)")
        let (m, k): (Int, Int)
        if transposeSelf {
            precondition(rank == 2, "matmul: transposed left operand must be 2-D, got \(shape)")
            (m, k) = (shape[1], shape[0])
        } else {
            (m, k) = (rowCount, lastDimension)
        }
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(k == k2, "matmul: inner dimensions differ: \(shape) × \(other.shape)")
        let outShape = transposeSelf ? [m, n] : Array(shape.dropLast()) + [n]
        let out = Tensor(uninitialized: outShape)
        BLAS.sgemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                   a: data, b: other.data, c: out.data)
        return out
    }

    /// Batched matrix product over the first dimension: self (B, M, K) ×
    /// other (B, K, N) → (B, M, N), with optional transposes of the last two
    /// dimensions of either operand. Batches run in parallel, each on one
    /// BLAS thread.
    public func batchedMatmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false,
                              alpha: Float = 1) -> Tensor {
        precondition(rank == 3 && other.rank == 3 && shape[0] == other.shape[0],
                     "batchedMatmul: shapes \(shape) and \(other.shape)")
        let b = shape[0]
        let (m, k) = transposeSelf ? (shape[2], shape[1]) : (shape[1], shape[2])
        let (k2, n) = transposeOther ? (other.shape[2], other.shape[1]) : (other.shape[1], other.shape[2])
        precondition(k == k2, "batchedMatmul: inner dimensions differ: \(shape) × \(other.shape)")
        let out = Tensor(uninitialized: [b, m, n])
        Tensor.batchedSgemm(batch: b, transposeA: transposeSelf, transposeB: transposeOther,
                            m: m, n: n, k: k, alpha: alpha, a: data, strideA: m * k,
                            b: other.data, strideB: k * n, beta: 0, c: out.data, strideC: m * n)
        return out
    }

    /// Runs `batch` independent sgemms (packed strides) in parallel.
    public static func batchedSgemm(batch: Int, transposeA: Bool, transposeB: Bool,
                                    m: Int, n: Int, k: Int, alpha: Float = 1,
                                    a: UnsafePointer<Float>, strideA: Int,
                                    b: UnsafePointer<Float>, strideB: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, strideC: Int) {
        let saved = BLAS.threadCount
        let parallel = batch > 1 && Parallelism.threadCount > 1
        if parallel { BLAS.setThreadCount(1) }
        parallelFor(batch) { range in
            for i in range {
                BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                           a: a + i * strideA, b: b + i * strideB, beta: beta, c: c + i * strideC)
            }
        }
        if parallel { BLAS.setThreadCount(saved) }
    }
}
