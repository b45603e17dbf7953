/// Why a tokenizer could not be loaded, trained or used.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// A vocabulary file is malformed at `line` (1-based).
    case invalidVocabulary(path: String, line: Int, reason: String)
    /// The vocabulary lacks a special token the tokenizer needs.
    case missingSpecialToken(token: String, path: String)
    /// libsentencepiece reported a failure; `code` is its status code.
    case sentencePiece(operation: String, code: Int32, message: String)
    /// An id outside `0 ..< vocabularySize`.
    case idOutOfRange(id: Int32, vocabularySize: Int)
    /// A caller-supplied argument is unusable; `reason` names it.
    case invalidArgument(reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "tokenizer file \(path) does not exist"
        case .unreadableFile(let path, let reason):
            return "cannot read tokenizer file \(path): \(reason)"
        case .invalidVocabulary(let path, let line, let reason):
            return "\(path):\(line): invalid vocabulary entry: \(reason)"
        case .missingSpecialToken(let token, let path):
            return "vocabulary \(path) has no \(token) token"
        case .sentencePiece(let operation, let code, let message):
            return "SentencePiece failed \(operation) (status \(code)): \(message)"
        case .idOutOfRange(let id, let vocabularySize):
            return "token id \(id) is outside the vocabulary (0..<\(vocabularySize))"
        case .invalidArgument(let reason):
            return reason
        }
    }
}
