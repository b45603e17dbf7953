import CBLAS
import Foundation

/// Thin wrappers over OpenBLAS `cblas_sgemm` for row-major matrices.
///
/// OpenBLAS's thread count is one setting of the whole process, and
/// OpenBLAS does not promise that `openblas_set_num_threads` is safe while
/// another thread is inside a threaded call. So every call here holds a
/// shared lock and a change of the thread count holds it exclusively: it
/// waits for the calls in flight, and calls wait for it.
///
/// Results can depend on the thread count in effect: the fine-tuning resume
/// test (bit-for-bit equality), run in one process beside tests that switch
/// BLAS to one thread, failed in about half the runs, with or without this
/// lock; with the switches disabled it passed 3 runs of 3, and with OpenBLAS
/// at one thread throughout it failed 1 full-suite run of 3, so the thread
/// count is one cause but not the only one. A computation that must reproduce bit for
/// bit needs the same thread count every time (`Scripts/test.sh` runs the
/// tests with `OPENBLAS_NUM_THREADS=1`).
public enum BLAS {
    /// Sets OpenBLAS's thread count, once no call is in flight.
    public static func setThreadCount(_ n: Int) { calls.exclusively { openblas_set_num_threads(Int32(n)) } }

    /// OpenBLAS's current thread count.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS single-threaded, for regions that call many
    /// small sgemms from several workers at once (nested threading would
    /// oversubscribe the cores). Overlapping regions (concurrent requests)
    /// are counted: the first to enter saves the count and sets 1, the last
    /// to leave restores it. (Each region saving and restoring on its own
    /// could leave OpenBLAS at one thread for good when two interleaved.)
    public static func withSingleThread<R>(_ body: () -> R) -> R {
        SingleThreadedRegions.blas.run(body)
    }

    static let calls = ReadWriteLock()

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
        calls.shared {
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
}

/// A pthread read–write lock: many holders at once in `shared`, one alone in `exclusively`.
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    @inline(__always)
    func shared<R>(_ body: () -> R) -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body()
    }

    func exclusively<R>(_ body: () -> R) -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return body()
    }
}

/// Open regions that need a process-wide thread count of 1 (OpenBLAS's),
/// counted so that overlapping regions change the count once on the way in
/// and restore it once, when the last one leaves.
final class SingleThreadedRegions: @unchecked Sendable {
    static let blas = SingleThreadedRegions(get: { BLAS.threadCount }, set: { BLAS.setThreadCount($0) })

    private let lock = NSLock()
    private var open = 0
    private var saved = 1
    private let get: @Sendable () -> Int
    private let set: @Sendable (Int) -> Void

    init(get: @escaping @Sendable () -> Int, set: @escaping @Sendable (Int) -> Void) {
        self.get = get
        self.set = set
    }

    func run<R>(_ body: () -> R) -> R {
        enter()
        defer { leave() }
        return body()
    }

    func enter() {
        lock.lock()
        defer { lock.unlock() }
        if open == 0 {
            saved = get()
            if saved != 1 { set(1) }
        }
        open += 1
    }

    func leave() {
        lock.lock()
        defer { lock.unlock() }
        open -= 1
        if open == 0 && saved != 1 { set(saved) }
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
        func run() {
            parallelFor(batch) { range in
                for i in range {
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                               a: a + i * strideA, b: b + i * strideB, beta: beta, c: c + i * strideC)
                }
            }
        }
        if batch > 1 && Parallelism.threadCount > 1 { BLAS.withSingleThread(run) } else { run() }
    }
}
