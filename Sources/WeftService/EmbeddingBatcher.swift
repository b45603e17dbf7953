import Foundation
import ServiceLifecycle
import WeftText

/// Dynamic batching: the sequences of concurrent embedding requests are
/// merged into encoder batches on one dedicated encoder thread, which owns the
/// `TextEmbedder` (it is not reentrant) and keeps the cooperative thread pool
/// free for HTTP while the encoder uses every core.
///
/// A batch takes queued sequences in arrival order until the next one would
/// pass `maximumBatchTokens` real tokens (sequences are packed without
/// padding, so this bounds the work) or `maximumBatchSequences`. Before a
/// batch that is not full the encoder waits at most `maximumWait` after the
/// later of the oldest queued request's arrival and the end of the previous
/// batch: clients answered by that batch send their next request within
/// about a millisecond, and without the wait a steady load splits into two
/// alternating half-size batches (measured: 8 of 16 connections per batch).
/// A request may be split across batches. At most `maximumQueuedSequences` wait; a
/// request that would go past that is refused (`queueFull`, answered 429).
public final class EmbeddingBatcher: Service, @unchecked Sendable {
    public struct Limits: Sendable {
        public var maximumBatchTokens: Int
        public var maximumBatchSequences: Int
        public var maximumWait: Duration
        public var maximumQueuedSequences: Int

        public init(maximumBatchTokens: Int, maximumBatchSequences: Int, maximumWait: Duration,
                    maximumQueuedSequences: Int) {
            self.maximumBatchTokens = maximumBatchTokens
            self.maximumBatchSequences = maximumBatchSequences
            self.maximumWait = maximumWait
            self.maximumQueuedSequences = maximumQueuedSequences
        }
    }

    /// What the encoder thread has done since start.
    public struct Statistics: Sendable, Equatable {
        public var batches = 0
        public var sequences = 0
        public var tokens = 0
        /// Requests completed.
        public var requests = 0
    }

    public enum Failure: Error, CustomStringConvertible {
        case queueFull(queued: Int, requested: Int, capacity: Int)
        case shuttingDown
        case sequenceTooLong(index: Int, tokens: Int, budget: Int)

        public var description: String {
            switch self {
            case .queueFull(let queued, let requested, let capacity):
                "the encoder queue is full (\(queued) sequences waiting, \(requested) more requested, capacity \(capacity)); retry later"
            case .shuttingDown: "the server is shutting down"
            case .sequenceTooLong(let index, let tokens, let budget):
                "sequence \(index) has \(tokens) tokens, more than the \(budget) of an encoder batch"
            }
        }
    }

    /// One request: its sequences, the pooled (sequences, C) vectors as they arrive, and who waits for them.
    private final class Job {
        let sequences: [[Int32]]
        var nextSequence = 0
        var finishedSequences = 0
        var pooled: [Float]
        var continuation: CheckedContinuation<[Float], any Error>?

        init(sequences: [[Int32]], dimension: Int, continuation: CheckedContinuation<[Float], any Error>) {
            self.sequences = sequences
            pooled = [Float](repeating: 0, count: sequences.count * dimension)
            self.continuation = continuation
        }
    }

    public let limits: Limits
    public let dimension: Int
    /// Only the encoder thread touches it after `init`.
    private let embedder: TextEmbedder
    private let metrics: ServiceMetrics?
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [Job] = []
    private var oldestArrival: ContinuousClock.Instant?
    private var lastBatchEnd: ContinuousClock.Instant?
    private var queuedSequences = 0
    private var stopping = false
    private var paused = false
    private var threadFinished = false
    private var counts = Statistics()

