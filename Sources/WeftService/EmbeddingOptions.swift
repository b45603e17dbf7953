import WeftText

/// How one request wants its texts embedded.
public struct EmbeddingOptions: Sendable, Equatable {
    /// What to do with a text longer than the model's maximum length.
    public enum LongTexts: Sendable, Equatable {
        case truncate(TruncationSide)
        /// Encode overlapping windows and pool them into one vector.
        case chunk
        /// Answer 422 naming the text.
        case refuse
    }

    /// Scale vectors to unit length (nil: the model's pooling settings).
    public var normalize: Bool?
    public var longTexts: LongTexts

    public init(normalize: Bool? = nil, longTexts: LongTexts = .truncate(.right)) {
        self.normalize = normalize
        self.longTexts = longTexts
    }
}
