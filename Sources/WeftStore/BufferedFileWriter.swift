import Foundation

/// Appends bytes to a file through a 1 MiB buffer with `write(2)`, reporting
/// a full disk or any other write failure as a typed error naming the file.
final class BufferedFileWriter {
    let path: String
    /// The name errors give: the file this one will become.
    let displayPath: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    init(path: String, displayPath: String? = nil) throws(DatasetFileError) {
        self.path = path
        self.displayPath = displayPath ?? path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor < 0 {
            throw DatasetFileError.cannotWrite(path: displayPath ?? path, reason: String(cString: strerror(errno)))
        }
        buffer.reserveCapacity(BufferedFileWriter.flushThreshold + 4096)
    }

    deinit { close(descriptor) }

    func append(_ bytes: [UInt8]) throws(DatasetFileError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= BufferedFileWriter.flushThreshold { try flush() }
    }

    func flush() throws(DatasetFileError) {
        var written = 0
        let failure: Int32? = buffer.withUnsafeBytes { raw in
            while written < raw.count {
                let count = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += count
            }
            return nil
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure {
            throw DatasetFileError.cannotWrite(path: displayPath, reason: String(cString: strerror(failure)))
        }
    }

    /// Flushes and forces the bytes to disk, so a rename after it publishes a complete file.
    func synchronize() throws(DatasetFileError) {
        try flush()
        if fsync(descriptor) != 0 {
            throw DatasetFileError.cannotWrite(path: displayPath, reason: String(cString: strerror(errno)))
        }
    }
}
