import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted for one test, where the machine allows it (root in a
/// container with CAP_SYS_ADMIN); tests that need it are skipped elsewhere.
final class TemporaryMount: @unchecked Sendable {
    let path: String

    /// Whether mounting works here, probed once.
    static let isAvailable: Bool = {
        #if os(Linux)
        guard getuid() == 0, let probe = try? TemporaryMount(sizeBytes: 64 << 10) else { return false }
        _ = probe
        return true
        #else
        return false
        #endif
    }()

    init(sizeBytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("weft-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #if os(Linux)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(sizeBytes)") == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw CocoaError(.fileWriteNoPermission)
        }
        #else
        throw CocoaError(.featureUnsupported)
        #endif
    }

    func remountReadOnly() -> Bool {
        #if os(Linux)
        return mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), nil) == 0
        #else
        return false
        #endif
    }

    deinit {
        #if os(Linux)
        _ = umount2(path, Int32(MNT_DETACH))
        #endif
        try? FileManager.default.removeItem(atPath: path)
    }
}
