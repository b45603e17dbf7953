import Foundation
import Testing
@testable import WeftText

/// Runs the built `weft` executable: `weft tokenizer encode` and `weft tokenizer train`.
@Suite(.serialized) struct TokenizerCommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
        var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
    }

    /// `swift build --build-tests` puts `weft` next to the test binary.
    static func executable() throws -> URL {
        var candidates = [URL]()
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(testBinary.deletingLastPathComponent().appendingPathComponent("weft"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("weft"))
        candidates.append(TestSupport.packageRoot.appendingPathComponent(".build/debug/weft"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestSupport.SetupError("the weft executable is not built: run swift build --build-tests")
        }
        return found
    }

    static func run(_ arguments: [String], input: String = "") throws -> Run {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   error: String(decoding: error, as: UTF8.self))
    }

    @Test func encodesOneJSONArrayPerLineWithSpecials() throws {
        let vocabulary = try TestSupport.miniLMVocabularyPath()
        let texts = ["Prepaid Visa gift card, no fees after purchase.", "", "Café crème brûlée"]
        let run = try Self.run(["tokenizer", "encode", "--tokenizer", vocabulary],
                               input: texts.joined(separator: "\n") + "\n")
        #expect(run.status == 0, "\(run.error)")
        let tokenizer = try WordPieceTokenizer(vocabularyFile: vocabulary)
        let expected = try texts.map { try tokenizer.encode($0).map(String.init).joined(separator: ",") }
            .map { "[\($0)]" }
        #expect(run.lines == expected)
        #expect(run.lines[1] == "[101,102]")
    }

    @Test func truncatesAndWritesPieces() throws {
        let vocabulary = try TestSupport.miniLMVocabularyPath()
        let truncated = try Self.run(["tokenizer", "encode", "--tokenizer", vocabulary, "--max-length", "4"],
                                     input: "one two three four five\n")
        #expect(truncated.lines == ["[101,2028,2048,102]"])
        let left = try Self.run(["tokenizer", "encode", "--tokenizer", vocabulary, "--max-length", "4",
                                 "--truncation-side", "left"], input: "one two three four five")
        #expect(left.lines == ["[101,2176,2274,102]"])
        let pieces = try Self.run(["tokenizer", "encode", "--tokenizer", vocabulary, "--pieces"],
                                  input: "Unaffable \"quotes\"\n")
        #expect(pieces.lines == [###"["[CLS]","una","##ffa","##ble","\"","quotes","\"","[SEP]"]"###])
    }

    @Test func readsJSONLinesWhoseTextsHoldNewlines() throws {
        let input = #"{"text": "gift\ncard", "id": 7}"# + "\n\n" + #"{"text": "[MASK] card"}"# + "\n"
        let run = try Self.run(["tokenizer", "encode", "--tokenizer", TestSupport.generalModelPath,
                                "--jsonl", "--pieces"], input: input)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.lines.count == 2)
        #expect(run.lines.first == #"["[CLS]","▁gift","▁card","[SEP]"]"#)
        let model = try SentencePieceProcessor(contentsOfFile: TestSupport.generalModelPath)
        let ids = try Self.run(["tokenizer", "encode", "--tokenizer", TestSupport.generalModelPath, "--jsonl"],
                               input: input)
        #expect(ids.lines.first == "[" + (try model.encode("gift\ncard")).map(String.init).joined(separator: ",") + "]")
    }

    @Test func badInputFailsWithTheLineNumber() throws {
        let vocabulary = try TestSupport.miniLMVocabularyPath()
        let badJSON = try Self.run(["tokenizer", "encode", "--tokenizer", vocabulary, "--jsonl"],
                                   input: "{\"text\": \"ok\"}\n{\"name\": 3}\n")
        #expect(badJSON.status != 0)
        #expect(badJSON.error.contains("stdin:2"))
        #expect(badJSON.error.contains("\"text\""))
        let missing = try Self.run(["tokenizer", "encode", "--tokenizer", "/nonexistent/vocab.txt"], input: "x\n")
        #expect(missing.status != 0)
        #expect(missing.error.contains("/nonexistent/vocab.txt does not exist"))
        // Invalid UTF-8 on stdin is read lossily rather than rejected.
        let process = try Self.run(["tokenizer", "encode", "--tokenizer", vocabulary],
                                   input: String(decoding: [0x61, 0xFF, 0x62, 0x0A], as: UTF8.self))
        #expect(process.lines == ["[101,11113,102]"])
    }

    @Test func trainsAModelWithBertSpecials() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // WikiExtractor markup must not reach the trainer.
        let corpus = folder.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let sample = try TestSupport.englishSampleLines()
        let wrapped = ["<doc id=\"1\" url=\"?curid=1\" title=\"A\">"] + sample.prefix(100) + ["</doc>"]
        try wrapped.joined(separator: "\n").write(to: corpus.appendingPathComponent("wiki_00"),
                                                  atomically: true, encoding: .utf8)
        try sample.dropFirst(100).joined(separator: "\r\n")
            .write(to: corpus.appendingPathComponent("more.txt"), atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("out/small.model").path
        let run = try Self.run(["tokenizer", "train", "--input", corpus.path, "--output", output,
                                "--vocab-size", "400", "--model-type", "bpe", "--threads", "1"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains("400 pieces"))
        #expect(run.error.contains("trained on 200 of 200 sentences"))
        let model = try SentencePieceProcessor(contentsOfFile: output)
        #expect(model.specialTokenIds == SpecialTokenIds(padding: 0, unknown: 1, classification: 2,
                                                         separator: 3, mask: 4))
        #expect(model.pieceToId("<doc") == model.unknownId)
        let bad = try Self.run(["tokenizer", "train", "--input", corpus.path, "--output", output,
                                "--model-type", "trie"])
        #expect(bad.status != 0 && bad.error.contains("--model-type"))
    }
}
