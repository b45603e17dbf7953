/// What can go wrong preparing or running pretraining and fine-tuning; each
/// case names the file, line, field or option at fault.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An option is out of range or inconsistent with another.
    case invalidOption(name: String, reason: String)
    /// The corpus holds too little text for what was asked.
    case insufficientData(reason: String)
    /// The tokenizer lacks a token training needs (e.g. `[MASK]`).
    case missingSpecialToken(token: String, tokenizer: String)
    /// A file could not be read, or its content is malformed.
    case unreadableFile(file: String, reason: String)
    /// A line of a JSON-lines file is malformed (1-based line number).
    case invalidLine(file: String, line: Int, reason: String)
    /// A file or folder could not be written.
    case unwritableFile(file: String, reason: String)
    /// A checkpoint does not belong to this run or is damaged.
    case incompatibleCheckpoint(directory: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, reason): "option \(name): \(reason)"
        case let .insufficientData(reason): "not enough training data: \(reason)"
        case let .missingSpecialToken(token, tokenizer): "tokenizer \(tokenizer) has no \(token) token"
        case let .unreadableFile(file, reason): "cannot read \(file): \(reason)"
        case let .invalidLine(file, line, reason): "\(file):\(line): \(reason)"
        case let .unwritableFile(file, reason): "cannot write \(file): \(reason)"
        case let .incompatibleCheckpoint(directory, reason): "checkpoint \(directory) cannot be resumed: \(reason)"
        }
    }
}
