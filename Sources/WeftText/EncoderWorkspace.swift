import WeftCore

/// The buffers of `EncoderInference`, allocated once for up to
/// `maximumBatchSize` sequences of up to `maximumLength` tokens and reused
/// by every call. Sequences are packed without padding, so a batch needs
/// rows only for its real tokens (N ≤ maximumBatchSize · maximumLength).
///
/// A workspace serves one call at a time; give each concurrent caller its own.
public final class EncoderWorkspace: @unchecked Sendable {
    public let maximumBatchSize: Int
    public let maximumLength: Int
    /// Rows available: maximumBatchSize · maximumLength.
    public let tokenCapacity: Int

    /// (N, C) token vectors, updated in place layer by layer
    let hidden: Tensor
    /// (N, 3C) fused query, key and value projections
    let projections: Tensor
    /// (N, C) attention output with heads merged
    let context: Tensor
    /// (N, max(C, I)) pre-residual projections and the feed-forward hidden layer
    let scratch: Tensor
    /// (workers, maxLength, maxLength) attention probabilities, one block per worker
    let attentionScratch: Tensor
    /// (N) packed token ids of the current batch
    let ids: UnsafeMutablePointer<Int32>
    /// (N) position of each packed token within its sequence
    let positions: UnsafeMutablePointer<Int32>
    /// (N) token type (segment) of each packed token
    let tokenTypes: UnsafeMutablePointer<Int32>
    /// (maximumBatchSize + 1) first row of each sequence of the current batch
    let offsets: UnsafeMutablePointer<Int>
    let workers: Int

    init(config: BertConfig, maximumBatchSize: Int, maximumLength: Int, workers: Int) {
        precondition(maximumBatchSize > 0 && maximumLength > 0, "workspace for \(maximumBatchSize)×\(maximumLength)")
        self.maximumBatchSize = maximumBatchSize
        self.maximumLength = maximumLength
        self.workers = max(1, workers)
        tokenCapacity = maximumBatchSize * maximumLength
        let c = config.hiddenSize, i = config.intermediateSize
        hidden = Tensor(uninitialized: [tokenCapacity, c])
        projections = Tensor(uninitialized: [tokenCapacity, 3 * c])
        context = Tensor(uninitialized: [tokenCapacity, c])
        scratch = Tensor(uninitialized: [tokenCapacity, max(c, i)])
        attentionScratch = Tensor(uninitialized: [self.workers, maximumLength, maximumLength])
        ids = .allocate(capacity: tokenCapacity)
        positions = .allocate(capacity: tokenCapacity)
        tokenTypes = .allocate(capacity: tokenCapacity)
        offsets = .allocate(capacity: maximumBatchSize + 1)
    }

    deinit {
        ids.deallocate()
        positions.deallocate()
        tokenTypes.deallocate()
        offsets.deallocate()
    }

    /// Bytes held by the buffers.
    public var byteCount: Int {
        4 * (hidden.count + projections.count + context.count + scratch.count + attentionScratch.count + 3 * tokenCapacity)
            + 8 * (maximumBatchSize + 1)
    }
}
