/// Why a trained model folder cannot be written, read or resumed.
public enum ModelDirectoryError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case corrupt(path: String, reason: String)
    /// `--resume` with settings or data other than the checkpoint's.
    case resumeMismatch(path: String, field: String)
    case unsupportedVersion(path: String, found: Int, supported: Int)

    public var description: String {
        switch self {
        case .missingFile(let p): "\(p) does not exist (is this a folder written by `weft train`?)"
        case .corrupt(let p, let r): "\(p) cannot be read: \(r)"
        case .resumeMismatch(let p, let f):
            "cannot resume from \(p): its \(f) differs from this run's (resume with the same data and settings, or start a fresh --out folder)"
        case .unsupportedVersion(let p, let found, let supported):
            "\(p) is format version \(found); this weft reads version \(supported)"
        }
    }
}
