import Crypto
import Foundation

/// The cache key of a text: SHA-256 of its normalised UTF-8 bytes.
///
/// Normalisation is Unicode NFC (so "é" typed as one code point or as "e" plus
/// a combining accent is the same text) followed by trimming white space
/// (the Unicode White_Space property: spaces, tabs, newlines, no-break spaces)
/// at both ends. Nothing else changes: case and inner spacing matter to the
/// encoder, so they matter to the key.
public struct TextDigest: Hashable, Sendable, CustomStringConvertible {
    // The 32 digest bytes as four words, so hashing and comparing a key is four integer operations.
    private let word0, word1, word2, word3: UInt64

    public init(text: String) {
        var normalized = TextDigest.normalize(text)
        let digest = normalized.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        self = digest.withUnsafeBytes { TextDigest(bytes: $0) }
    }

    /// Wraps a stored 32-byte digest.
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        word0 = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        word1 = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        word2 = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        word3 = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    /// The digest as 32 bytes, in SHA-256 output order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (word0, word1, word2, word3)) { Array($0) }
    }

    var data: Data {
        withUnsafeBytes(of: (word0, word1, word2, word3)) { Data($0) }
    }

    public static func normalize(_ text: String) -> String {
        // ASCII text is already in NFC; skipping Foundation's normaliser keeps batch hashing fast.
        let composed = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
        let scalars = composed.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return composed }
        return String(scalars[first...last])
    }

    public var description: String { bytes.map { String(format: "%02x", $0) }.joined() }
}
