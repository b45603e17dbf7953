#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces a file by writing a temporary sibling, flushing it and renaming it into place.
enum AtomicFileWriter {
    static func write(to url: URL, body: (Int32) throws(SafetensorsError) -> Void) throws(SafetensorsError) {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        // Uniqueness only (O_EXCL guards the rest), not a modelling choice, so no seeded generator.
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .writeFailed(file: path, reason: "cannot create a temporary file in \(directory): \(MappedBytes.lastErrorText())")
        }
        var closed = false
        do throws(SafetensorsError) {
            try body(descriptor)
            guard fsync(descriptor) == 0 else {
                throw SafetensorsError.writeFailed(file: path, reason: "flushing to disk failed: \(MappedBytes.lastErrorText())")
            }
            closed = true
            guard close(descriptor) == 0 else {
                throw SafetensorsError.writeFailed(file: path, reason: "closing failed: \(MappedBytes.lastErrorText())")
            }
            guard rename(temporary, path) == 0 else {
                throw SafetensorsError.writeFailed(file: path, reason: "renaming into place failed: \(MappedBytes.lastErrorText())")
            }
        } catch {
            if !closed { close(descriptor) }
            unlink(temporary)
            throw error
        }
        // The rename itself is durable only once the directory is flushed.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// The `write(2)` system call, out from under this type's own `write`.
    private static func systemWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, pointer, count)
        #elseif canImport(Musl)
        Musl.write(descriptor, pointer, count)
        #else
        Darwin.write(descriptor, pointer, count)
        #endif
    }

    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, file: String) throws(SafetensorsError) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(file: file, reason: MappedBytes.lastErrorText())
            }
            pointer += written
            remaining -= written
        }
    }
}
