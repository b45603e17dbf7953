import Foundation
import GRDB

/// A failure of the Weft database, described in one sentence that names the file.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case missing(path: String)
    case notADatabase(path: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case schemaNotCurrent(path: String, found: Int, supported: Int)
    case readOnly(path: String)
    case locked(path: String, waitedSeconds: Double)
    case diskFull(path: String)
    case corrupt(path: String, message: String)
    case cannotOpen(path: String, reason: String)
    case sqlite(path: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path) does not exist; import a dataset into it first (weft import --db \(path))."
        case .notADatabase(let path):
            return "\(path) is not a Weft database (it is not an SQLite file); it was left untouched."
        case .newerSchema(let path, let found, let supported):
            return "\(path) has schema version \(found), newer than the version \(supported) this weft understands; "
                + "upgrade weft to open it (the file was left untouched)."
        case .schemaNotCurrent(let path, let found, let supported):
            return "\(path) has schema version \(found) but this weft needs \(supported); "
                + "open it once without read-only mode to upgrade it."
        case .readOnly(let path):
            return "\(path) is read-only (file permissions, a read-only mount, or opened read-only); nothing was written."
        case .locked(let path, let waitedSeconds):
            return "\(path) is locked by another writer (waited \(String(format: "%.1f", waitedSeconds)) s); "
                + "nothing was written, try again when it is done."
        case .diskFull(let path):
            return "The disk holding \(path) is full (or the database reached its size limit); "
                + "the unfinished change was rolled back and everything stored before it is intact."
        case .corrupt(let path, let message):
            return "\(path) is damaged (SQLite: \(message)); restore it from a copy."
        case .cannotOpen(let path, let reason):
            return "\(path) cannot be opened: \(reason)."
        case .sqlite(let path, let code, let message):
            return "\(path): SQLite error \(code): \(message)."
        }
    }

    /// Maps any error thrown by GRDB while working on `path` to a `StoreError`;
    /// errors that already are typed (store, import, cache) pass through unchanged.
    static func wrapping(_ error: any Error, path: String, busyTimeout: Double) -> any Error {
        guard let databaseError = error as? DatabaseError else { return error }
        let message = databaseError.message ?? "\(databaseError.resultCode)"
        switch databaseError.resultCode {
        case .SQLITE_NOTADB: return StoreError.notADatabase(path: path)
        case .SQLITE_READONLY: return StoreError.readOnly(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.locked(path: path, waitedSeconds: busyTimeout)
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_CORRUPT: return StoreError.corrupt(path: path, message: message)
        case .SQLITE_CANTOPEN: return StoreError.cannotOpen(path: path, reason: message)
        default:
            return StoreError.sqlite(path: path, code: databaseError.resultCode.rawValue, message: message)
        }
    }
}
