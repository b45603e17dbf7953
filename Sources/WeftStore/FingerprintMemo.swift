import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Remembers, inside a store, the fingerprint of model files by their `stat`
/// signature, so a run whose texts are all cached does not spend most of its
/// time hashing a model's weights (≈ 90 MB for all-MiniLM-L6-v2) again.
///
/// The signature holds device, inode, size and the modification and
/// status-change times in nanoseconds of each file. Rewriting a file (a
/// retrained model saved in place, a copy, `touch`) changes at least one of
/// them, and the status-change time cannot be set back by any tool, so a
/// stale fingerprint is never returned; the worst case is one extra hash.
public struct FingerprintMemo: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// The fingerprint of (configuration, weights), from the memo when neither file changed since it was
    /// hashed, else hashed and remembered. A store opened read-only is only read.
    public func fingerprint(configurationFile: String, weightsFile: String) throws -> ModelFingerprint {
        let files = [configurationFile, weightsFile].map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let key = files.joined(separator: "\n")
        guard let signature = Self.signature(of: files) else {
            // A file cannot be stat'ed: hashing reports which one, with its own clear error.
            return try ModelFingerprint(configurationFile: configurationFile, weightsFile: weightsFile)
        }
        let remembered = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT signature, fingerprint FROM model_fingerprint_memo WHERE files = ?",
                             arguments: [key])
        }
        if let remembered, (remembered["signature"] as String) == signature,
           let fingerprint = try? ModelFingerprint(hex: remembered["fingerprint"]) {
            return fingerprint
        }
        let fingerprint = try ModelFingerprint(configurationFile: configurationFile, weightsFile: weightsFile)
        // The files may have changed while being hashed; remember only a signature that held throughout.
        guard Self.signature(of: files) == signature, !store.options.readOnly else { return fingerprint }
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO model_fingerprint_memo (files, signature, fingerprint) VALUES (?, ?, ?)
                ON CONFLICT(files) DO UPDATE SET signature = excluded.signature, fingerprint = excluded.fingerprint
                """, arguments: [key, signature, fingerprint.hex])
        }
        return fingerprint
    }

    /// "dev:ino:size:mtime_ns:ctime_ns" per file, or nil when one cannot be stat'ed.
    static func signature(of files: [String]) -> String? {
        var parts: [String] = []
        for path in files {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            let changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
            parts.append("\(info.st_dev):\(info.st_ino):\(info.st_size):\(modified):\(changed)")
        }
        return parts.joined(separator: "|")
    }
}
