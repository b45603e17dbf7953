import Foundation
import Testing

/// Paths and readers shared by the WeftText tests.
enum TestSupport {
    /// The package root, found from this file's path (Tests/WeftTextTests/TestSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// `WEFT_REFERENCE_DIR`, else Tests/Fixtures/reference.
    static var referenceDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["WEFT_REFERENCE_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return fixtures.appendingPathComponent("reference")
    }

    /// all-MiniLM-L6-v2's vocab.txt, fetched (not committed) by Scripts/fetch-pretrained.sh.
    static func miniLMVocabularyPath() throws -> String {
        let path = packageRoot.appendingPathComponent("models/external/all-MiniLM-L6-v2/vocab.txt").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SetupError(
                "\(path) is missing: run Scripts/fetch-pretrained.sh (Scripts/test.sh does) to download all-MiniLM-L6-v2")
        }
        return path
    }

    /// The committed general-English SentencePiece model.
    static var generalModelPath: String {
        packageRoot.appendingPathComponent("tokenizers/weft-general-16k.model").path
    }

    static func englishSampleLines() throws -> [String] {
        let url = fixtures.appendingPathComponent("text/english_sample.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("weft-text-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// An int32 tensor from a safetensors file: 8-byte little-endian header
    /// length, a JSON header naming dtype, shape and data offsets, then raw data.
    /// A stand-in until WeftCore's safetensors reader lands on this branch.
    static func readInt32Tensor(named name: String, from url: URL) throws -> (values: [Int32], shape: [Int]) {
        let data = try Data(contentsOf: url)
        guard data.count >= 8 else { throw SetupError("\(url.path): shorter than a safetensors header") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { sum, byte in
            sum | Int(byte.element) << (8 * byte.offset)
        }
        guard headerLength > 0, 8 + headerLength <= data.count else {
            throw SetupError("\(url.path): header length \(headerLength) does not fit the file")
        }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8 ..< 8 + headerLength))
        guard let entry = (header as? [String: Any])?[name] as? [String: Any],
              let dtype = entry["dtype"] as? String,
              let shape = entry["shape"] as? [Int],
              let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
        else { throw SetupError("\(url.path): no tensor \(name)") }
        guard dtype == "I32" else { throw SetupError("\(url.path): \(name) is \(dtype), not I32") }
        let start = 8 + headerLength + offsets[0]
        let end = 8 + headerLength + offsets[1]
        let count = shape.reduce(1, *)
        guard end <= data.count, end - start == count * 4 else {
            throw SetupError("\(url.path): \(name) data does not match its shape \(shape)")
        }
        var values = [Int32](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { destination in
            data.copyBytes(to: destination, from: start ..< end)
        }
        return (values.map { Int32(littleEndian: $0) }, shape)
    }
}
