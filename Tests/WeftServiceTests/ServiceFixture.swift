import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import WeftCore
import WeftService
@testable import WeftText

/// A small random BERT with a vocabulary of plain words, saved as a model
/// folder (maximum length 12 tokens), and helpers to run the service on it.
enum ServiceFixture {
    static let words = ["the", "card", "fee", "fees", "no", "gift", "bank", "account", "savings", "rate", "high",
                        "low", "travel", "points", "annual", "credit", "loan", "fund", "index", "risk", ",", ".",
                        "##s", "##ing", "a", "b", "c"]
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
    static let maximumLength = 12

    /// Made once per test process: every test reads it, none writes it.
    static let modelDirectory: URL = {
        do { return try makeModel() } catch { fatalError("could not write the tiny model: \(error)") }
    }()

    static func makeModel() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weft-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = BertConfig(vocabularySize: vocabulary.count, hiddenSize: 16, layerCount: 2, attentionHeadCount: 4,
                                intermediateSize: 24, maximumPositionCount: 32)
        let model = try TransformerEncoder(config: config, languageModelHead: false, seed: 11)
        // Stronger weights than BERT's initial 0.02, so texts get clearly different vectors.
        var rng = SeededGenerator(seed: 12)
        for p in model.parameters where p.shape.count == 2 {
            p.value.assign(Tensor.randomNormal(p.shape, std: 0.3, using: &rng))
        }
        let folder = dir.appendingPathComponent("tiny-model")
        try EncoderCheckpoint.save(model, to: folder, pooling: PoolingSettings(mode: .mean, normalize: true,
                                                                                maximumLength: maximumLength),
                                   tokenizerFile: nil)
        try (vocabulary.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("vocab.txt"),
                                                             atomically: true, encoding: .utf8)
        return folder
    }

    /// A fresh store file in a new temporary directory.
    static func storePath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weft-service-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("weft.db").path
    }

    static func configuration(store: Bool = true) throws -> ServiceConfiguration {
        ServiceConfiguration(storePath: store ? try storePath() : nil, modelDirectory: modelDirectory.path,
                             maximumBatchTokens: 256, maximumBatchSequences: 16, maximumWait: .milliseconds(1),
                             maximumQueuedSequences: 64, maximumTextsPerRequest: 32, maximumBodyBytes: 4096,
                             threads: 2)
    }

    /// Embeds without the service, as `weft embed` does.
    static func directEmbedding(_ texts: [String], longTexts: LongTextStrategy = .truncate(.right),
                                normalize: Bool? = nil) throws -> [[Float]] {
        let embedder = try TextEmbedder(modelDirectory: modelDirectory, batchSize: 4)
        let result = try embedder.embed(texts, longTexts: longTexts, normalize: normalize)
        let d = embedder.dimension
        return texts.indices.map { Array(result.vectors.scalars[$0 * d..<($0 + 1) * d]) }
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "weft.service.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` against the router of an application built from `configuration`.
    static func withService<T: Sendable>(
        _ configuration: ServiceConfiguration, recommendations: (any RecommendationBackend)? = nil,
        _ body: @Sendable (any TestClientProtocol, EmbeddingService, ServiceMetrics) async throws -> T
    ) async throws -> T {
        let built = try buildApplicationWithService(configuration: configuration, recommendations: recommendations,
                                                    logger: quietLogger)
        let service = built.service, metrics = built.metrics
        return try await built.application.test(.router) { client in try await body(client, service, metrics) }
    }

    static func json(_ object: Any) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        return try #require(value as? [String: Any], "body: \(String(decoding: response.body.readableBytesView, as: UTF8.self))")
    }

    /// The `error.field` of an error body.
    static func errorField(_ response: TestResponse) throws -> String? {
        let error = try #require(try object(response)["error"] as? [String: Any])
        return error["field"] as? String
    }

    static func vectors(_ value: Any?) -> [[Float]] {
        (value as? [[NSNumber]] ?? []).map { $0.map(\.floatValue) }
    }

    static func expectClose(_ a: [[Float]], _ b: [[Float]], tolerance: Float = 1e-5,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) {
            #expect(x.count == y.count, sourceLocation: sourceLocation)
            let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= tolerance, "largest difference \(worst)", sourceLocation: sourceLocation)
        }
    }
}
