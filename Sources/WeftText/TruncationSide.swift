/// Which end of an over-long text loses its tokens.
public enum TruncationSide: String, Sendable, CaseIterable {
    /// Keep the beginning (Hugging Face's default).
    case right
    /// Keep the end.
    case left
}
