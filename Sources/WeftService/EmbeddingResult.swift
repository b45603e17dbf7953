/// The vectors of one request and what happened on the way.
public struct EmbeddingResult: Sendable {
    /// One vector per text, in request order.
    public var vectors: [[Float]]
    /// Tokens of the texts as the encoder sees them (special tokens included), cache hits counted too.
    public var promptTokens: Int
    /// Per text: content tokens dropped by truncation.
    public var truncatedTokenCounts: [Int]
    /// Per text: windows encoded (1 unless chunked).
    public var chunkCounts: [Int]
    /// Texts served from the embedding cache.
    public var cacheHits: Int
}
