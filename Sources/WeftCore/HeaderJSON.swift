/// A JSON value as read from a safetensors header.
///
/// Foundation's `JSONSerialization` keeps the last of two equal keys and turns
/// integers above 2^53 into doubles; a checkpoint header must reject the first
/// and keep the second exact, so the header has its own small strict parser.
/// Objects keep their members in file order so duplicates can be reported.
enum HeaderJSON: Sendable {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    /// The number's text as written, checked against the JSON grammar.
    case number(String)
    case bool(Bool)
    case null

    /// A short name of the value's kind for error messages.
    var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    /// The value as a non-negative integer that fits in `Int`, if it is one.
    /// Fractions and exponents are refused, as a byte offset or dimension
    /// written `1.0` or `1e3` is a sign of a foreign writer gone wrong.
    var nonNegativeInteger: Int? {
        guard case let .number(text) = self else { return nil }
        guard let value = Int(text), value >= 0 else { return nil }
        return value
    }
}

/// Why a header is not valid JSON, and the byte (from the header's start) where that was found.
struct HeaderJSONSyntaxError: Error {
    let offset: Int
    let reason: String
}

/// A recursive-descent parser over UTF-8 bytes that never reads outside its buffer.
struct HeaderJSONParser {
    /// Deeper nesting than this is refused rather than risking the stack on a
    /// corrupt header; a safetensors header nests three levels.
    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses one JSON value that, apart from surrounding whitespace (safetensors
    /// pads headers with spaces), fills `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        let validPrefix = validUTF8PrefixLength(bytes)
        if validPrefix < bytes.count {
            throw HeaderJSONSyntaxError(offset: validPrefix, reason: "the header is not valid UTF-8")
        }
        var parser = HeaderJSONParser(bytes: bytes)
        parser.skipWhitespace()
        if parser.atEnd { throw HeaderJSONSyntaxError(offset: 0, reason: "the header is empty") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if !parser.atEnd { throw parser.error("unexpected \(parser.describeCurrent()) after the end of the JSON value") }
        return value
    }

    /// Bytes before the first invalid UTF-8 sequence (all of them when valid).
    /// The decoder refuses overlong forms and encoded surrogates.
    private static func validUTF8PrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: return offset
            }
        }
    }

    private var atEnd: Bool { position >= bytes.count }

    private func error(_ reason: String) -> HeaderJSONSyntaxError {
        HeaderJSONSyntaxError(offset: position, reason: reason)
    }

    private func describeCurrent() -> String {
        guard !atEnd else { return "end of header" }
        let byte = bytes[position]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        guard !atEnd else { throw error("the header ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: throw error("unexpected \(describeCurrent()) where a value was expected")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(HeaderJSONSyntaxError) {
        let start = position
        for i in 0..<literal.utf8CodeUnitCount {
            guard position < bytes.count, bytes[position] == literal.utf8Start[i] else {
                position = start
                throw error("invalid literal (expected \(literal))")
            }
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(HeaderJSONSyntaxError) {
        guard !atEnd, bytes[position] == byte else { throw error("expected \(what) but found \(describeCurrent())") }
        position += 1
    }

    private mutating func parseObject(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        position += 1  // {
        var members: [(key: String, value: HeaderJSON)] = []
        skipWhitespace()
        if !atEnd, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard !atEnd, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a quoted key but found \(describeCurrent())")
            }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            guard !atEnd else { throw error("the header ends inside an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}' in an object but found \(describeCurrent())")
        }
    }

    private mutating func parseArray(depth: Int) throws(HeaderJSONSyntaxError) -> HeaderJSON {
        position += 1  // [
        var elements: [HeaderJSON] = []
        skipWhitespace()
        if !atEnd, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard !atEnd else { throw error("the header ends inside an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array but found \(describeCurrent())")
        }
    }

    private mutating func parseNumber() throws(HeaderJSONSyntaxError) -> String {
        let start = position
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else { throw error("a number needs a digit after '-'") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(position) { throw error("numbers may not have leading zeros") }
        } else {
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else { throw error("a number needs digits after '.'") }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard isDigit(position) else { throw error("a number needs digits in its exponent") }
            while isDigit(position) { position += 1 }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func parseString() throws(HeaderJSONSyntaxError) -> String {
        let opening = position
        position += 1  // "
        var result = ""
        var runStart = position
        func flushRun(upTo end: Int) {
            if end > runStart {
                result += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[runStart..<end]), as: UTF8.self)
            }
        }
        while true {
            guard position < bytes.count else {
                throw HeaderJSONSyntaxError(offset: opening, reason: "a string starting here is not closed")
            }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                flushRun(upTo: position)
                position += 1
                return result
            }
            if byte < 0x20 { throw error("a control character (0x\(String(byte, radix: 16))) inside a string must be escaped") }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            flushRun(upTo: position)
            position += 1
            guard position < bytes.count else { throw error("the header ends inside an escape") }
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "\""): result += "\""
            case UInt8(ascii: "\\"): result += "\\"
            case UInt8(ascii: "/"): result += "/"
            case UInt8(ascii: "b"): result += "\u{08}"
            case UInt8(ascii: "f"): result += "\u{0C}"
            case UInt8(ascii: "n"): result += "\n"
            case UInt8(ascii: "r"): result += "\r"
            case UInt8(ascii: "t"): result += "\t"
            case UInt8(ascii: "u"): result.unicodeScalars.append(try parseUnicodeEscape())
            default:
                position -= 1
                throw error("invalid escape '\\\(describeCurrent())' in a string")
            }
            runStart = position
        }
    }

    /// Reads the `XXXX` of `\uXXXX` (and a following low surrogate when the
    /// first is a high surrogate).
    private mutating func parseUnicodeEscape() throws(HeaderJSONSyntaxError) -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                  bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("a high surrogate \\u escape is not followed by a low surrogate")
            }
            position += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw error("invalid low surrogate in a \\u escape") }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else { throw error("invalid \\u escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw error("a lone surrogate in a \\u escape") }
        return scalar
    }

    private mutating func parseHex4() throws(HeaderJSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw error("the header ends inside a \\u escape") }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw error("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

extension HeaderJSON {
    /// The value as compact JSON text, cut at `limit` characters, for error messages.
    func rendered(limit: Int = 60) -> String {
        var text = ""
        render(into: &text, limit: limit)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    private func render(into text: inout String, limit: Int) {
        if text.count > limit { return }
        switch self {
        case let .object(members):
            text += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { text += "," }
                HeaderJSON.string(member.key).render(into: &text, limit: limit)
                text += ":"
                member.value.render(into: &text, limit: limit)
                if text.count > limit { return }
            }
            text += "}"
        case let .array(elements):
            text += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { text += "," }
                element.render(into: &text, limit: limit)
                if text.count > limit { return }
            }
            text += "]"
        case let .string(value): text += HeaderJSON.quoted(value)
        case let .number(value): text += value
        case let .bool(value): text += value ? "true" : "false"
        case .null: text += "null"
        }
    }

    /// `value` as a JSON string literal: quotes, backslashes and control
    /// characters escaped, everything else written as UTF-8.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
