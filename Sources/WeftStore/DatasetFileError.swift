/// A dataset file that cannot be read at all (as opposed to one bad line in it).
public enum DatasetFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case corruptCompressed(path: String, reason: String)
    case lineTooLong(path: String, line: Int, limit: Int)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "\(path) cannot be opened: \(reason)."
        case .cannotRead(let path, let reason): return "\(path) cannot be read: \(reason)."
        case .corruptCompressed(let path, let reason): return "\(path) is not a valid gzip file: \(reason)."
        case .lineTooLong(let path, let line, let limit):
            return "\(path):\(line): the line is longer than \(limit / (1 << 20)) MiB; is this a JSON-lines file?"
        case .cannotWrite(let path, let reason):
            return "\(path) cannot be written: \(reason); files already in its folder were left as they were."
        }
    }
}
