import Foundation
import WeftStore
import WeftText

/// Weft's Transformer text encoder (a model folder) as a `TextEncoding`,
/// reading and filling a store's embedding cache when one is given. Its
/// cache key is the one `weft embed --cache` uses with default settings
/// (model fingerprint with pooling, normalisation and truncation folded in),
/// so vectors made by either are shared. The weights load only at the first
/// text the cache does not have, so serving cached text never pays for them.
public final class TransformerTextEncoder: TextEncoding, @unchecked Sendable {
    public let modelDirectory: URL
    public let fingerprint: ModelFingerprint
    public let cache: EmbeddingCache?
    public let source: TextEmbeddingSource
    let batchSize: Int
    let strategy = LongTextStrategy.truncate(.right)
    let lock = NSLock()
    private var loaded: TextEmbedder?

    public init(modelDirectory: URL, cache store: Store? = nil, batchSize: Int = 32) throws {
        self.modelDirectory = modelDirectory
        self.batchSize = batchSize
        let configuration = modelDirectory.appendingPathComponent("config.json").path
        let weights = modelDirectory.appendingPathComponent("model.safetensors").path
        guard let data = FileManager.default.contents(atPath: configuration),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let width = (object["hidden_size"] as? NSNumber)?.intValue, width > 0 else {
            throw ModelDirectoryError.corrupt(path: configuration, reason: "no positive integer 'hidden_size'")
        }
        // The store remembers the weights' hash by file signature, so a large model is hashed once.
        let model = try store.map { try FingerprintMemo(store: $0).fingerprint(configurationFile: configuration, weightsFile: weights) }
            ?? ModelFingerprint(configurationFile: configuration, weightsFile: weights)
        let normalize: Bool? = nil
        let settings = "normalize=\(String(describing: normalize))|strategy=\(strategy)"
        fingerprint = ModelFingerprint(configuration: Data("\(model.hex)|\(settings)".utf8), weights: Data())
        cache = store.map { EmbeddingCache(store: $0) }
        source = TextEmbeddingSource(kind: .encoder, dimension: width, identity: fingerprint.hex,
                                     detail: modelDirectory.standardizedFileURL.lastPathComponent)
    }

    func embedder() throws -> TextEmbedder {
        if let loaded { return loaded }
        let e = try TextEmbedder(modelDirectory: modelDirectory, batchSize: batchSize)
        guard e.dimension == source.dimension else {
            throw ModelDirectoryError.corrupt(path: modelDirectory.path,
                                             reason: "config.json says hidden_size \(source.dimension) but the encoder has \(e.dimension)")
        }
        loaded = e
        return e
    }

    /// (texts.count, D): cached vectors where there are any, the rest encoded and cached.
    public func embed(_ texts: [String]) throws -> Tensor {
        lock.lock()
        defer { lock.unlock() }
        let d = source.dimension
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
        let encoded = try embedder().embed(missing.map { texts[$0] }, longTexts: strategy).vectors   // (M, D)
        for (k, i) in missing.enumerated() { (out.data + i * d).update(from: encoded.data + k * d, count: d) }
        try cache?.insert(model: fingerprint, texts: missing.map { texts[$0] },
                          vectors: Array(encoded.rows(0..<missing.count).scalars), dimension: d)
        return out
    }
}
