import Foundation
import Testing
@testable import WeftText
import WeftNN

/// `weft embed` end to end: the built executable on a tiny model folder.
struct EmbedCommandTests {
    /// The `weft` executable built beside this test bundle (`swift build --build-tests` builds both).
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("weft")
    }

    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    func run(_ arguments: [String], standardInput: String? = nil) throws -> Run {
        let weft = Self.executable
        guard FileManager.default.isExecutableFile(atPath: weft.path) else {
            Issue.record("no weft executable at \(weft.path): build it with swift build --build-tests")
            throw EncoderError.missingFile(directory: weft.deletingLastPathComponent().path, file: "weft")
        }
        let process = Process()
        process.executableURL = weft
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let standardInput { input.fileHandleForWriting.write(Data(standardInput.utf8)) }
        try input.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   errors: String(decoding: errors, as: UTF8.self))
    }

    struct Line: Decodable {
        let text: String
        let id: Int?
        let embedding: [Float]
    }

    func lines(_ s: String) throws -> [Line] {
        try s.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
    }

    @Test func embedsTextLinesInInputOrder() throws {
        let model = try TinyModelFixture.make(maximumLength: 8)
        let texts = ["gift card", "the card fee no gift bank account savings rate high low travel", "", "no fees",
                     "high savings rate", "loan"]
        let inputFile = model.deletingLastPathComponent().appendingPathComponent("texts.txt")
        try (texts.joined(separator: "\n") + "\n").write(to: inputFile, atomically: true, encoding: .utf8)
        let outputFile = model.deletingLastPathComponent().appendingPathComponent("vectors.jsonl")
        let result = try run(["embed", "--model", model.path, "--input", inputFile.path, "--output", outputFile.path,
                              "--batch-size", "2"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.isEmpty)
        #expect(result.errors.contains("6 texts"))
        #expect(result.errors.contains("1 texts longer than 8 tokens lost 6 tokens to truncation"))
        let written = try lines(String(contentsOf: outputFile, encoding: .utf8))
        #expect(written.map(\.text) == texts)
        let expected = try TextEmbedder(modelDirectory: model, batchSize: 4).embed(texts)
        // Floats are printed in their shortest round-trip form; batching may change the last bits.
        for (i, line) in written.enumerated() {
            #expect(line.embedding.count == expected.vectors.lastDimension)
            for (a, b) in zip(line.embedding, expected.vectors.row(i).scalars) { #expect(abs(a - b) < 1e-6, "text \(i)") }
        }
    }

    @Test func secondRunWithCacheEncodesNothingAndGivesTheSameVectors() throws {
        let model = try TinyModelFixture.make(maximumLength: 8)
        let folder = model.deletingLastPathComponent()
        let inputFile = folder.appendingPathComponent("cached-texts.txt")
        try "gift card\nno fees\nhigh savings rate\ngift card\n".write(to: inputFile, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("cache.db").path
        let first = try run(["embed", "--model", model.path, "--input", inputFile.path, "--cache", db])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.errors.contains("cache: 0 hits, 4 encoded and stored"), "\(first.errors)")
        // One more text: the old four come from the cache, only the new one is encoded.
        try "gift card\nno fees\nhigh savings rate\ngift card\nloan\n".write(to: inputFile, atomically: true, encoding: .utf8)
        let second = try run(["embed", "--model", model.path, "--input", inputFile.path, "--cache", db])
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.errors.contains("cache: 4 hits, 1 encoded and stored"), "\(second.errors)")
        let third = try run(["embed", "--model", model.path, "--input", inputFile.path, "--cache", db])
        #expect(third.errors.contains("cache: 5 hits, 0 encoded and stored (model weights never loaded)"), "\(third.errors)")
        #expect(!second.errors.contains("never loaded"), "\(second.errors)")
        #expect(third.errors.contains("0 tokens"), "no encoder work on a full hit: \(third.errors)")
        let uncached = try run(["embed", "--model", model.path, "--input", inputFile.path])
        let a = try lines(third.output), b = try lines(uncached.output)
        #expect(a.map(\.text) == b.map(\.text))
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x.embedding, y.embedding) { #expect(abs(u - v) < 1e-6) }
        }
        // Other settings (no normalisation) are a different key: nothing is reused.
        let raw = try run(["embed", "--model", model.path, "--input", inputFile.path, "--cache", db, "--no-normalize"])
        #expect(raw.errors.contains("cache: 0 hits, 5 encoded and stored"), "\(raw.errors)")
    }

    @Test func readsJSONLinesFromStandardInput() throws {
        let model = try TinyModelFixture.make(maximumLength: 8)
        let input = #"{"text": "gift card\nno fees", "id": 17}"# + "\n\n" + #"{"text": "the card fee no gift bank account savings rate high low travel"}"# + "\n"
        let result = try run(["embed", "--model", model.path, "--jsonl", "--chunk", "--no-normalize"], standardInput: input)
        #expect(result.status == 0, "\(result.errors)")
        let written = try lines(result.output)
        #expect(written.map(\.text) == ["gift card\nno fees", "the card fee no gift bank account savings rate high low travel"])
        #expect(written.map(\.id) == [17, nil])
        #expect(result.errors.contains("1 texts were encoded in several windows"))
        let expected = try TextEmbedder(modelDirectory: model, batchSize: 4)
            .embed(written.map(\.text), longTexts: .chunk(overlap: 1), normalize: false)
        for (i, line) in written.enumerated() {
            for (a, b) in zip(line.embedding, expected.vectors.row(i).scalars) { #expect(abs(a - b) < 1e-6, "text \(i)") }
        }
    }

    @Test func badInputFailsWithTheLineNumber() throws {
        let model = try TinyModelFixture.make()
        let result = try run(["embed", "--model", model.path, "--jsonl"], standardInput: "{\"text\": \"a\"}\n{\"txt\": \"b\"}\n")
        #expect(result.status != 0)
        #expect(result.errors.contains("standard input:2: no string field \"text\""), "\(result.errors)")
        let missing = try run(["embed", "--model", model.deletingLastPathComponent().path], standardInput: "a\n")
        #expect(missing.status != 0)
        #expect(missing.errors.contains("has no config.json"), "\(missing.errors)")
        let both = try run(["embed", "--model", model.path, "--chunk", "--truncate", "left"], standardInput: "a\n")
        #expect(both.status != 0)
    }
}
