/// Token ids of several texts, padded to one length, ready for an encoder.
public struct TokenizedBatch: Sendable, Equatable {
    /// Number of texts (B).
    public var batchSize: Int
    /// Tokens per row, padding included (T).
    public var sequenceLength: Int
    /// (B, T) row-major; padded positions hold the padding id.
    public var ids: [Int32]
    /// (B, T) row-major; 1 for a token, 0 for padding.
    public var attentionMask: [Int32]
    /// (B) tokens of each text, specials included, padding excluded.
    public var lengths: [Int]
    /// (B) tokens each text lost to truncation (0 when it fit).
    public var truncatedTokenCounts: [Int]

    public init(batchSize: Int, sequenceLength: Int, ids: [Int32], attentionMask: [Int32],
                lengths: [Int], truncatedTokenCounts: [Int]) {
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.ids = ids
        self.attentionMask = attentionMask
        self.lengths = lengths
        self.truncatedTokenCounts = truncatedTokenCounts
    }

    /// The ids of row `index` without its padding.
    public func unpaddedIds(row index: Int) -> ArraySlice<Int32> {
        let start = index * sequenceLength
        return ids[start ..< start + lengths[index]]
    }
}
