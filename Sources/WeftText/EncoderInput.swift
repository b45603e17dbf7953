import WeftCore

/// A padded batch of token ids for the training (tape) forward: B rows of T
/// positions, with the attention mask telling tokens (1) from padding (0).
public struct EncoderInput: Sendable, Equatable {
    /// Rows (B).
    public let batchSize: Int
    /// Positions per row, padding included (T).
    public let sequenceLength: Int
    /// (B, T) token ids.
    public let ids: [Int32]
    /// (B, T) 1 for a token, 0 for padding.
    public let attentionMask: [Int32]
    /// (B, T) segment ids (all 0 for single-sentence input).
    public let tokenTypeIds: [Int32]

    public init(batchSize: Int, sequenceLength: Int, ids: [Int32], attentionMask: [Int32]? = nil,
                tokenTypeIds: [Int32]? = nil) throws(EncoderError) {
        let n = batchSize * sequenceLength
        guard batchSize >= 0, sequenceLength >= 0, ids.count == n else {
            throw .invalidInput(reason: "\(ids.count) ids do not fill a \(batchSize)×\(sequenceLength) batch")
        }
        let mask = attentionMask ?? [Int32](repeating: 1, count: n)
        let types = tokenTypeIds ?? [Int32](repeating: 0, count: n)
        guard mask.count == n else {
            throw .invalidInput(reason: "attention mask has \(mask.count) entries for a \(batchSize)×\(sequenceLength) batch")
        }
        guard types.count == n else {
            throw .invalidInput(reason: "token type ids have \(types.count) entries for a \(batchSize)×\(sequenceLength) batch")
        }
        if let bad = mask.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw .invalidInput(reason: "attention mask value \(mask[bad]) at position \(bad) is neither 0 nor 1")
        }
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.ids = ids
        self.attentionMask = mask
        self.tokenTypeIds = types
    }

    /// Right-pads `sequences` to the longest one with `paddingId`.
    public init(sequences: [[Int32]], paddingId: Int32 = 0) throws(EncoderError) {
        let t = sequences.map(\.count).max() ?? 0
        var ids = [Int32](repeating: paddingId, count: sequences.count * t)
        var mask = [Int32](repeating: 0, count: sequences.count * t)
        for (b, sequence) in sequences.enumerated() {
            for (i, id) in sequence.enumerated() {
                ids[b * t + i] = id
                mask[b * t + i] = 1
            }
        }
        try self.init(batchSize: sequences.count, sequenceLength: t, ids: ids, attentionMask: mask)
    }

    /// The mask as floats (B, T), as the attention and pooling kernels take it.
    public var maskTensor: Tensor {
        Tensor(attentionMask.map { Float($0) }, shape: [batchSize, sequenceLength])
    }

    /// Number of real (unmasked) tokens in each row.
    public var lengths: [Int] {
        (0..<batchSize).map { b in
            attentionMask[(b * sequenceLength)..<((b + 1) * sequenceLength)].reduce(0) { $0 + Int($1) }
        }
    }

    /// Checks every id fits the model's tables.
    func validate(for config: BertConfig) throws(EncoderError) {
        if sequenceLength > config.maximumPositionCount {
            throw .invalidInput(reason: "sequence length \(sequenceLength) exceeds the model's "
                                + "\(config.maximumPositionCount) positions")
        }
        if let i = ids.firstIndex(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
            throw .invalidInput(reason: "token id \(ids[i]) at position \(i) is outside the vocabulary of "
                                + "\(config.vocabularySize)")
        }
        if let i = tokenTypeIds.firstIndex(where: { $0 < 0 || Int($0) >= config.tokenTypeCount }) {
            throw .invalidInput(reason: "token type id \(tokenTypeIds[i]) at position \(i) is outside 0..<"
                                + "\(config.tokenTypeCount)")
        }
    }
}
