/// A misuse of the embedding cache or a stored vector that does not fit.
public enum EmbeddingCacheError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidFingerprint(String)
    case invalidDimension(Int)
    case vectorCountMismatch(texts: Int, values: Int, dimension: Int)
    case dimensionMismatch(path: String, model: String, stored: Int, requested: Int)
    case nothingToKeep(path: String, model: String, entries: Int)

    public var description: String {
        switch self {
        case .invalidFingerprint(let text):
            return "\"\(text)\" is not a model fingerprint (64 hexadecimal digits, as weft cache stats prints them)."
        case .invalidDimension(let dimension):
            return "embedding dimension \(dimension) is not positive."
        case .vectorCountMismatch(let texts, let values, let dimension):
            return "\(values) floats are not \(texts) vectors of dimension \(dimension)."
        case .dimensionMismatch(let path, let model, let stored, let requested):
            return "\(path) holds vectors of dimension \(stored) for model \(model), not \(requested); "
                + "the fingerprint does not match this model's configuration."
        case .nothingToKeep(let path, let model, let entries):
            return "\(path) has no cached vectors for model \(model); refusing to delete all \(entries) entries "
                + "(check the fingerprint with weft cache stats)."
        }
    }
}
