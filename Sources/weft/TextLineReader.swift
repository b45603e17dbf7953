import Foundation

/// Reads a file or standard input line by line in 1 MiB blocks, so a huge
/// input never sits in memory whole. Lines end at "\n"; a trailing "\r" is
/// dropped; a final line without "\n" still counts.
final class TextLineReader {
    private let handle: FileHandle
    private let name: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var finished = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(path: String?) throws(InputError) {
        if let path {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(file: path) }
            self.handle = handle
            name = path
        } else {
            handle = .standardInput
            name = "standard input"
        }
    }

    /// The next line, or nil at the end of the input.
    func next() throws(InputError) -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = try decode(start..<newline)
                start = newline + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = try decode(start..<buffer.count)
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private func decode(_ range: Range<Int>) throws(InputError) -> String {
        lineNumber += 1
        var end = range.upperBound
        if end > range.lowerBound && buffer[end - 1] == 0x0D { end -= 1 }
        guard let line = String(bytes: buffer[range.lowerBound..<end], encoding: .utf8) else {
            throw .invalidLine(file: name, line: lineNumber, reason: "not valid UTF-8")
        }
        return line
    }
}

/// Why `weft embed` could not read its input.
enum InputError: Error, CustomStringConvertible {
    case unreadable(file: String)
    case invalidLine(file: String, line: Int, reason: String)

    var description: String {
        switch self {
        case let .unreadable(file): "cannot open \(file) for reading"
        case let .invalidLine(file, line, reason): "\(file):\(line): \(reason)"
        }
    }
}
