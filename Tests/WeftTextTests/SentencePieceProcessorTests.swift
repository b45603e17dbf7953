import Foundation
import Testing
@testable import WeftText

/// libsentencepiece's logging level and random seed are process-wide, so the
/// trainings in this suite run one at a time.
@Suite(.serialized) struct SentencePieceProcessorTests {
    /// Trains a small model on the committed English sample.
    static func trainSampleModel(_ type: SentencePieceTrainingOptions.ModelType,
                                 vocabularySize: Int = 600,
                                 configure: (inout SentencePieceTrainingOptions) -> Void = { _ in })
        throws -> SentencePieceProcessor
    {
        var options = SentencePieceTrainingOptions()
        options.modelType = type
        options.vocabularySize = vocabularySize
        options.characterCoverage = 1.0
        configure(&options)
        return try SentencePieceTrainer.train(options: options, sentences: TestSupport.englishSampleLines())
    }

    @Test(arguments: [SentencePieceTrainingOptions.ModelType.unigram, .bpe])
    func trainedModelRoundTripsTheText(type: SentencePieceTrainingOptions.ModelType) throws {
        // Identity normalization keeping all whitespace makes decoding exact.
        let model = try Self.trainSampleModel(type) { options in
            options.normalizationRuleName = "identity"
            options.additionalArguments = ["--remove_extra_whitespaces=false"]
        }
        #expect(model.pieceCount == 600)
        for line in try TestSupport.englishSampleLines() {
            let ids = try model.encodeAsIds(line)
            #expect(!ids.contains(model.unknownId))
            #expect(try model.decode(ids: ids) == line)
            #expect(try model.decode(pieces: model.encodeAsPieces(line)) == line)
        }
    }

    @Test func defaultNormalizationCollapsesWhitespace() throws {
        let model = try Self.trainSampleModel(.unigram)
        #expect(try model.decode(ids: model.encodeAsIds("  The   river  ")) == "The river")
    }

    @Test func bertSpecialsHaveFixedIdsAndNeverComeFromText() throws {
        let model = try Self.trainSampleModel(.unigram)
        let pieces = (0 ..< 5).map { model.idToPiece(Int32($0)) }
        #expect(pieces == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        #expect(model.padId == 0 && model.unknownId == 1)
        #expect(model.beginOfSentenceId == nil && model.endOfSentenceId == nil)
        #expect(model.isControl(2) && model.isControl(3) && model.isControl(4) && model.isUnknown(1))
        #expect(model.pieceToId("[MASK]") == 4)
        #expect(model.specialTokenIds == SpecialTokenIds(
            padding: 0, unknown: 1, classification: 2, separator: 3, mask: 4))
        let typed = try model.encodeAsIds("[CLS] text [SEP] more [MASK]")
        #expect(!typed.contains { (0 ... 4).contains($0) })
        // Through the Tokenizer protocol the model adds [CLS] … [SEP] and decoding drops them.
        let encoded = try model.encode("The river")
        #expect(encoded.first == 2 && encoded.last == 3)
        #expect(try model.decode(encoded) == "The river")
    }

    @Test func userDefinedSymbolsAreAlwaysOnePiece() throws {
        let model = try Self.trainSampleModel(.bpe) { options in
            options.userDefinedSymbols = ["APY", "<br>"]
        }
        let apy = model.pieceToId("APY")
        #expect(apy == 5 && !model.isControl(apy))
        #expect(try model.encodeAsPieces("4.85%APY<br>now").contains("APY"))
        #expect(try model.encodeAsIds("xAPYx").contains(apy))
    }

    @Test func serializedModelsReload() throws {
        let model = try Self.trainSampleModel(.unigram)
        let bytes = try model.serializedModel()
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sample.model").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fromFile = try SentencePieceProcessor(contentsOfFile: path)
        let fromBytes = try SentencePieceProcessor(serializedModel: bytes)
        let line = "Matches took place from 20 to 22 August 2021."
        #expect(try fromFile.encodeAsIds(line) == model.encodeAsIds(line))
        #expect(try fromBytes.encodeAsPieces(line) == model.encodeAsPieces(line))
        #expect(fromFile.pieceCount == model.pieceCount)
        #expect(fromFile.score(10) == model.score(10) && model.score(10) < 0)
    }

    /// Weft's encodings must equal the `spm_encode` command's (Debian package `sentencepiece`).
    @Test(arguments: ["trained unigram", "trained bpe", "committed general model"])
    func encodingsEqualTheSpmEncodeCommand(modelName: String) throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let modelPath: String
        switch modelName {
        case "committed general model":
            modelPath = TestSupport.generalModelPath
        default:
            let model = try Self.trainSampleModel(modelName.hasSuffix("bpe") ? .bpe : .unigram)
            modelPath = folder.appendingPathComponent("model.model").path
            try Data(model.serializedModel()).write(to: URL(fileURLWithPath: modelPath))
        }
        let model = try SentencePieceProcessor(contentsOfFile: modelPath)
        let samplePath = TestSupport.fixtures.appendingPathComponent("text/english_sample.txt").path
        let lines = try TestSupport.englishSampleLines()

        let idLines = try Self.runSpmEncode(model: modelPath, format: "id", input: samplePath)
        let pieceLines = try Self.runSpmEncode(model: modelPath, format: "piece", input: samplePath)
        #expect(idLines.count == lines.count && pieceLines.count == lines.count)
        for (index, line) in lines.enumerated() where index < idLines.count && index < pieceLines.count {
            let expectedIds = idLines[index].split(separator: " ").map { Int32($0)! }
            #expect(try model.encodeAsIds(line) == expectedIds, "line \(index + 1)")
            let expectedPieces = pieceLines[index].split(separator: " ").map(String.init)
            #expect(try model.encodeAsPieces(line) == expectedPieces, "line \(index + 1)")
        }
    }

    static func runSpmEncode(model: String, format: String, input: String) throws -> [String] {
        let candidates = ["/usr/bin/spm_encode", "/usr/local/bin/spm_encode"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw TestSupport.SetupError(
                "spm_encode is not installed: install the Debian package sentencepiece (Scripts/setup.sh does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--model=\(model)", "--output_format=\(format)", "--input=\(input)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupport.SetupError("spm_encode exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}
