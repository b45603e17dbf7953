import Foundation
import Testing
@testable import WeftText

@Suite struct WordPieceTokenizerTests {
    static func miniLMTokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabularyFile: TestSupport.miniLMVocabularyPath())
    }

    @Test func matchesTheMiniLMReferenceIds() throws {
        let tokenizer = try Self.miniLMTokenizer()
        let folder = TestSupport.referenceDirectory.appendingPathComponent("minilm")
        let textsJSON = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("texts.json"))) as? [String: Any]
        let texts = try #require(textsJSON?["texts"] as? [String])
        let maxLength = try #require(textsJSON?["max_seq_length"] as? Int)
        let reference = folder.appendingPathComponent("reference.safetensors")
        let ids = try TestSupport.readInt32Tensor(named: "input_ids", from: reference)
        let mask = try TestSupport.readInt32Tensor(named: "attention_mask", from: reference)
        #expect(ids.shape.count == 2 && ids.shape[0] == texts.count)
        #expect(mask.shape == ids.shape)
        let width = ids.shape[1]

        let batch = try tokenizer.encodeBatch(texts, maxLength: maxLength)
        #expect(batch.batchSize == texts.count)
        #expect(batch.sequenceLength == width)
        for row in 0 ..< texts.count {
            let referenceRow = Array(ids.values[row * width ..< (row + 1) * width])
            let referenceMask = Array(mask.values[row * width ..< (row + 1) * width])
            let expected = Array(referenceRow.prefix(Int(referenceMask.reduce(0, +))))
            #expect(Array(batch.unpaddedIds(row: row)) == expected, "text \(row): \(texts[row])")
            if batch.sequenceLength == width {
                #expect(Array(batch.ids[row * width ..< (row + 1) * width]) == referenceRow)
                #expect(Array(batch.attentionMask[row * width ..< (row + 1) * width]) == referenceMask)
            }
        }
    }

    /// Texts written after the implementation, encoded by Hugging Face
    /// `tokenizers` (Scripts/make-wordpiece-fixture.py).
    @Test func matchesHuggingFaceOnUnseenTexts() throws {
        struct Fixture: Decodable {
            struct Record: Decodable {
                let text: String
                let ids: [Int32]
                let decoded: String
                let ids_right_16: [Int32]
                let ids_left_16: [Int32]
            }
            let records: [Record]
        }
        let tokenizer = try Self.miniLMTokenizer()
        let data = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("wordpiece_extra.json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        #expect(fixture.records.count >= 50)
        for record in fixture.records {
            let label = record.text.unicodeScalars.map { $0.escaped(asASCII: true) }.joined()
            #expect(try tokenizer.encode(record.text) == record.ids, "\(label)")
            #expect(try tokenizer.encode(record.text, maxLength: 16, truncationSide: .right)
                == record.ids_right_16, "\(label)")
            #expect(try tokenizer.encode(record.text, maxLength: 16, truncationSide: .left)
                == record.ids_left_16, "\(label)")
            #expect(try tokenizer.decode(record.ids) == record.decoded, "\(label)")
        }
    }

    @Test func splitsWordsIntoLongestPieces() throws {
        let vocabulary = try WordPieceVocabulary(tokens: [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "runn", "##ing",
            "##s", "run", ",", "a", "##a",
        ])
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary)
        #expect(tokenizer.tokenize("unaffable running, runs") == [
            "un", "##aff", "##able", "runn", "##ing", ",", "run", "##s",
        ])
        // One unmatched remainder turns the whole word into [UNK].
        #expect(tokenizer.tokenize("unaffablex run") == ["[UNK]", "run"])
        #expect(try tokenizer.encode("aaa") == [2, 13, 14, 14, 3])
    }

    @Test func wordsLongerThanTheLimitBecomeUnknown() throws {
        let vocabulary = try WordPieceVocabulary(tokens: ["[UNK]", "a", "##a", "##aa"])
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maximumCharactersPerWord: 5)
        #expect(tokenizer.tokenize("aaaaa") == ["a", "##aa", "##aa"])
        #expect(tokenizer.tokenize("aaaaaa") == ["[UNK]"])
        // The limit counts characters after normalization, not bytes: "é" → "e".
        #expect(tokenizer.contentIds("ÁÁÁÁÁ").count == 3)
        // No [CLS]/[SEP] in this vocabulary: nothing is added around the text.
        #expect(try tokenizer.encode("a") == [1])
    }

    @Test func specialTokensComeFromTheVocabulary() throws {
        let tokenizer = try Self.miniLMTokenizer()
        #expect(tokenizer.specialTokenIds == SpecialTokenIds(
            padding: 0, unknown: 100, classification: 101, separator: 102, mask: 103))
        #expect(tokenizer.vocabularySize == 30522)
        #expect(tokenizer.piece(forId: 101) == "[CLS]")
        #expect(tokenizer.piece(forId: 30522) == nil)
        #expect(try tokenizer.encodeAsPieces("Hello, world!") == ["[CLS]", "hello", ",", "world", "!", "[SEP]"])
    }

    @Test func missingUnknownTokenIsAnError() throws {
        let vocabulary = try WordPieceVocabulary(tokens: ["a", "b"], source: "tiny.txt")
        #expect(throws: TokenizerError.missingSpecialToken(token: "[UNK]", path: "tiny.txt")) {
            try WordPieceTokenizer(vocabulary: vocabulary)
        }
    }

    @Test func vocabularyFileErrorsNameTheFileAndLine() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nope.txt").path
        #expect(throws: TokenizerError.fileNotFound(path: missing)) {
            try WordPieceTokenizer(vocabularyFile: missing)
        }
        let broken = folder.appendingPathComponent("broken.txt")
        try Data([0x5B, 0x55, 0x4E, 0x4B, 0x5D, 0x0A, 0x61, 0x0A, 0xFF, 0xFE, 0x0A]).write(to: broken)
        #expect(throws: TokenizerError.invalidVocabulary(path: broken.path, line: 3, reason: "not valid UTF-8")) {
            try WordPieceTokenizer(vocabularyFile: broken.path)
        }
        let empty = folder.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        #expect(throws: TokenizerError.self) { try WordPieceTokenizer(vocabularyFile: empty.path) }
        #expect(throws: TokenizerError.unreadableFile(path: folder.path, reason: "it is a directory")) {
            try WordPieceTokenizer(vocabularyFile: folder.path)
        }
        // Windows line ends and a final line without a newline still load.
        let crlf = folder.appendingPathComponent("crlf.txt")
        try Data("[UNK]\r\nhello\r\nworld".utf8).write(to: crlf)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: crlf.path)
        #expect(tokenizer.contentIds("hello world") == [1, 2])
    }

    @Test func decodeRejectsIdsOutsideTheVocabulary() throws {
        let tokenizer = try Self.miniLMTokenizer()
        #expect(throws: TokenizerError.idOutOfRange(id: 30522, vocabularySize: 30522)) {
            try tokenizer.decode([101, 30522])
        }
        #expect(throws: TokenizerError.idOutOfRange(id: -1, vocabularySize: 30522)) {
            try tokenizer.decode([-1])
        }
        #expect(try tokenizer.decode(tokenizer.encode("Re-usable, un-affable things.")) ==
            "re - usable, un - affable things.")
    }
}
