import Foundation
import Testing
@testable import WeftText

@Suite struct TokenizerBatchTests {
    /// A vocabulary small enough to reason about: every word below is one piece.
    static func tokenizer() throws -> WordPieceTokenizer {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "one", "two", "three", "four", "five"]
        return try WordPieceTokenizer(vocabulary: WordPieceVocabulary(tokens: tokens))
    }

    @Test func padsToTheLongestRowWithAMask() throws {
        let batch = try Self.tokenizer().encodeBatch(["one two three", "four", ""], maxLength: 32)
        #expect(batch.batchSize == 3 && batch.sequenceLength == 5)
        #expect(batch.ids == [2, 5, 6, 7, 3,
                              2, 8, 3, 0, 0,
                              2, 3, 0, 0, 0])
        #expect(batch.attentionMask == [1, 1, 1, 1, 1,
                                        1, 1, 1, 0, 0,
                                        1, 1, 0, 0, 0])
        #expect(batch.lengths == [5, 3, 2])
        #expect(batch.truncatedTokenCounts == [0, 0, 0])
        #expect(Array(batch.unpaddedIds(row: 1)) == [2, 8, 3])
    }

    @Test func truncatesOnEitherSideAndCountsWhatWasCut() throws {
        let tokenizer = try Self.tokenizer()
        let texts = ["one two three four five", "one two"]
        let right = try tokenizer.encodeBatch(texts, maxLength: 4)
        #expect(right.ids == [2, 5, 6, 3, 2, 5, 6, 3])
        #expect(right.truncatedTokenCounts == [3, 0])
        let left = try tokenizer.encodeBatch(texts, maxLength: 4, truncationSide: .left)
        #expect(left.ids == [2, 8, 9, 3, 2, 5, 6, 3])
        #expect(left.truncatedTokenCounts == [3, 0])
    }

    @Test func padsToTheMaximumLengthWhenAsked() throws {
        let batch = try Self.tokenizer().encodeBatch(["one"], maxLength: 6, padding: .maximumLength)
        #expect(batch.ids == [2, 5, 3, 0, 0, 0])
        #expect(batch.attentionMask == [1, 1, 1, 0, 0, 0])
    }

    @Test func rejectsAMaximumLengthWithoutRoomForText() throws {
        #expect(throws: TokenizerError.self) { try Self.tokenizer().encodeBatch(["one"], maxLength: 2) }
        #expect(throws: TokenizerError.self) { try Self.tokenizer().encode("one", maxLength: 0) }
        let empty = try Self.tokenizer().encodeBatch([], maxLength: 8)
        #expect(empty.batchSize == 0 && empty.ids.isEmpty)
    }

    /// Large batches run on several threads; rows must stay in order.
    @Test func largeBatchesMatchOneByOneEncoding() throws {
        let tokenizer = try Self.tokenizer()
        let words = ["one", "two", "three", "four", "five"]
        let texts = (0 ..< 3000).map { index in
            (0 ..< (index % 7)).map { words[($0 + index) % 5] }.joined(separator: " ")
        }
        let batch = try tokenizer.encodeBatch(texts, maxLength: 6)
        for (row, text) in texts.enumerated() {
            #expect(Array(batch.unpaddedIds(row: row)) == (try tokenizer.encode(text, maxLength: 6)))
        }
    }

    @Test func loaderPicksTheTokenizerByFile() throws {
        let wordPiece = try TokenizerLoader.load(path: TestSupport.miniLMVocabularyPath())
        #expect(wordPiece is WordPieceTokenizer)
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try SentencePieceProcessorTests.trainSampleModel(.unigram)
        try Data(model.serializedModel()).write(to: folder.appendingPathComponent("spm.model"))
        let loaded = try TokenizerLoader.load(path: folder.path)
        #expect(loaded is SentencePieceProcessor)
        #expect(try loaded.encode("The river") == model.encode("The river"))
    }
}
