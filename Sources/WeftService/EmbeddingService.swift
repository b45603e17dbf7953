import Foundation
import Logging
import WeftCore
import WeftStore
import WeftText

/// Texts in, vectors out, for the HTTP routes: tokenizes in the request's
/// task, serves what it can from the store's embedding cache, sends only the
/// misses through the dynamic batcher, and fills the cache with them.
public final class EmbeddingService: @unchecked Sendable {
    /// Shared with the batcher's thread: requests only read its immutable
    /// tokenizer and settings; the encoder and workspace belong to the batcher.
    let embedder: TextEmbedder
    public let batcher: EmbeddingBatcher
    public let cache: EmbeddingCache?
    /// SHA-256 of the model's config.json and model.safetensors.
    public let modelFingerprint: ModelFingerprint
    /// The model folder's name, reported as `model` in responses.
    public let modelName: String
    let metrics: ServiceMetrics
    let logger: Logger

    /// Loads the model of `configuration`, checks the batching settings against it and starts the encoder thread.
    public init(configuration: ServiceConfiguration, metrics: ServiceMetrics, logger: Logger) throws {
        let directory = URL(fileURLWithPath: configuration.modelDirectory)
        let embedder = try TextEmbedder(modelDirectory: directory, batchSize: configuration.maximumBatchSequences)
        try configuration.validate(maximumLength: embedder.maximumLength)
        self.embedder = embedder
        modelFingerprint = try ModelFingerprint(
            configurationFile: directory.appendingPathComponent("config.json").path,
            weightsFile: directory.appendingPathComponent("model.safetensors").path)
        modelName = directory.standardizedFileURL.lastPathComponent
        cache = try configuration.storePath.map { EmbeddingCache(store: try Store(path: $0)) }
        self.metrics = metrics
        self.logger = logger
        batcher = EmbeddingBatcher(
            embedder: embedder,
            limits: .init(maximumBatchTokens: configuration.maximumBatchTokens,
                          maximumBatchSequences: configuration.maximumBatchSequences,
                          maximumWait: configuration.maximumWait,
                          maximumQueuedSequences: configuration.maximumQueuedSequences),
            metrics: metrics)
    }

    public var dimension: Int { embedder.dimension }
    /// Tokens per encoded sequence, special tokens included.
    public var maximumLength: Int { embedder.maximumLength }
    public var tokenizer: any Tokenizer { embedder.tokenizer }

    /// Windows of a chunked text share this many tokens (as `weft embed --chunk` by default).
    var chunkOverlap: Int { min(32, max(0, embedder.contentRoom / 4)) }

    /// The encoder's long-text strategy for `options` (`refuse` truncates nothing: long texts were refused already).
    func strategy(_ options: EmbeddingOptions) -> LongTextStrategy {
        switch options.longTexts {
        case .truncate(let side): .truncate(side)
        case .chunk: .chunk(overlap: chunkOverlap)
        case .refuse: .truncate(.right)
        }
    }

    /// `field` names the request's list of texts in error messages (`input`, `texts`).
    public func embed(_ texts: [String], options: EmbeddingOptions, field: String) async throws -> EmbeddingResult {
        let strategy = strategy(options)
        let prepared: TextEmbedder.PreparedTexts
        do {
            prepared = try embedder.sequences(for: texts, longTexts: strategy)
        } catch {
            throw ServiceError.invalid(field: field, "could not be tokenized: \(error)")
        }
        if options.longTexts == .refuse,
           let index = prepared.contentTokenCounts.firstIndex(where: { $0 > embedder.contentRoom }) {
            throw ServiceError.invalid(
                field: "\(field)[\(index)]",
                "has \(prepared.contentTokenCounts[index]) tokens, more than the \(embedder.contentRoom) that fit "
                    + "(the model's maximum length is \(embedder.maximumLength) with special tokens); "
                    + "set truncate or chunk to true")
        }
        let d = dimension
        // The same key as `weft embed --cache`, so vectors made by either are shared.
        let key = ModelFingerprint(
            configuration: Data("\(modelFingerprint.hex)|normalize=\(String(describing: options.normalize))|strategy=\(strategy)".utf8),
            weights: Data())
        var vectors = [Float](repeating: 0, count: texts.count * d)
        var missing = Array(texts.indices)
        if let cache {
            let lookup = try cache.lookup(model: key, texts: texts, dimension: d)
            vectors = lookup.vectors
            missing = lookup.missingIndices
        }
        let hits = texts.count - missing.count
        if !missing.isEmpty {
            let work = missing.count == texts.count ? prepared : prepared.subset(missing)
            let pooled: [Float]
            do {
                pooled = try await batcher.pool(work.sequences)
            } catch let failure as EmbeddingBatcher.Failure {
                switch failure {
                case .queueFull:
                    metrics.recordRejection("queue_full")
                    throw ServiceError(.tooManyRequests, failure.description)
                case .shuttingDown:
                    metrics.recordRejection("shutting_down")
                    throw ServiceError(.serviceUnavailable, failure.description)
                case .sequenceTooLong:
                    throw ServiceError.invalid(field: field, failure.description)
                }
            }
            let encoded = pooled.withUnsafeBufferPointer { embedder.combine(work, pooled: $0.baseAddress!, normalize: options.normalize) }
            for (row, index) in missing.enumerated() {
                vectors.withUnsafeMutableBufferPointer { out in
                    (out.baseAddress! + index * d).update(from: encoded.data + row * d, count: d)
                }
            }
            if let cache {
                do {
                    try cache.insert(model: key, texts: missing.map { texts[$0] },
                                     vectors: Array(encoded.scalars), dimension: d)
                } catch {
                    // A full or locked store must not fail a request whose vectors are ready.
                    logger.warning("embedding cache insert failed", metadata: ["error": "\(error)"])
                }
            }
            metrics.recordEncodedTexts(missing.count, tokens: work.tokenCount)
        }
        if cache != nil { metrics.recordCache(hits: hits, misses: missing.count) }
        return EmbeddingResult(
            vectors: texts.indices.map { Array(vectors[$0 * d..<($0 + 1) * d]) },
            promptTokens: prepared.tokenCount,
            truncatedTokenCounts: prepared.truncatedTokenCounts,
            chunkCounts: prepared.chunkCounts,
            cacheHits: hits)
    }
}
