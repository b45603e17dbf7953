import Foundation

/// Reads a text file (plain or gzip, detected by its first bytes) one line at a
/// time through a fixed buffer, so memory stays flat whatever the file size.
///
/// Lines end with LF or CRLF; the last line may lack its newline; a UTF-8 byte
/// order mark at the start is dropped. Line numbers start at 1 and count every
/// line, blank ones included, so they match what an editor shows.
public final class LineReader {
    /// Longer lines are an error: a JSON-lines file with a 64 MiB line is almost surely something else.
    public static let maximumLineLength = 64 << 20

    public let path: String
    private let source: any ByteSource
    private var buffer: UnsafeMutableRawBufferPointer

    public init(path: String, bufferSize: Int = 1 << 20) throws(DatasetFileError) {
        self.path = path
        let file = try FileByteSource(path: path)
        source = file.startsWithGzipMagic() ? try GzipByteSource(file: file) : file
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 16), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` with each line's number and bytes (without the line ending).
    /// The bytes are only valid during the call.
    public func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var start = 0
        var end = 0
        var scanFrom = 0
        var lineNumber = 0
        var reachedEnd = false
        while true {
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if scanFrom < end, let newline = memchr(base + scanFrom, 0x0A, end - scanFrom) {
                let newlineIndex = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                lineNumber += 1
                try deliver(base, start, newlineIndex, lineNumber, body)
                start = newlineIndex + 1
                scanFrom = start
                continue
            }
            if reachedEnd {
                if start < end {
                    lineNumber += 1
                    try deliver(base, start, end, lineNumber, body)
                }
                return
            }
            if start > 0 {
                memmove(base, base + start, end - start)
                end -= start
                start = 0
            }
            scanFrom = end
            if end == buffer.count {
                if buffer.count >= LineReader.maximumLineLength {
                    throw DatasetFileError.lineTooLong(path: path, line: lineNumber + 1, limit: LineReader.maximumLineLength)
                }
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                larger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                buffer.deallocate()
                buffer = larger
                continue
            }
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if count == 0 { reachedEnd = true }
            end += count
        }
    }

    private func deliver(
        _ base: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, _ lineNumber: Int,
        _ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var first = start
        var last = end
        if last > first && base[last - 1] == 0x0D { last -= 1 }
        if lineNumber == 1 && last - first >= 3 && base[first] == 0xEF && base[first + 1] == 0xBB && base[first + 2] == 0xBF {
            first += 3
        }
        try body(lineNumber, UnsafeBufferPointer(start: base + first, count: last - first))
    }
}
