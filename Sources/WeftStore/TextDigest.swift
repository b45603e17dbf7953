import Crypto
import Foundation

/// The cache key of a text: SHA-256 of its normalised UTF-8 bytes.
///
/// Normalisation is Unicode NFC (so "é" typed as one code point or as "e" plus
/// a combining accent is the same text) followed by trimming white space and
/// newlines at both ends. Nothing else changes: case and inner spacing matter
/// to the encoder, so they matter to the key.
public struct TextDigest: Hashable, Sendable, CustomStringConvertible {
    /// 32 bytes.
    public let bytes: [UInt8]

    public init(text: String) {
        let normalized = TextDigest.normalize(text)
        bytes = Array(SHA256.hash(data: Data(normalized.utf8)))
    }

    /// Wraps a stored 32-byte digest.
    init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        self.bytes = bytes
    }

    public static func normalize(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { bytes.map { String(format: "%02x", $0) }.joined() }
}
