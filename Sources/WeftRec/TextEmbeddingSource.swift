import Foundation

/// Where a model's text embeddings came from, saved with the model.
public struct TextEmbeddingSource: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// `HashedTextEncoder`, fitted on the training products' text (saved beside the model).
        case hashed
        /// Product vectors read from a JSON-lines file (`identity` is its SHA-256); other texts cannot be encoded.
        case file
        /// A Transformer encoder folder (`identity` is its model fingerprint with the embedding settings).
        case encoder
    }

    public var kind: Kind
    public var dimension: Int
    /// SHA-256 of the file, or the encoder's fingerprint, or the hashed encoder's settings.
    public var identity: String
    /// A readable detail: the path the vectors were read from, the encoder folder.
    public var detail: String

    public init(kind: Kind, dimension: Int, identity: String, detail: String) {
        self.kind = kind
        self.dimension = dimension
        self.identity = identity
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue) (\(dimension) values, \(detail), \(identity))" }
}
