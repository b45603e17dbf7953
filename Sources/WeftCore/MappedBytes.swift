#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that stay valid while this object lives: a memory mapping
/// of a file, unmapped in `deinit`, or a private copy of a buffer.
///
/// Mapping lets a reader pull in only the tensors it asks for, straight from
/// the page cache. As with any mapping, another process truncating the file
/// while it is mapped makes later reads fault; Weft's own writers replace
/// files by renaming, which leaves an open mapping intact.
final class MappedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let isMapping: Bool

    /// Maps the whole regular file at `path`. `name` is the file as error messages show it.
    init(mappingFileAt path: String, name: String) throws(SafetensorsError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(file: name, reason: Self.lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .cannotOpen(file: name, reason: Self.lastErrorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .cannotOpen(file: name, reason: "it is not a regular file") }
        let size = Int(status.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            isMapping = false
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
              address != MAP_FAILED else {
            throw .cannotOpen(file: name, reason: "mmap failed: \(Self.lastErrorText())")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        isMapping = true
    }

    /// A private, 64-byte aligned copy of `source`.
    init(copying source: UnsafeRawBufferPointer) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        if let base = source.baseAddress, source.count > 0 {
            copy.baseAddress!.copyMemory(from: base, byteCount: source.count)
        }
        bytes = UnsafeRawBufferPointer(start: copy.baseAddress, count: source.count)
        isMapping = false
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapping {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    static func lastErrorText() -> String { String(cString: strerror(errno)) }
}
