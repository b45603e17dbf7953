import Foundation
import Testing
@testable import WeftText

struct PretrainingCorpusTests {
    @Test func packedSequencesTileTheStream() {
        let tokens: [Int32] = Array(10..<33)  // 23 ids
        let corpus = PretrainingCorpus(tokens: tokens, documentCount: 1, classificationId: 2, separatorId: 3)
        #expect(corpus.sequenceCount(length: 8) == 4)  // 6 + 6 + 6 + 5
        var interior: [Int32] = []
        for i in 0..<4 {
            let s = corpus.sequence(i, length: 8)
            #expect(s.first == 2 && s.last == 3)
            #expect(s.count == (i < 3 ? 8 : 7))
            interior += s.dropFirst().dropLast()
        }
        #expect(interior == tokens)
    }

    @Test func tokenizesDocumentsWithSeparatorsAndCachesTheResult() throws {
        let dir = try TestSupport.temporaryDirectory()
        let text = dir.appendingPathComponent("text.txt")
        try "The river flows.\n\n<doc id=\"1\" title=\"x\">\nInto the sea.\n</doc>\n".write(to: text, atomically: true, encoding: .utf8)
        let tokenizer = try PretrainingFixture.tokenizer()
        let tokenizerURL = URL(fileURLWithPath: PretrainingFixture.tokenizerPath)
        let cache = dir.appendingPathComponent("cache")
        let first = try PretrainingCorpus.prepare(paths: [text.path], heldOut: .none, tokenizer: tokenizer,
                                                  tokenizerFile: tokenizerURL, cacheDirectory: cache)
        let expected = try tokenizer.contentIds("The river flows.") + [3] + tokenizer.contentIds("Into the sea.") + [3]
        #expect(first.training.tokens == expected)
        #expect(first.training.documentCount == 2)
        #expect(first.heldOut.tokens.isEmpty)
        #expect(!first.fromCache)

        let second = try PretrainingCorpus.prepare(paths: [text.path], heldOut: .none, tokenizer: tokenizer,
                                                   tokenizerFile: tokenizerURL, cacheDirectory: cache)
        #expect(second.fromCache)
        #expect(second.training.tokens == expected && second.fingerprint == first.fingerprint)

        // A copy with a new modification time (a re-synced data folder) is the same corpus: a run can resume on it.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: text.path)
        let touched = try PretrainingCorpus.prepare(paths: [text.path], heldOut: .none, tokenizer: tokenizer,
                                                    tokenizerFile: tokenizerURL, cacheDirectory: cache)
        #expect(touched.fromCache && touched.fingerprint == first.fingerprint)

        // Another split, or changed text, is tokenized again.
        let split = try PretrainingCorpus.prepare(paths: [text.path], heldOut: .fraction(0.01), tokenizer: tokenizer,
                                                  tokenizerFile: tokenizerURL, cacheDirectory: cache)
        #expect(!split.fromCache)
        try "Something else entirely, and longer.\n".write(to: text, atomically: true, encoding: .utf8)
        let changed = try PretrainingCorpus.prepare(paths: [text.path], heldOut: .none, tokenizer: tokenizer,
                                                    tokenizerFile: tokenizerURL, cacheDirectory: cache)
        #expect(!changed.fromCache)
        #expect(changed.fingerprint != first.fingerprint)
        #expect(changed.training.tokens == (try tokenizer.contentIds("Something else entirely, and longer.")) + [3])
    }

    @Test func heldOutLinesAreChosenByContent() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let url = URL(fileURLWithPath: PretrainingFixture.tokenizerPath)
        let all = try PretrainingCorpus.prepare(paths: [PretrainingFixture.samplePath], heldOut: .none,
                                                tokenizer: tokenizer, tokenizerFile: url, cacheDirectory: nil)
        let split = try PretrainingCorpus.prepare(paths: [PretrainingFixture.samplePath], heldOut: .fraction(0.1),
                                                  tokenizer: tokenizer, tokenizerFile: url, cacheDirectory: nil)
        #expect(split.training.documentCount + split.heldOut.documentCount == all.training.documentCount)
        #expect(split.training.tokens.count + split.heldOut.tokens.count == all.training.tokens.count)
        #expect(split.heldOut.documentCount > 5 && split.heldOut.documentCount < 40)
        let lines = try TestSupport.englishSampleLines()
        let heldOutLines = lines.filter { HeldOutSplit.isHeldOut($0, fraction: 0.1) }
        var expected: [Int32] = []
        for line in heldOutLines { expected += try tokenizer.contentIds(line) + [3] }
        #expect(split.heldOut.tokens == expected)
    }

    @Test func heldOutFilesLeaveTheTrainingText() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "one two three\n".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "four five\n".write(to: dir.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let tokenizer = try PretrainingFixture.tokenizer()
        let url = URL(fileURLWithPath: PretrainingFixture.tokenizerPath)
        let held = dir.appendingPathComponent("b.txt").path
        let split = try PretrainingCorpus.prepare(paths: [dir.path], heldOut: .files([held]), tokenizer: tokenizer,
                                                  tokenizerFile: url, cacheDirectory: nil)
        #expect(split.training.tokens == (try tokenizer.contentIds("one two three")) + [3])
        #expect(split.heldOut.tokens == (try tokenizer.contentIds("four five")) + [3])
        #expect(throws: TrainingError.self) {
            try PretrainingCorpus.prepare(paths: [held], heldOut: .files([held]), tokenizer: tokenizer,
                                          tokenizerFile: url, cacheDirectory: nil)
        }
    }
}
