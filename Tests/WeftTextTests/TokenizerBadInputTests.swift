import Foundation
import Testing
@testable import WeftText

/// Empty text, invalid UTF-8, a 10 MB line, control characters, missing and
/// corrupt model files: each gives a defined result or a clear error.
@Suite(.serialized) struct TokenizerBadInputTests {
    static func tokenizers() throws -> [(String, any Tokenizer)] {
        [
            ("wordpiece", try WordPieceTokenizer(vocabularyFile: TestSupport.miniLMVocabularyPath())),
            ("sentencepiece", try SentencePieceProcessorTests.trainSampleModel(.unigram)),
        ]
    }

    @Test func emptyTextIsJustTheSpecialTokens() throws {
        for (name, tokenizer) in try Self.tokenizers() {
            let cls = try #require(tokenizer.specialTokenIds.classification)
            let sep = try #require(tokenizer.specialTokenIds.separator)
            #expect(try tokenizer.contentIds("") == [], "\(name)")
            #expect(try tokenizer.encode("") == [cls, sep], "\(name)")
            #expect(try tokenizer.decode([]) == "", "\(name)")
        }
    }

    /// Invalid UTF-8 is decoded lossily: each bad sequence becomes U+FFFD, which
    /// both drop (BERT's cleaning and SentencePiece's nmt_nfkc normalization remove it).
    @Test func invalidUTF8IsDecodedLossily() throws {
        let bytes: [UInt8] = [0x67, 0x69, 0x66, 0x74, 0xFF, 0x20, 0xC3, 0x28, 0x63, 0x61, 0x72, 0x64]
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == "gift\u{FFFD} \u{FFFD}(card")
        let (_, wordPiece) = try Self.tokenizers()[0]
        #expect(try wordPiece.encode(text) == wordPiece.encode("gift (card"))
        let sentencePiece = try SentencePieceProcessorTests.trainSampleModel(.unigram)
        #expect(try sentencePiece.contentIds(text) == sentencePiece.contentIds("gift (card"))
    }

    @Test func controlCharactersAreHandled() throws {
        let (_, wordPiece) = try Self.tokenizers()[0]
        #expect(try wordPiece.encode("gift\u{0}\u{1}\u{7F} card\u{1B}[0m") == wordPiece.encode("gift card[0m"))
        let sentencePiece = try SentencePieceProcessorTests.trainSampleModel(.unigram)
        let ids = try sentencePiece.contentIds("gift\u{0}\u{1} card\u{1B}")
        #expect(!ids.isEmpty)
        #expect(ids.allSatisfy { $0 >= 0 && Int($0) < sentencePiece.pieceCount })
    }

    @Test func aTenMegabyteLineIsTokenizedAndTruncated() throws {
        let words = ["premium", "gift", "card", "with", "no", "fees", "after", "purchase"]
        var line = ""
        line.reserveCapacity(10_500_000)
        var index = 0
        while line.utf8.count < 10_000_000 {
            line += words[index % words.count]
            line += " "
            index += 1
        }
        for (name, tokenizer) in try Self.tokenizers() {
            let batch = try tokenizer.encodeBatch([line, "short"], maxLength: 64)
            #expect(batch.sequenceLength == 64, "\(name)")
            #expect(batch.lengths == [64, try tokenizer.encode("short").count], "\(name)")
            #expect(batch.truncatedTokenCounts[0] >= index - 62, "\(name)")
            #expect(batch.truncatedTokenCounts[1] == 0, "\(name)")
        }
        // One 10 MB word without spaces is a single [UNK] for WordPiece.
        let (_, wordPiece) = try Self.tokenizers()[0]
        let word = String(repeating: "x", count: 10_000_000)
        #expect(try wordPiece.encode(word) == [101, 100, 102])
    }

    @Test func missingAndCorruptModelFilesGiveClearErrors() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.model").path
        #expect(throws: TokenizerError.fileNotFound(path: missing)) {
            try SentencePieceProcessor(contentsOfFile: missing)
        }
        #expect(throws: TokenizerError.fileNotFound(path: missing)) {
            try TokenizerLoader.load(path: missing)
        }

        let good = try SentencePieceProcessorTests.trainSampleModel(.unigram).serializedModel()
        var random = SystemRandomNumberGenerator()
        let corruptions: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated", Array(good.prefix(good.count / 2))),
            ("text", Array("this is not a model\n".utf8)),
            ("random", (0 ..< 4096).map { _ in UInt8.random(in: 0 ... 255, using: &random) }),
            ("flipped", good.enumerated().map { $0.offset % 97 == 5 ? ~$0.element : $0.element }),
        ]
        for (name, bytes) in corruptions {
            let path = folder.appendingPathComponent("\(name).model").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let model = try SentencePieceProcessor(contentsOfFile: path)
                // A flipped byte can still parse; the model must then work or throw, never crash.
                _ = try? model.encodeAsIds("still works?")
            } catch let error as TokenizerError {
                guard case .sentencePiece(let operation, _, let message) = error else {
                    Issue.record("\(name): unexpected error \(error)")
                    continue
                }
                #expect(operation.contains(path), "\(name)")
                #expect(!message.isEmpty, "\(name)")
            }
        }
        // A file that is neither a vocab.txt nor a model is rejected by the loader too.
        let text = folder.appendingPathComponent("text.model").path
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(path: text) }
    }

    @Test func idsOutsideTheModelAreErrorsNotCrashes() throws {
        let model = try SentencePieceProcessorTests.trainSampleModel(.unigram)
        #expect(model.idToPiece(-1) == nil)
        #expect(model.idToPiece(Int32(model.pieceCount)) == nil)
        #expect(!model.isControl(100_000) && !model.isUnknown(-5))
        #expect(throws: TokenizerError.self) { try model.decode(ids: [5, Int32(model.pieceCount)]) }
        #expect(throws: TokenizerError.self) { try model.decode(ids: [-1]) }
    }

    @Test func trainingErrorsAreReported() throws {
        var options = SentencePieceTrainingOptions()
        options.vocabularySize = 50_000
        #expect(throws: TokenizerError.self) {
            try SentencePieceTrainer.train(options: options, sentences: ["tiny corpus", "of two lines"])
        }
        options.vocabularySize = 100
        options.userDefinedSymbols = ["a,b"]
        #expect(throws: TokenizerError.self) {
            try SentencePieceTrainer.train(options: options, sentences: ["tiny corpus"])
        }
        options.userDefinedSymbols = []
        options.additionalArguments = ["--no_such_flag=1"]
        #expect(throws: TokenizerError.self) {
            try SentencePieceTrainer.train(options: options, sentences: ["tiny corpus"])
        }
        struct SourceFailure: Error, Equatable {}
        options.additionalArguments = []
        var remaining = 3
        #expect(throws: SourceFailure()) {
            try SentencePieceTrainer.train(options: options) {
                remaining -= 1
                if remaining == 0 { throw SourceFailure() }
                return "a sentence"
            }
        }
    }
}
