import Dispatch
import WeftCore

/// Runs work on `Parallelism.threadCount` workers that know their own index,
/// so each can use its own slice of a preallocated scratch buffer.
enum WorkerPool {
    /// Calls `body(worker, item)` for every item in `0..<count`, item i on
    /// worker i mod W (W = min(workers, count)). Interleaving balances work
    /// when item costs fall or rise steadily, as for length-sorted sequences.
    static func forEachItem(_ count: Int, workers: Int = Parallelism.threadCount,
                            _ body: (_ worker: Int, _ item: Int) -> Void) {
        if count <= 0 { return }
        let w = max(1, min(workers, count))
        if w == 1 {
            for i in 0..<count { body(0, i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // Workers touch disjoint items and scratch slices, so sharing the closure is safe.
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: w) { worker in
                var i = worker
                while i < count {
                    box.value(worker, i)
                    i += w
                }
            }
        }
    }

    /// Splits `0..<count` into W contiguous ranges and calls `body(worker, range)` on each.
    static func forEachRange(_ count: Int, minimumPerWorker: Int = 1, workers: Int = Parallelism.threadCount,
                             _ body: (_ worker: Int, _ range: Range<Int>) -> Void) {
        if count <= 0 { return }
        let w = max(1, min(workers, count / max(1, minimumPerWorker)))
        if w == 1 {
            body(0, 0..<count)
            return
        }
        let chunk = (count + w - 1) / w
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: w) { worker in
                let start = worker * chunk, end = min(count, start + chunk)
                if start < end { box.value(worker, start..<end) }
            }
        }
    }
}
