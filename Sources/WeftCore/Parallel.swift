import Dispatch
import Foundation

/// Splits `0..<count` into contiguous chunks and runs `body(range)` on them
/// across the cores. Small problems (below `minimumPerChunk` items per chunk)
/// run inline, since dispatch costs a few microseconds.
@inline(__always)
public func parallelFor(_ count: Int, minimumPerChunk: Int = 1,
                        _ body: (Range<Int>) -> Void) {
    if count <= 0 { return }
    let workers = min(Parallelism.threadCount, max(1, count / max(1, minimumPerChunk)))
    if workers <= 1 {
        body(0..<count)
        return
    }
    let chunk = (count + workers - 1) / workers
    withoutActuallyEscaping(body) { body in
        // Chunks touch disjoint index ranges, so sharing the closure is safe.
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * chunk
            let end = min(count, start + chunk)
            if start < end { box.value(start..<end) }
        }
    }
}

/// The number of threads Weft's own kernels and BLAS use.
public enum Parallelism {
    nonisolated(unsafe) private static var _threads: Int = {
        if let s = ProcessInfo.processInfo.environment["WEFT_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// Threads for Weft's kernels (default: `WEFT_THREADS`, else all cores).
    public static var threadCount: Int { _threads }

    /// Sets the thread count for Weft's kernels and for OpenBLAS.
    /// Call at start-up, before kernels run.
    public static func setThreadCount(_ n: Int) {
        precondition(n > 0, "thread count must be positive")
        _threads = n
        BLAS.setThreadCount(n)
    }
}

/// Carries a value across a concurrency boundary the caller has proven safe.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
