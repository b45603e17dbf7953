import CZlib
import Foundation

/// A stream of bytes read in chunks: a plain file or a gzip file.
protocol ByteSource: AnyObject {
    /// Fills as much of `buffer` as is available and returns the count; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetFileError) -> Int
}

/// Reads a file with `read(2)`, so memory use does not depend on the file size.
final class FileByteSource: ByteSource {
    let path: String
    private let descriptor: Int32

    init(path: String) throws(DatasetFileError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DatasetFileError.cannotOpen(path: path, reason: "it is a folder")
        }
        descriptor = open(path, O_RDONLY)
        if descriptor < 0 { throw DatasetFileError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetFileError) -> Int {
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw DatasetFileError.cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// True when the file starts with the gzip magic bytes; leaves the read position at the start.
    func startsWithGzipMagic() -> Bool {
        var magic: (UInt8, UInt8) = (0, 0)
        let count = withUnsafeMutableBytes(of: &magic) { pread(descriptor, $0.baseAddress, 2, 0) }
        return count == 2 && magic.0 == 0x1F && magic.1 == 0x8B
    }
}

/// Inflates a gzip file (including concatenated gzip members) through zlib as it is read.
final class GzipByteSource: ByteSource {
    private let file: FileByteSource
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var inputExhausted = false
    private var finished = false

    init(file: FileByteSource) throws(DatasetFileError) {
        self.file = file
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
        // 15 window bits + 16: expect a gzip header (not raw zlib).
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        if status != Z_OK {
            input.deallocate()
            throw DatasetFileError.corruptCompressed(path: file.path, reason: "zlib could not start (\(status))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetFileError) -> Int {
        if finished { return 0 }
        stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(buffer.count)
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputExhausted {
                let count = try file.read(into: input)
                if count == 0 { inputExhausted = true }
                stream.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(count)
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                // Another gzip member may follow; otherwise this is the end.
                if stream.avail_in == 0 {
                    let count = try file.read(into: input)
                    if count == 0 {
                        finished = true
                        break
                    }
                    stream.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = uInt(count)
                }
                inflateReset(&stream)
                continue
            }
            if status == Z_BUF_ERROR && inputExhausted && stream.avail_in == 0 {
                throw DatasetFileError.corruptCompressed(path: file.path, reason: "it ends in the middle of the data")
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DatasetFileError.corruptCompressed(path: file.path, reason: reason)
            }
        }
        return buffer.count - Int(stream.avail_out)
    }
}
