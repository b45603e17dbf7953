import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft tokenizer encode`: one JSON array of ids (or pieces) per input text.
struct TokenizerEncodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text, one text per line (or JSON lines with --jsonl), to JSON arrays of ids.",
        discussion: """
            Writes one JSON array per input text, in input order: the ids with the special tokens
            the tokenizer adds ([CLS] ... [SEP]), truncated to --max-length, never padded.
            Example:
              echo "Prepaid gift card" | weft tokenizer encode --tokenizer vocab.txt
              [101,3653,4502,3593,4102,2865,102]
            """
    )

    @Option(name: .long, help: "A WordPiece vocab.txt, a SentencePiece .model, or a folder holding spm.model or vocab.txt.")
    var tokenizer: String

    @Option(name: .long, help: "Read this file instead of standard input.")
    var input: String?

    @Option(name: .long, help: "Keep at most this many ids per text, specials included (default: no limit).")
    var maxLength: Int?

    @Option(name: .long, help: "Which end of a long text loses tokens: right or left (default: right).")
    var truncationSide: String = "right"

    @Flag(name: .long, help: "Input lines are JSON objects whose \"text\" field is the text (texts may contain newlines).")
    var jsonl = false

    @Option(name: .long, help: "With --jsonl, the field holding the text (default: text).")
    var field: String = "text"

    @Flag(name: .long, help: "Write pieces (\"[CLS]\", \"▁gift\", \"##s\") instead of ids.")
    var pieces = false

    @Flag(name: .long, help: "Treat a vocab.txt as cased (no lower-casing or accent stripping).")
    var cased = false

    func run() async throws {
        guard let side = TruncationSide(rawValue: truncationSide) else {
            throw ValidationError("--truncation-side must be right or left, not \(truncationSide)")
        }
        if let maxLength, maxLength <= 0 { throw ValidationError("--max-length must be positive") }
        let loaded = try TokenizerLoader.load(path: tokenizer, lowercases: !cased)
        let handle: FileHandle
        let inputName: String
        if let input {
            guard let file = FileHandle(forReadingAtPath: input) else {
                throw TokenizerCommandError("cannot open --input \(input)")
            }
            handle = file
            inputName = input
        } else {
            handle = FileHandle.standardInput
            inputName = "stdin"
        }
        var reader = TokenizerLineReader(handle: handle)
        let writer = TokenizerOutputWriter()
        var lineNumber = 0
        var pending = [String]()
        func flush() throws {
            let encoded = try encode(pending, with: loaded, truncationSide: side)
            for line in encoded { writer.write(line) }
            pending.removeAll(keepingCapacity: true)
        }
        while let line = reader.next() {
            lineNumber += 1
            if jsonl {
                guard line.contains(where: { !$0.isWhitespace }) else { continue }
                pending.append(try Self.text(ofJSONLine: line, field: field, source: inputName, line: lineNumber))
            } else {
                pending.append(line)
            }
            if pending.count == 4096 { try flush() }
        }
        try flush()
        writer.finish()
    }

    /// The texts' JSON arrays, encoded across threads, in input order.
    private func encode(_ texts: [String], with tokenizer: any Tokenizer,
                        truncationSide: TruncationSide) throws -> [String]
    {
        var lines = [String](repeating: "", count: texts.count)
        var failure: (any Error)?
        let failureLock = NSLock()
        lines.withUnsafeMutableBufferPointer { output in
            parallelFor(texts.count, minimumPerChunk: 256) { range in
                for index in range {
                    do {
                        let ids = try tokenizer.encode(texts[index], maxLength: maxLength,
                                                       truncationSide: truncationSide)
                        output[index] = pieces
                            ? Self.jsonArray(ofStrings: ids.map { tokenizer.piece(forId: $0) ?? "" })
                            : "[" + ids.map(String.init).joined(separator: ",") + "]"
                    } catch {
                        failureLock.withLock { failure = failure ?? error }
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        return lines
    }

    static func text(ofJSONLine line: String, field: String, source: String, line number: Int) throws -> String {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            throw TokenizerCommandError("\(source):\(number): not valid JSON")
        }
        guard let record = object as? [String: Any] else {
            throw TokenizerCommandError("\(source):\(number): expected a JSON object with a \"\(field)\" field")
        }
        guard let text = record[field] as? String else {
            throw TokenizerCommandError("\(source):\(number): no string field \"\(field)\"")
        }
        return text
    }

    static func jsonArray(ofStrings strings: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: strings, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Reads "\n"-separated lines from a file handle in 1 MiB chunks, dropping a
/// trailing "\r"; invalid UTF-8 becomes U+FFFD.
struct TokenizerLineReader {
    private let handle: FileHandle
    private var buffer = [UInt8]()
    private var start = 0
    private var finished = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = decode(buffer[start ..< newline])
                start = newline + 1
                return line
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = decode(buffer[start...])
                start = buffer.count
                return line
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { finished = true } else { buffer += chunk }
        }
    }

    private func decode(_ bytes: ArraySlice<UInt8>) -> String {
        let trimmed = bytes.last == 0x0D ? bytes.dropLast() : bytes
        return String(decoding: trimmed, as: UTF8.self)
    }
}

/// Buffers standard output and writes it in large blocks.
final class TokenizerOutputWriter {
    private var buffer = [UInt8]()

    func write(_ line: String) {
        buffer += line.utf8
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { drain() }
    }

    func finish() { drain() }

    private func drain() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
