import Foundation
import Testing
@testable import WeftText
import WeftNN

struct TextEmbedderTests {
    @Test func windowsCoverTheTextWithTheGivenOverlap() {
        #expect(TextEmbedder.windows(count: 3, size: 4, overlap: 1) == [0..<3])
        #expect(TextEmbedder.windows(count: 4, size: 4, overlap: 1) == [0..<4])
        #expect(TextEmbedder.windows(count: 10, size: 4, overlap: 1) == [0..<4, 3..<7, 6..<10])
        #expect(TextEmbedder.windows(count: 11, size: 4, overlap: 1) == [0..<4, 3..<7, 6..<10, 7..<11])
        #expect(TextEmbedder.windows(count: 9, size: 4, overlap: 0) == [0..<4, 4..<8, 5..<9])
    }

    func row(_ t: Tensor, _ i: Int) -> [Float] { Array(t.row(i).scalars) }

    func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    static let long = "the card fee no gift bank account savings rate high low travel points annual credit loan fund"
    static let short = ["gift card", "no fees", "high savings rate", "b", ""]

    @Test func truncationKeepsTheChosenEndAndCountsDroppedTokens() throws {
        let embedder = try TextEmbedder(modelDirectory: try TinyModelFixture.make(maximumLength: 8), batchSize: 4)
        let content = try embedder.tokenizer.contentIds(Self.long)
        #expect(content.count == 17)
        let special = embedder.tokenizer.specialTokenIds
        for side in [TruncationSide.right, .left] {
            let result = try embedder.embed([Self.long, "gift card"], longTexts: .truncate(side))
            #expect(result.truncatedTokenCounts == [11, 0])
            #expect(result.chunkCounts == [1, 1])
            let kept = side == .right ? Array(content.prefix(6)) : Array(content.suffix(6))
            let alone = try embedder.engine.pool([[special.classification!] + kept + [special.separator!]], mode: .mean,
                                                 normalize: true, workspace: embedder.workspace)
            #expect(close(row(result.vectors, 0), row(alone, 0)), "\(side)")
        }
    }

    @Test func chunkingPoolsOverlappingWindowsByTokenCount() throws {
        let embedder = try TextEmbedder(modelDirectory: try TinyModelFixture.make(maximumLength: 8), batchSize: 3)
        let content = try embedder.tokenizer.contentIds(Self.long)
        let special = embedder.tokenizer.specialTokenIds
        let result = try embedder.embed([Self.long] + Self.short, longTexts: .chunk(overlap: 2))
        let windows = TextEmbedder.windows(count: content.count, size: 6, overlap: 2)
        #expect(windows.count == 4)
        #expect(result.chunkCounts == [4, 1, 1, 1, 1, 1])
        #expect(result.truncatedTokenCounts.allSatisfy { $0 == 0 })
        // Every window has 8 tokens, so the weighted mean is the plain mean of the window means.
        let sequences = windows.map { [special.classification!] + Array(content[$0]) + [special.separator!] }
        let pooled = try embedder.engine.pool(sequences, mode: .mean, normalize: false, workspace: embedder.workspace)
        var expected = [Float](repeating: 0, count: embedder.dimension)
        for w in 0..<windows.count { for j in 0..<expected.count { expected[j] += pooled[w, j] / Float(windows.count) } }
        let norm = expected.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(close(row(result.vectors, 0), expected.map { $0 / norm }))
        // Texts that fit are the same whichever strategy is chosen.
        let truncated = try embedder.embed(Self.short, longTexts: .truncate(.right))
        for i in 0..<Self.short.count { #expect(close(row(result.vectors, i + 1), row(truncated.vectors, i))) }
        #expect(throws: EncoderError.self) { try embedder.embed([Self.long], longTexts: .chunk(overlap: 6)) }
    }

    @Test func vectorsComeBackInInputOrderWhateverTheBatching() throws {
        let folder = try TinyModelFixture.make(maximumLength: 12)
        let texts = Self.short + ["travel points annual fee", "index fund low risk", "a b c a b c", "loan"]
        let together = try TextEmbedder(modelDirectory: folder, batchSize: 3).embed(texts)
        let one = try TextEmbedder(modelDirectory: folder, batchSize: 1)
        for (i, text) in texts.enumerated() {
            let alone = try one.embed([text])
            #expect(close(row(together.vectors, i), row(alone.vectors, 0)), "text \(i)")
            let norm = row(alone.vectors, 0).map { $0 * $0 }.reduce(0, +)
            #expect(abs(norm - 1) < 1e-5)
        }
        let raw = try one.embed(["gift card"], normalize: false)
        #expect(abs(row(raw.vectors, 0).map { $0 * $0 }.reduce(0, +) - 1) > 1e-3)
    }

    @Test func miniLMEndToEndFromTextMatchesSentenceEmbeddings() throws {
        let r = try MiniLMReferenceTests.Reference()
        let embedder = try TextEmbedder(modelDirectory: ReferenceFixtures.miniLMModel, batchSize: 8)
        #expect(embedder.maximumLength == 256)
        let result = try embedder.embed(r.texts, longTexts: .truncate(.right))
        MiniLMReferenceTests.expectCosines(result.vectors, r.embeddings)
        let longest = r.sequences.indices.max { r.sequences[$0].count < r.sequences[$1].count }!
        for i in r.texts.indices {
            #expect((result.truncatedTokenCounts[i] > 0) == (i == longest), "text \(i)")
        }
    }
}