    /// Starts the encoder thread. `embedder`'s workspace must hold `limits.maximumBatchSequences` sequences.
    public init(embedder: TextEmbedder, limits: Limits, metrics: ServiceMetrics? = nil) {
        self.embedder = embedder
        self.limits = limits
        self.metrics = metrics
        dimension = embedder.dimension
        let thread = Thread { [self] in encoderLoop() }
        thread.name = "weft-encoder"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The pooled, unnormalised (sequences.count, C) vectors of `sequences`, row i for sequence i.
    public func pool(_ sequences: [[Int32]]) async throws -> [Float] {
        guard !sequences.isEmpty else { return [] }
        for (index, sequence) in sequences.enumerated() where sequence.count > limits.maximumBatchTokens {
            throw Failure.sequenceTooLong(index: index, tokens: sequence.count, budget: limits.maximumBatchTokens)
        }
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(throwing: Failure.shuttingDown)
                return
            }
            if queuedSequences + sequences.count > limits.maximumQueuedSequences {
                let queued = queuedSequences
                condition.unlock()
                continuation.resume(throwing: Failure.queueFull(
                    queued: queued, requested: sequences.count, capacity: limits.maximumQueuedSequences))
                return
            }
            queue.append(Job(sequences: sequences, dimension: dimension, continuation: continuation))
            if oldestArrival == nil { oldestArrival = .now }
            queuedSequences += sequences.count
            metrics?.recordQueueDepth(queuedSequences)
            condition.signal()
            condition.unlock()
        }
    }

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }

    /// Sequences waiting for the encoder.
    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedSequences
    }

    /// Holds batches back (queued requests wait) so tests can fill the queue deterministically.
    func pauseForTesting() {
        condition.lock()
        paused = true
        condition.unlock()
    }

    func resumeForTesting() {
        condition.lock()
        paused = false
        condition.signal()
        condition.unlock()
    }

    /// Waits for the server's graceful shutdown, then refuses new work, finishes what is queued and stops the thread.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Refuses new requests, lets the encoder finish every queued one, and returns when its thread has ended.
    public func shutdown() async {
        beginStopping()
        while !hasFinished { try? await Task.sleep(for: .milliseconds(5)) }
    }

    private func beginStopping() {
        condition.lock()
        stopping = true
        paused = false
        condition.broadcast()
        condition.unlock()
    }

    private var hasFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return threadFinished
    }

    // MARK: Encoder thread

    private func encoderLoop() {
        var sequences: [[Int32]] = []
        var owners: [(job: Job, row: Int)] = []
        var output = [Float]()
        while true {
            condition.lock()
            while (queue.isEmpty || paused) && !stopping { condition.wait() }
            if queue.isEmpty {
                threadFinished = true
                condition.unlock()
                return
            }
            // An idle encoder gives concurrent requests a moment to join the batch.
            if let oldest = oldestArrival {
                let deadline = max(oldest, lastBatchEnd ?? oldest) + limits.maximumWait
                while !stopping && !batchIsFull() {
                    let remaining = ContinuousClock.now.duration(to: deadline)
                    if remaining <= .zero { break }
                    let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) * 1e-18
                    _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
                }
            }
            sequences.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            var tokens = 0
            var requests = 0
            while let job = queue.first {
                let next = job.sequences[job.nextSequence]
                if !sequences.isEmpty
                    && (tokens + next.count > limits.maximumBatchTokens || sequences.count == limits.maximumBatchSequences) {
                    break
                }
                if owners.last?.job !== job { requests += 1 }
                sequences.append(next)
                owners.append((job, job.nextSequence))
                tokens += next.count
                job.nextSequence += 1
                if job.nextSequence == job.sequences.count { queue.removeFirst() }
            }
            queuedSequences -= sequences.count
            // What is left waited while this batch was taken: the next one starts without waiting.
            if queue.isEmpty { oldestArrival = nil }
            metrics?.recordQueueDepth(queuedSequences)
            condition.unlock()

            let started = ContinuousClock.now
            let c = dimension
            if output.count < sequences.count * c { output = [Float](repeating: 0, count: sequences.count * c) }
            var failure: (any Error)?
            do {
                try output.withUnsafeMutableBufferPointer { buffer in
                    try embedder.engine.pool(sequences, mode: embedder.pooling.mode, normalize: false,
                                             workspace: embedder.workspace, into: buffer.baseAddress!)
                }
            } catch {
                failure = error
            }
            let elapsed = started.duration(to: .now)
            var completed: [(CheckedContinuation<[Float], any Error>, Result<[Float], any Error>)] = []
            for (s, owner) in owners.enumerated() {
                let job = owner.job
                guard let continuation = job.continuation else { continue }
                if let failure {
                    job.continuation = nil
                    completed.append((continuation, .failure(failure)))
                    continue
                }
                job.pooled.withUnsafeMutableBufferPointer { pooled in
                    output.withUnsafeBufferPointer { source in
                        (pooled.baseAddress! + owner.row * c).update(from: source.baseAddress! + s * c, count: c)
                    }
                }
                job.finishedSequences += 1
                if job.finishedSequences == job.sequences.count {
                    job.continuation = nil
                    completed.append((continuation, .success(job.pooled)))
                }
            }
            condition.lock()
            if failure != nil {
                // A failed request's sequences still queued are dropped with it.
                let failed = Set(owners.map { ObjectIdentifier($0.job) })
                for job in queue where failed.contains(ObjectIdentifier(job)) {
                    queuedSequences -= job.sequences.count - job.nextSequence
                }
                queue.removeAll { failed.contains(ObjectIdentifier($0)) }
            }
            lastBatchEnd = .now
            counts.batches += 1
            counts.sequences += sequences.count
            counts.tokens += tokens
            counts.requests += completed.count
            condition.unlock()
            metrics?.recordBatch(sequences: sequences.count, tokens: tokens, requests: requests, duration: elapsed)
            for (continuation, result) in completed { continuation.resume(with: result) }
        }
    }

    /// Whether queued sequences already fill a batch (called with the lock held).
    private func batchIsFull() -> Bool {
        if queuedSequences >= limits.maximumBatchSequences { return true }
        var tokens = 0
        for job in queue {
            for sequence in job.sequences[job.nextSequence...] {
                tokens += sequence.count
                if tokens >= limits.maximumBatchTokens { return true }
            }
        }
        return false
    }
}
