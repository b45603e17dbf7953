import Foundation

/// Buffers JSON lines of `weft embed` and writes them to a file or standard output.
final class EmbeddingWriter {
    private let handle: FileHandle
    private let name: String
    private var buffer: [UInt8] = []

    init(path: String?) throws(EmbeddingOutputError) {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else { throw .unwritable(file: path) }
            self.handle = handle
            name = path
        } else {
            handle = .standardOutput
            name = "standard output"
        }
    }

    /// Appends {"text": ..., ["id": ...,] "embedding": [...]} and a newline.
    func appendLine(text: String, id: String?, vector: UnsafePointer<Float>, dimension: Int) {
        buffer.append(contentsOf: #"{"text":"#.utf8)
        JSONText.appendQuoted(text, to: &buffer)
        if let id {
            buffer.append(contentsOf: #","id":"#.utf8)
            buffer.append(contentsOf: id.utf8)
        }
        buffer.append(contentsOf: #","embedding":["#.utf8)
        for i in 0..<dimension {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            // Swift prints the shortest decimal that reads back as the same Float.
            buffer.append(contentsOf: vector[i].description.utf8)
        }
        buffer.append(contentsOf: "]}\n".utf8)
    }

    func flush() throws(EmbeddingOutputError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { throw .writeFailed(file: name, reason: "\(error)") }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(EmbeddingOutputError) {
        try flush()
        if handle !== FileHandle.standardOutput {
            do { try handle.close() } catch { throw .writeFailed(file: name, reason: "\(error)") }
        }
    }
}

enum EmbeddingOutputError: Error, CustomStringConvertible {
    case unwritable(file: String)
    case writeFailed(file: String, reason: String)

    var description: String {
        switch self {
        case let .unwritable(file): "cannot create \(file)"
        case let .writeFailed(file, reason): "cannot write to \(file): \(reason)"
        }
    }
}

/// JSON string literals without a round trip through JSONSerialization.
enum JSONText {
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func quoted(_ s: String) -> String {
        var bytes: [UInt8] = []
        appendQuoted(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
