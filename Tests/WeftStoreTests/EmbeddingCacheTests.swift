import Foundation
import GRDB
import Testing
@testable import WeftStore

private func vectors(count: Int, dimension: Int, seed: Float) -> [Float] {
    (0..<count * dimension).map { Float($0) * 0.001 + seed }
}

private let modelA = ModelFingerprint(configuration: Data("{\"hidden\": 8}".utf8), weights: Data([1, 2, 3, 4]))
private let modelB = ModelFingerprint(configuration: Data("{\"hidden\": 8}".utf8), weights: Data([1, 2, 3, 5]))

@Suite struct EmbeddingCacheTests {
    @Test func normalisationIsNFCPlusTrimAndKeepsCaseAndInnerSpacing() {
        let composed = "caf\u{E9} card"
        let decomposed = "  cafe\u{301} card\n"
        #expect(TextDigest.normalize(decomposed) == composed)
        #expect(TextDigest(text: composed) == TextDigest(text: decomposed))
        #expect(TextDigest(text: "Café card") != TextDigest(text: composed))
        #expect(TextDigest(text: "café  card") != TextDigest(text: composed))
        // SHA-256("abc") from FIPS 180-2.
        #expect(TextDigest(text: " abc ").description == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func fingerprintCoversConfigurationAndWeightsAndMatchesTheFileForm() throws {
        #expect(modelA != modelB)
        let swapped = ModelFingerprint(configuration: Data("{\"hidden\": 8}\u{1}".utf8), weights: Data([2, 3, 4]))
        #expect(swapped != modelA, "moving a byte from the weights to the configuration must change the fingerprint")
        let folder = try TemporaryDirectory()
        try Data("{\"hidden\": 8}".utf8).write(to: URL(fileURLWithPath: folder.path("config.json")))
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: folder.path("model.safetensors")))
        let fromFiles = try ModelFingerprint(
            configurationFile: folder.path("config.json"), weightsFile: folder.path("model.safetensors"))
        #expect(fromFiles == modelA)
        #expect(try ModelFingerprint(hex: modelA.hex.uppercased()) == modelA)
        #expect(throws: EmbeddingCacheError.invalidFingerprint("abc")) { _ = try ModelFingerprint(hex: "abc") }
    }

    @Test func insertThenLookUpReturnsTheVectorsAndMarksMisses() throws {
        let store = try Store.inMemory()
        let cache = EmbeddingCache(store: store)
        let texts = (0..<40).map { "product description \($0)" }
        let stored = vectors(count: 30, dimension: 4, seed: 0.5)
        try cache.insert(model: modelA, texts: Array(texts[0..<30]), vectors: stored, dimension: 4)

        let query = [texts[35], texts[2], texts[2], texts[29]] + ["  \(texts[7]) "]
        let lookup = try cache.lookup(model: modelA, texts: query, dimension: 4)
        #expect(lookup.found == [false, true, true, true, true])
        #expect(lookup.missingIndices == [0])
        #expect(Array(lookup.vectors[0..<4]) == [0, 0, 0, 0])
        #expect(Array(lookup.vectors[4..<8]) == Array(stored[8..<12]))
        #expect(Array(lookup.vectors[8..<12]) == Array(stored[8..<12]))
        #expect(Array(lookup.vectors[12..<16]) == Array(stored[116..<120]))
        #expect(Array(lookup.vectors[16..<20]) == Array(stored[28..<32]))

        let otherModel = try cache.lookup(model: modelB, texts: query, dimension: 4)
        #expect(otherModel.hitCount == 0, "a different model must never read these vectors")
        #expect(throws: EmbeddingCacheError.self) { _ = try cache.lookup(model: modelA, texts: query, dimension: 8) }
        #expect(throws: EmbeddingCacheError.vectorCountMismatch(texts: 2, values: 7, dimension: 4)) {
            try cache.insert(model: modelA, texts: ["a", "b"], vectors: [Float](repeating: 0, count: 7), dimension: 4)
        }
    }

    @Test func vectorsAreStoredAsFloat32LittleEndian() throws {
        let store = try Store.inMemory()
        try EmbeddingCache(store: store).insert(model: modelA, texts: ["x"], vectors: [1.0, -2.5], dimension: 2)
        let blob = try store.read { try Data.fetchOne($0, sql: "SELECT vector FROM embedding_cache")! }
        #expect(Array(blob) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0])
    }

    @Test func batchesLargerThanTheVariableLimitAreChunked() throws {
        let store = try Store.inMemory()
        #expect(try store.read { $0.maximumStatementArgumentCount } >= 999)
        let count = 50
        let texts = (0..<count).map { "text \($0)" }
        let cache = EmbeddingCache(store: store, maximumDigestsPerStatement: 7)
        try cache.insert(model: modelA, texts: texts, vectors: vectors(count: count, dimension: 2, seed: 0), dimension: 2)
        let lookup = try cache.lookup(model: modelA, texts: texts.reversed(), dimension: 2)
        #expect(lookup.hitCount == count)
        #expect(lookup.vectors[0] == Float(2 * (count - 1)) * 0.001)
    }

    @Test func statisticsAndPrunePerModel() throws {
        let store = try Store.inMemory()
        let cache = EmbeddingCache(store: store)
        try cache.insert(model: modelA, texts: ["a", "b", "c"], vectors: vectors(count: 3, dimension: 4, seed: 0), dimension: 4)
        try cache.insert(model: modelB, texts: ["a"], vectors: vectors(count: 1, dimension: 4, seed: 1), dimension: 4)
        let statistics = try cache.statistics()
        #expect(statistics.entries == 4)
        #expect(statistics.models.map(\.fingerprint) == [modelA.hex, modelB.hex])
        #expect(statistics.models[0].bytes == 3 * (16 + 32) && statistics.models[0].dimension == 4)
        #expect(statistics.fileBytes > 0)

        let unknown = try ModelFingerprint(hex: String(repeating: "0", count: 64))
        #expect(throws: EmbeddingCacheError.self) { try cache.prune(keepingModel: unknown) }
        #expect(try cache.statistics().entries == 4)
        #expect(try cache.prune(keepingModel: modelA) == 1)
        #expect(try cache.statistics().models.map(\.fingerprint) == [modelA.hex])
    }

    @Test(.timeLimit(.minutes(1)))
    func twoConnectionsReadAndWriteTheSameFileAtOnce() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("cache.db")
        _ = try Store(path: path)
        let dimension = 16
        let batches = 40
        // Two independent pools on one file: separate SQLite connections that
        // coordinate only through the file locks, as two processes do.
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    let cache = EmbeddingCache(store: try Store(path: path, options: .init(busyTimeoutSeconds: 10)))
                    var hits = 0
                    for batch in 0..<batches {
                        let texts = (0..<32).map { "writer \(writer) batch \(batch) text \($0)" }
                        try cache.insert(
                            model: modelA, texts: texts,
                            vectors: vectors(count: 32, dimension: dimension, seed: Float(writer)), dimension: dimension)
                        let otherTexts = (0..<32).map { "writer \(1 - writer) batch \(batch / 2) text \($0)" }
                        hits += try cache.lookup(model: modelA, texts: texts + otherTexts, dimension: dimension).hitCount
                    }
                    return hits
                }
            }
            var all: [Int] = []
            for try await hits in group { all.append(hits) }
            return all
        }
        #expect(results.allSatisfy { $0 >= batches * 32 })
        let store = try Store(path: path)
        #expect(try EmbeddingCache(store: store).statistics().entries == 2 * batches * 32)
        #expect(try store.integrityProblems().isEmpty)
    }
}
