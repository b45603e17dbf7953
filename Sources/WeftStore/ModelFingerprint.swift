import Crypto
import Foundation

/// Identifies a model by its exact configuration and weights, so a retrained
/// or reconfigured model never reads vectors cached for another.
///
/// The digest is SHA-256 over a tag, then the configuration and the weights,
/// each preceded by its length as a little-endian UInt64 (so no byte can move
/// from one part to the other without changing the result). Hashing files
/// gives the same fingerprint as hashing their contents in memory.
public struct ModelFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// 64 lowercase hexadecimal digits.
    public let hex: String

    private static let tag = Data("weft-model-fingerprint-v1\u{0}".utf8)

    public init(hex: String) throws(EmbeddingCacheError) {
        let lowered = hex.lowercased()
        guard lowered.count == 64, lowered.allSatisfy({ $0.isHexDigit }) else {
            throw EmbeddingCacheError.invalidFingerprint(hex)
        }
        self.hex = lowered
    }

    public init(configuration: Data, weights: UnsafeRawBufferPointer) {
        var hasher = SHA256()
        hasher.update(data: ModelFingerprint.tag)
        ModelFingerprint.updateLength(&hasher, configuration.count)
        hasher.update(data: configuration)
        ModelFingerprint.updateLength(&hasher, weights.count)
        hasher.update(bufferPointer: weights)
        hex = ModelFingerprint.hexadecimal(hasher.finalize())
    }

    public init(configuration: Data, weights: Data) {
        self = weights.withUnsafeBytes { ModelFingerprint(configuration: configuration, weights: $0) }
    }

    /// Streams both files through the hash (weights files run to hundreds of megabytes).
    public init(configurationFile: String, weightsFile: String) throws(DatasetFileError) {
        var hasher = SHA256()
        hasher.update(data: ModelFingerprint.tag)
        for path in [configurationFile, weightsFile] {
            let size: Int
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            } catch {
                throw DatasetFileError.cannotOpen(path: path, reason: "it does not exist or is not readable")
            }
            ModelFingerprint.updateLength(&hasher, size)
            let source = try FileByteSource(path: path)
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { chunk.deallocate() }
            var total = 0
            while true {
                let count = try source.read(into: chunk)
                if count == 0 { break }
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
                total += count
            }
            if total != size { throw DatasetFileError.cannotRead(path: path, reason: "it changed while being read") }
        }
        hex = ModelFingerprint.hexadecimal(hasher.finalize())
    }

    public var description: String { hex }

    private static func updateLength(_ hasher: inout SHA256, _ length: Int) {
        withUnsafeBytes(of: UInt64(length).littleEndian) { hasher.update(bufferPointer: $0) }
    }

    private static func hexadecimal(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
