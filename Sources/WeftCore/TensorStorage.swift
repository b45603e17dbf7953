import Foundation

/// A 64-byte aligned buffer of Float32 values that owns its memory.
///
/// Freed buffers go back to `BufferPool.shared`, so the many same-sized
/// temporaries of a training step or an encoder batch are recycled instead of
/// being returned to the kernel and page-faulted back in on every step.
public final class TensorStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Allocates `count` floats. The contents are undefined unless `zeroed`.
    public init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "negative tensor size \(count)")
        self.count = count
        self.pointer = BufferPool.shared.take(count: count)
        if zeroed, count > 0 { pointer.update(repeating: 0, count: count) }
    }

    deinit { BufferPool.shared.give(pointer, count: count) }
}

/// Recycles freed tensor buffers by size class, up to a byte budget.
///
/// Buffers are allocated at their size class: up to 4,096 floats the next
/// multiple of 64, above that the next multiple of an eighth of the power of
/// two below (so at most 12.5% is wasted). The sampled subgraphs of GNN
/// training differ in size from batch to batch; with exact sizes none of a
/// step's buffers fitted the next step's requests, and freshly mapped pages
/// were zero-filled by the kernel on every step (29% of the 1M-user
/// benchmark's profile).
public final class BufferPool: @unchecked Sendable {
    /// A quarter of the machine's memory, between 1 and 8 GB. The pool only ever holds buffers
    /// that were live at once, so it keeps resident memory at the process's high-water mark
    /// rather than raising it; a 1 GB cap was smaller than one GNN step on the 1M-user graph,
    /// whose surplus buffers went back to the kernel and were faulted in again every step.
    /// `WEFT_BUFFER_POOL_BYTES` overrides the budget (0: no pooling, every buffer goes straight
    /// back to the allocator, which lets a memory checker see use after free).
    public static let shared = BufferPool(
        budgetBytes: ProcessInfo.processInfo.environment["WEFT_BUFFER_POOL_BYTES"].flatMap { Int($0) }.map { Swift.max(0, $0) }
            ?? Swift.min(Swift.max(1 << 30, Int(ProcessInfo.processInfo.physicalMemory / 4)), 8 << 30))

    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0
    private let budgetBytes: Int

    public init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    /// The number of floats actually allocated for a request of `count`.
    public static func sizeClass(_ count: Int) -> Int {
        let n = max(count, 1)
        if n <= 4096 { return (n + 63) & ~63 }
        let step = (1 << (Int.bitWidth - 1 - n.leadingZeroBitCount)) >> 3
        return (n + step - 1) / step * step
    }

    func take(count: Int) -> UnsafeMutablePointer<Float> {
        let n = Self.sizeClass(count)
        lock.lock()
        if var list = free[n], let p = list.popLast() {
            free[n] = list
            pooledBytes -= n * 4
            lock.unlock()
            return p
        }
        lock.unlock()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: n)
    }

    func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let n = Self.sizeClass(count)
        lock.lock()
        if pooledBytes + n * 4 <= budgetBytes {
            free[n, default: []].append(p)
            pooledBytes += n * 4
            lock.unlock()
            return
        }
        lock.unlock()
        UnsafeMutableRawPointer(p).deallocate()
    }

    /// Returns every pooled buffer to the system allocator.
    public func drain() {
        lock.lock()
        let lists = free
        free = [:]
        pooledBytes = 0
        lock.unlock()
        for (_, list) in lists { for p in list { UnsafeMutableRawPointer(p).deallocate() } }
    }

    /// Bytes currently held for reuse.
    public var heldBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return pooledBytes
    }
}
