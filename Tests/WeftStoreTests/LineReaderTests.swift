import Foundation
import Testing
@testable import WeftStore

private func readLines(_ bytes: [UInt8], bufferSize: Int = 1 << 20) throws -> [(Int, String)] {
    let folder = try TemporaryDirectory()
    let path = folder.path("input")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    var lines: [(Int, String)] = []
    try LineReader(path: path, bufferSize: bufferSize).forEachLine { number, line in
        lines.append((number, String(decoding: line, as: UTF8.self)))
    }
    return lines
}

@Suite struct LineReaderTests {
    @Test func splitsOnLFAndCRLFAndKeepsAFinalLineWithoutNewline() throws {
        let lines = try readLines(Array("a\r\nbb\n\nccc".utf8))
        #expect(lines.map(\.0) == [1, 2, 3, 4])
        #expect(lines.map(\.1) == ["a", "bb", "", "ccc"])
    }

    @Test func dropsAByteOrderMarkAndHandlesAnEmptyFile() throws {
        #expect(try readLines([0xEF, 0xBB, 0xBF] + Array("x\n".utf8)).map(\.1) == ["x"])
        #expect(try readLines([]).isEmpty)
        #expect(try readLines(Array("\n".utf8)).map(\.1) == [""])
    }

    @Test func linesLongerThanTheBufferAreReassembled() throws {
        let long = String(repeating: "0123456789", count: 50)
        let text = "short\r\n\(long)\n\(long)x\r\nend"
        let lines = try readLines(Array(text.utf8), bufferSize: 16)
        #expect(lines.map(\.1) == ["short", long, long + "x", "end"])
    }

    @Test func everyBufferSizeGivesTheSameLines() throws {
        let text = (0..<200).map { "line \($0) " + String(repeating: "é", count: $0 % 17) }.joined(separator: "\r\n")
        let expected = try readLines(Array(text.utf8)).map(\.1)
        #expect(expected.count == 200)
        for size in [16, 17, 31, 64, 1000] {
            #expect(try readLines(Array(text.utf8), bufferSize: size).map(\.1) == expected)
        }
    }

    @Test func readsConcatenatedGzipMembers() throws {
        // `printf 'first\r\nsecond\n' | gzip; printf 'third' | gzip`, appended.
        let gzip: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0xcb, 0x2c, 0x2a, 0x2e, 0xe1, 0xe5,
            0x2a, 0x4e, 0x4d, 0xce, 0xcf, 0x4b, 0xe1, 0x02, 0x00, 0x0a, 0x87, 0x3d, 0x87, 0x0e, 0x00, 0x00, 0x00,
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x2b, 0xc9, 0xc8, 0x2c, 0x4a, 0x01, 0x00,
            0x64, 0x20, 0x32, 0x24, 0x05, 0x00, 0x00, 0x00,
        ]
        #expect(try readLines(gzip, bufferSize: 16).map(\.1) == ["first", "second", "third"])
        #expect(throws: DatasetFileError.self) { _ = try readLines(Array(gzip.prefix(20))) }
    }

    @Test func aMissingFileIsATypedError() throws {
        #expect(throws: DatasetFileError.self) { _ = try LineReader(path: "/nonexistent/weft/file.jsonl") }
    }

    @Test func utf8ValidationFindsTheFirstBadByte() {
        func check(_ bytes: [UInt8]) -> Int? {
            bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) }
        }
        #expect(check(Array("plain ascii, é, 日本, 😀".utf8)) == nil)
        #expect(check([0x61, 0xFF]) == 1)
        #expect(check([0x61, 0x62, 0xC3]) == 2)  // truncated two-byte sequence
        #expect(check([0xC0, 0x80]) == 0)  // overlong NUL
        #expect(check([0xED, 0xA0, 0x80]) == 0)  // UTF-16 surrogate
        #expect(check([0xF4, 0x90, 0x80, 0x80]) == 0)  // above U+10FFFF
    }
}
