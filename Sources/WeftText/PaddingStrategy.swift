/// How long the rows of a batch are.
public enum PaddingStrategy: Sendable, Equatable {
    /// As long as the longest row (at most the maximum length).
    case longest
    /// Exactly the maximum length.
    case maximumLength
}
