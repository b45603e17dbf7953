import Foundation
import Testing
@testable import WeftRec
import WeftStore
import WeftText

/// The product layer with a real (tiny, random) Transformer encoder: text
/// vectors go through the store's embedding cache, and a product added in
/// one engine is found by the next through that cache, with no encoder.
struct TransformerTextEncoderTests {
    static let words = ["the", "jazz", "trumpet", "saxophone", "metal", "guitar", "drums", "opera", "soprano", "aria",
                        "item", "brand", "genre", "great", "love", "sound", ".", "!", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]

    static func tinyModel() throws -> URL {
        let folder = Fixtures.folder().appendingPathComponent("encoder")
        let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
        let config = BertConfig(vocabularySize: vocabulary.count, hiddenSize: 16, layerCount: 1, attentionHeadCount: 2,
                                intermediateSize: 24, maximumPositionCount: 32)
        let model = try TransformerEncoder(config: config, languageModelHead: false, seed: 3)
        var rng = SeededGenerator(seed: 4)
        for p in model.parameters where p.shape.count == 2 { p.value.assign(Tensor.randomNormal(p.shape, std: 0.3, using: &rng)) }
        try EncoderCheckpoint.save(model, to: folder, pooling: PoolingSettings(mode: .mean, normalize: true, maximumLength: 24),
                                   tokenizerFile: nil)
        try (vocabulary.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("vocab.txt"), atomically: true,
                                                              encoding: .utf8)
        return folder
    }

    @Test func encoderTextIsCachedAndNewProductsSurviveAReopen() throws {
        let folder = RecommendationFixture.folder()
        let (store, path) = try RecommendationFixture.store(folder)
        let encoderFolder = try Self.tinyModel()
        let encoder = try TransformerTextEncoder(modelDirectory: encoderFolder, cache: store)
        let dataset = try Dataset.load(store: store, name: "fixture")
        let out = Fixtures.folder()
        let trained = try ModelTraining.run(dataset: dataset, directory: out, encoder: encoder,
                                            options: RecommendationFixture.options(epochs: 2))
        #expect(trained.configuration.textSource == encoder.source)
        #expect(trained.configuration.dataDigests["store catalog"]?.count == 64)
        // Product texts, names and reviews were encoded once and cached under the encoder's fingerprint.
        let cached = try EmbeddingCache(store: store).lookup(model: encoder.fingerprint, texts: dataset.products.map(\.text),
                                                            dimension: 16)
        #expect(cached.hitCount == dataset.productCount)

        let engine = try RecommendationEngine(modelDirectory: out, store: store, encoder: encoder)
        let added = try engine.addProduct(NewProduct(id: "fresh", title: "item fresh", description: "jazz trumpet saxophone",
                                                     categories: ["genre0"]))
        #expect(added.embeddingSource.hasPrefix("cache") || added.embeddingSource.hasPrefix("encoder"))
        let explanation = try engine.explain(user: "u0-0", product: "fresh")
        #expect(explanation.notes.allSatisfy { !$0.contains("no encoder") })

        // No encoder now: the new product's vector comes from the cache.
        let reopened = try RecommendationEngine(modelDirectory: out, store: try Store(path: path))
        #expect(try reopened.productEmbedding("fresh") == (try engine.productEmbedding("fresh")))
        #expect(throws: RecommendationError.noTextEncoder(
            "the model's text embeddings came from encoder; pass the product's 'embedding' (16 values)")) {
            try reopened.addProduct(NewProduct(id: "other", title: "opera aria"))
        }
        #expect(try reopened.addProduct(NewProduct(id: "other", title: "opera aria", embedding: [Float](repeating: 0.25, count: 16))).embeddingSource == "request")

        // A product imported after training, never encoded: the engine still opens and places it from its edges.
        var late = ProductRecord(id: "late")
        late.title = "metal drums"
        late.categories = ["genre1"]
        try StoreCatalog.upsert(late, into: store)
        let third = try RecommendationEngine(modelDirectory: out, store: try Store(path: path))
        #expect(try third.similar(product: "late", k: 2).count == 2)
        #expect(try third.productEmbedding("other") == (try reopened.productEmbedding("other")))
    }
}
