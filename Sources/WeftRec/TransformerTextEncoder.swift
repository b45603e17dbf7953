import Foundation
import WeftStore
import WeftText

/// Weft's Transformer text encoder (a model folder) as a `TextEncoding`,
/// reading and filling a store's embedding cache when one is given. Its
/// cache key is the one `weft embed --cache` uses with default settings
/// (model fingerprint with pooling, normalisation and truncation folded in),
/// so vectors made by either are shared.
public final class TransformerTextEncoder: TextEncoding, @unchecked Sendable {
    public let embedder: TextEmbedder
    public let fingerprint: ModelFingerprint
    public let cache: EmbeddingCache?
    public let source: TextEmbeddingSource
    let strategy = LongTextStrategy.truncate(.right)
    let lock = NSLock()

    public init(modelDirectory: URL, cache store: Store? = nil, batchSize: Int = 32) throws {
        embedder = try TextEmbedder(modelDirectory: modelDirectory, batchSize: batchSize)
        let model = try ModelFingerprint(configurationFile: modelDirectory.appendingPathComponent("config.json").path,
                                         weightsFile: modelDirectory.appendingPathComponent("model.safetensors").path)
        let normalize: Bool? = nil
        let settings = "normalize=\(String(describing: normalize))|strategy=\(strategy)"
        fingerprint = ModelFingerprint(configuration: Data("\(model.hex)|\(settings)".utf8), weights: Data())
        cache = store.map { EmbeddingCache(store: $0) }
        source = TextEmbeddingSource(kind: .encoder, dimension: embedder.dimension, identity: fingerprint.hex,
                                     detail: modelDirectory.standardizedFileURL.lastPathComponent)
    }

    /// (texts.count, D): cached vectors where there are any, the rest encoded and cached.
    public func embed(_ texts: [String]) throws -> Tensor {
        lock.lock()
        defer { lock.unlock() }
        let d = embedder.dimension
        let out = Tensor(zeros: [texts.count, d])                             // (N, D)
        var missing = Array(texts.indices)
        if let cache {
            let hit = try cache.lookup(model: fingerprint, texts: texts, dimension: d)
            hit.vectors.withUnsafeBufferPointer { v in
                for i in texts.indices where hit.found[i] { (out.data + i * d).update(from: v.baseAddress! + i * d, count: d) }
            }
            missing = hit.missingIndices
        }
        guard !missing.isEmpty else { return out }
        let encoded = try embedder.embed(missing.map { texts[$0] }, longTexts: strategy).vectors   // (M, D)
        for (k, i) in missing.enumerated() { (out.data + i * d).update(from: encoded.data + k * d, count: d) }
        try cache?.insert(model: fingerprint, texts: missing.map { texts[$0] },
                          vectors: Array(encoded.rows(0..<missing.count).scalars), dimension: d)
        return out
    }
}
