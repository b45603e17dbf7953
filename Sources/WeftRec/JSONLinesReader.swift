import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Streams a JSON-lines file one object at a time (constant memory) and
/// hashes its exact bytes with SHA-256 on the way.
struct JSONLinesReader {
    let path: String
    let fileName: String

    init(path: String) {
        self.path = path
        fileName = (path as NSString).lastPathComponent
    }

    /// Calls `body(lineNumber, object)` for every non-blank line; returns the
    /// file's SHA-256 in hex.
    func forEachObject(_ body: (Int, [String: Any]) throws -> Void) throws -> String {
        guard let file = fopen(path, "rb") else {
            throw DatasetError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var hasher = SHA256()
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        var lineNumber = 0
        while true {
            let n = getline(&buffer, &capacity, file)
            if n < 0 {
                if ferror(file) != 0 { throw DatasetError.unreadableFile(path: path, reason: "read error") }
                break
            }
            lineNumber += 1
            guard let raw = buffer else { continue }
            let bytes = UnsafeRawBufferPointer(start: raw, count: n)
            hasher.update(bufferPointer: bytes)
            var end = n
            while end > 0, raw[end - 1] == 0x0A || raw[end - 1] == 0x0D { end -= 1 }
            var start = 0
            if lineNumber == 1, end >= 3, UInt8(bitPattern: raw[0]) == 0xEF, UInt8(bitPattern: raw[1]) == 0xBB,
               UInt8(bitPattern: raw[2]) == 0xBF { start = 3 }
            var blank = true
            for i in start..<end where raw[i] != 0x20 && raw[i] != 0x09 { blank = false; break }
            if blank { continue }
            let data = Data(bytesNoCopy: raw + start, count: end - start, deallocator: .none)
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: data)
            } catch {
                throw DatasetError.invalidJSON(file: fileName, line: lineNumber, reason: Self.reason(error))
            }
            guard let dictionary = object as? [String: Any] else {
                throw DatasetError.invalidJSON(file: fileName, line: lineNumber, reason: "the line is not a JSON object")
            }
            try body(lineNumber, dictionary)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private static func reason(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }
}

/// Typed field access on one parsed line, with errors naming file, line and field.
struct JSONLineFields {
    let object: [String: Any]
    let file: String
    let line: Int

    /// A required id: a string, or an integer written as a number.
    func id(_ field: String) throws -> String {
        guard let value = object[field], !(value is NSNull) else {
            throw DatasetError.missingField(file: file, line: line, field: field)
        }
        if let s = value as? String, !s.isEmpty { return s }
        if let n = value as? NSNumber, !Self.isBoolean(n), n.doubleValue == n.doubleValue.rounded() {
            return String(n.int64Value)
        }
        throw DatasetError.wrongType(file: file, line: line, field: field, expected: "a non-empty string")
    }

    func optionalString(_ field: String) throws -> String? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        if let s = value as? String { return s }
        if let list = value as? [Any], list.allSatisfy({ $0 is String }) {
            // Amazon metadata writes descriptions as lists of paragraphs.
            return (list as! [String]).joined(separator: " ")
        }
        throw DatasetError.wrongType(file: file, line: line, field: field, expected: "a string")
    }

    func stringList(_ field: String) throws -> [String] {
        guard let value = object[field], !(value is NSNull) else { return [] }
        if let s = value as? String { return [s] }
        guard let list = value as? [Any] else {
            throw DatasetError.wrongType(file: file, line: line, field: field, expected: "a list of strings")
        }
        var out: [String] = []
        for item in list {
            if let s = item as? String { out.append(s) } else if let nested = item as? [Any] {
                // Category paths may come as lists of lists; flatten them.
                for n in nested {
                    guard let s = n as? String else {
                        throw DatasetError.wrongType(file: file, line: line, field: field, expected: "a list of strings")
                    }
                    out.append(s)
                }
            } else {
                throw DatasetError.wrongType(file: file, line: line, field: field, expected: "a list of strings")
            }
        }
        return out
    }

    /// JSON true/false arrive as NSNumber too; their type code is "c".
    static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    func optionalNumber(_ field: String) throws -> Double? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        if let n = value as? NSNumber, !Self.isBoolean(n) { return n.doubleValue }
        throw DatasetError.wrongType(file: file, line: line, field: field, expected: "a number")
    }
}
