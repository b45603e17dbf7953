/// Why a dataset folder could not be read, naming the file, line and field.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case unreadableFile(path: String, reason: String)
    case invalidJSON(file: String, line: Int, reason: String)
    case missingField(file: String, line: Int, field: String)
    case wrongType(file: String, line: Int, field: String, expected: String)
    case unknownProduct(file: String, line: Int, field: String, id: String)
    case empty(path: String)
    /// A trained model names a node the data it is opened with lacks.
    case modelNodeMissing(kind: String, id: String)

    public var description: String {
        switch self {
        case .missingFile(let p): "\(p) does not exist (products.jsonl and interactions.jsonl are required)"
        case .unreadableFile(let p, let r): "\(p) cannot be read: \(r)"
        case .invalidJSON(let f, let l, let r): "\(f):\(l): invalid JSON: \(r)"
        case .missingField(let f, let l, let field): "\(f):\(l): missing field '\(field)'"
        case .wrongType(let f, let l, let field, let e): "\(f):\(l): field '\(field)' must be \(e)"
        case .unknownProduct(let f, let l, let field, let id): "\(f):\(l): field '\(field)' names unknown product '\(id)'"
        case .empty(let p): "\(p) has no records"
        case .modelNodeMissing(let kind, let id):
            "the model was trained with \(kind) '\(id)', which the data it is opened with does not have (was it trained on another dataset?)"
        }
    }
}
