/// The ids of the special tokens a tokenizer uses; nil when its vocabulary has none.
public struct SpecialTokenIds: Sendable, Equatable {
    /// Fills padded positions of a batch (their attention mask is 0).
    public var padding: Int32?
    /// Replaces text the vocabulary cannot express.
    public var unknown: Int32
    /// Put before every sequence: `[CLS]` (for SentencePiece models without one, `<s>` if enabled).
    public var classification: Int32?
    /// Put after every sequence: `[SEP]` (or `</s>`).
    public var separator: Int32?
    /// Masked-language-model target placeholder: `[MASK]`.
    public var mask: Int32?

    public init(padding: Int32?, unknown: Int32, classification: Int32?, separator: Int32?,
                mask: Int32?) {
        self.padding = padding
        self.unknown = unknown
        self.classification = classification
        self.separator = separator
        self.mask = mask
    }

    /// The ids that carry no text: skipped when decoding.
    public var nonTextIds: Set<Int32> {
        Set([padding, classification, separator, mask].compactMap { $0 })
    }
}
