import ArgumentParser
import Foundation
import Hummingbird
import Logging
import WeftRec
import WeftService
import WeftStore

/// `weft serve`: the HTTP service (embeddings, tokenization, recommendations, metrics).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve embeddings and recommendations over HTTP.",
        discussion: """
            Routes: POST /v1/embeddings (OpenAI-compatible), POST /embed, POST /tokenize, GET /info, GET /health, \
            GET /metrics (Prometheus), POST /products, GET /products/{id}/similar, GET /products/{id}/audience, \
            GET /users/{id}/recommendations, GET /explain. See docs/API.md.
            Concurrent embedding requests are merged into encoder batches of at most --max-batch-tokens tokens; \
            an idle encoder waits at most --max-wait-ms for a batch to fill. SIGTERM or SIGINT stops accepting \
            connections, finishes the requests in flight, then exits.
            """)

    @Option(help: "SQLite store: its embedding cache is read first and filled with what had to be encoded.")
    var db: String

    @Option(help: "Text encoder folder for the embedding routes: config.json, model.safetensors, vocab.txt or spm.model, pooling settings.")
    var encoder: String = "models/external/all-MiniLM-L6-v2"

    @Option(help: "Recommendation model folder written by `weft train` on --db (default: none; the recommendation routes then answer 503).")
    var model: String?

    @Flag(inversion: .prefixedNo, help: "Read and fill the store's embedding cache (default: on; --no-cache encodes every text, e.g. to measure the encoder).")
    var cache = true

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(help: ArgumentHelp(
        "Real tokens (special tokens included) per encoder batch (default: 8192).",
        discussion: "Sequences are packed without padding: with 8192 one can fit 64 texts of 128 tokens. Must be at least the model's maximum input length."))
    var maxBatchTokens: Int = 8192

    @Option(help: "Sequences per encoder batch (default: 64).")
    var maxBatchSequences: Int = 64

    @Option(help: "Milliseconds the encoder waits, after the previous batch or the oldest request, for a batch to fill (default: 5).")
    var maxWaitMs: Int = 5

    @Option(help: "Sequences that may wait for the encoder; requests past it get 429 (default: 4096).")
    var maxQueuedSequences: Int = 4096

    @Option(help: "Texts in one embedding request (default: 256).")
    var maxClientBatchSize: Int = 256

    @Option(help: "Largest request body in bytes; larger ones get 413 (default: 2 MiB).")
    var maxBodyBytes: Int = 2 << 20

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: info).")
    var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let configuration = ServiceConfiguration(
            host: host, port: port, storePath: cache ? db : nil, modelDirectory: encoder, maximumBatchTokens: maxBatchTokens,
            maximumBatchSequences: maxBatchSequences, maximumWait: .milliseconds(maxWaitMs),
            maximumQueuedSequences: maxQueuedSequences, maximumTextsPerRequest: maxClientBatchSize,
            maximumBodyBytes: maxBodyBytes, threads: threads)
        let engine = try model.map { try makeEngine(modelDirectory: URL(fileURLWithPath: $0)) }
        do {
            try await buildApplication(configuration: configuration, recommendations: engine).runService()
        } catch let error as ServiceConfigurationError {
            throw ValidationError(error.description)
        }
    }

    /// The engine over the store, encoding new product text with --encoder when the model was trained
    /// with it, else with the model's own (hashed) text features.
    private func makeEngine(modelDirectory: URL) throws -> RecommendationEngine {
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("--db \(db) does not exist; create it with `weft import --data DIR --db \(db)`")
        }
        let store = try Store(path: db)
        do {
            let text = try TransformerTextEncoder(modelDirectory: URL(fileURLWithPath: encoder), cache: store)
            return try RecommendationEngine(modelDirectory: modelDirectory, store: store, encoder: text)
        } catch RecommendationError.noTextEncoder {
            return try RecommendationEngine(modelDirectory: modelDirectory, store: store)
        }
    }
}
