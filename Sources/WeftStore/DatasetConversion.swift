import Foundation

/// A conversion that cannot produce a dataset.
public enum ConversionError: Error, Equatable, Sendable, CustomStringConvertible {
    case rejected(input: String, badLines: Int, firstIssue: LineIssue)
    case invalidJSONFile(path: String, line: Int, reason: String)
    case unexpectedContent(path: String, reason: String)

    public var description: String {
        switch self {
        case .rejected(let input, let badLines, let firstIssue):
            return "\(input) has \(badLines) bad line\(badLines == 1 ? "" : "s") (first: \(firstIssue)); "
                + "no dataset was written (use --on-error skip to convert the good lines)."
        case .invalidJSONFile(let path, let line, let reason): return "\(path):\(line): \(reason)."
        case .unexpectedContent(let path, let reason): return "\(path): \(reason)."
        }
    }
}

/// What a converter wrote and what it left out, and why.
public struct ConversionSummary: Sendable {
    public var rowCounts: [String: Int] = [:]
    public var badLines = 0
    public var badLinesByKind: [LineIssue.Kind: Int] = [:]
    /// Source rows left out on purpose (say, links to products outside the catalog), one sentence each.
    public var notes: [String] = []
}

/// Runs one converter: collects bad lines under the error policy, and
/// publishes the written files only when the conversion is accepted.
public final class DatasetConversion {
    public let policy: ErrorPolicy
    public let writer: DatasetWriter
    private let reportIssue: (LineIssue) -> Void
    private(set) var summary = ConversionSummary()
    private var firstIssue: LineIssue?

    init(output: String, policy: ErrorPolicy, reportIssue: @escaping (LineIssue) -> Void) throws {
        self.policy = policy
        self.reportIssue = reportIssue
        writer = try DatasetWriter(directory: output)
    }

    func record(_ issue: LineIssue) {
        summary.badLines += 1
        summary.badLinesByKind[issue.kind, default: 0] += 1
        if firstIssue == nil { firstIssue = issue }
        reportIssue(issue)
    }

    func record(_ issue: FieldIssueError, file: String, line: Int) {
        record(issue.at(file: file, line: line))
    }

    func note(_ sentence: String) { summary.notes.append(sentence) }

    /// Runs `body`, then publishes or discards the output.
    static func run(
        input: String, output: String, policy: ErrorPolicy, reportIssue: @escaping (LineIssue) -> Void,
        _ body: (DatasetConversion) throws -> Void
    ) throws -> ConversionSummary {
        let conversion = try DatasetConversion(output: output, policy: policy, reportIssue: reportIssue)
        do {
            try body(conversion)
            if policy == .reject, let firstIssue = conversion.firstIssue {
                throw ConversionError.rejected(input: input, badLines: conversion.summary.badLines, firstIssue: firstIssue)
            }
            try conversion.writer.finish()
        } catch {
            conversion.writer.discard()
            throw error
        }
        var summary = conversion.summary
        summary.rowCounts = conversion.writer.rowCounts
        return summary
    }

    /// Reads `path` line by line, skipping the first `headerLines`, and hands each
    /// line (valid UTF-8 or decoded as `fallback`) to `body`; a `FieldIssueError`
    /// thrown by `body` becomes a reported bad line.
    func forEachLine(
        of path: String, headerLines: Int = 0, latin1Fallback: Bool = false,
        _ body: (Int, String) throws -> Void
    ) throws {
        try LineReader(path: path).forEachLine { number, bytes in
            if number <= headerLines { return }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let text: String
            if let offset = UTF8Validation.firstInvalidOffset(bytes) {
                guard latin1Fallback else {
                    record(LineIssue(file: path, line: number, field: "line", kind: .invalidUTF8,
                                     reason: "invalid UTF-8 at byte \(offset + 1)"))
                    return
                }
                text = String(bytes.map { Character(Unicode.Scalar($0)) })
            } else {
                text = String(decoding: bytes, as: UTF8.self)
            }
            do {
                try body(number, text)
            } catch let issue as FieldIssueError {
                record(issue, file: path, line: number)
            }
        }
    }

    /// Like `forEachLine`, with each line parsed as JSON.
    func forEachJSONLine(of path: String, _ body: (Int, JSONValue) throws -> Void) throws {
        try LineReader(path: path).forEachLine { number, bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            if let offset = UTF8Validation.firstInvalidOffset(bytes) {
                record(LineIssue(file: path, line: number, field: "line", kind: .invalidUTF8,
                                 reason: "invalid UTF-8 at byte \(offset + 1)"))
                return
            }
            do {
                try body(number, try JSONLineParser.parse(bytes))
            } catch let error as JSONSyntaxError {
                record(LineIssue(file: path, line: number, field: "line", kind: .invalidJSON, reason: error.description))
            } catch let issue as FieldIssueError {
                record(issue, file: path, line: number)
            }
        }
    }
}

/// Reads a whole JSON file (an id map or attribute table, not a JSON-lines file).
enum JSONDocument {
    static func read(_ path: String) throws -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DatasetFileError.cannotOpen(path: path, reason: "it does not exist or is not readable")
        }
        let array = [UInt8](data)
        return try array.withUnsafeBufferPointer { (bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue in
            if let offset = UTF8Validation.firstInvalidOffset(bytes) {
                throw ConversionError.invalidJSONFile(
                    path: path, line: lineNumber(bytes, offset), reason: "invalid UTF-8 at byte \(offset + 1)")
            }
            do {
                return try JSONLineParser.parse(bytes)
            } catch let error as JSONSyntaxError {
                throw ConversionError.invalidJSONFile(path: path, line: lineNumber(bytes, error.offset), reason: error.description)
            }
        }
    }

    private static func lineNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Int {
        1 + bytes[0..<min(offset, bytes.count)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}

/// Splits a delimited text line into fields.
enum DelimitedLine {
    /// Fields separated by runs of tabs or spaces (the S3-Rec and Tang files).
    static func whitespaceFields(_ line: String) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    /// Fields separated by single tabs, empty fields kept (the HetRec files, whose names contain spaces).
    static func tabFields(_ line: String) -> [Substring] {
        line.split(separator: "\t", omittingEmptySubsequences: false)
    }

    static func integer(_ field: Substring, name: String) throws(FieldIssueError) -> Int64 {
        guard let value = Int64(field) else {
            throw FieldIssueError(field: name, kind: .wrongType, reason: "expected an integer, found \"\(field)\"")
        }
        return value
    }
}
