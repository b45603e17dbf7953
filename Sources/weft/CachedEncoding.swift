import Foundation
import WeftCore
import WeftStore

/// `weft embed --cache`: the embedding cache of a Weft store, keyed by the
/// model's fingerprint with the embedding settings folded in, so vectors made
/// with other pooling, normalisation or long-text handling are never reused.
struct CachedEncoding {
    let cache: EmbeddingCache
    let fingerprint: ModelFingerprint

    init(store path: String, modelDirectory: String, settings: String) throws {
        let store = try Store(path: path)
        cache = EmbeddingCache(store: store)
        let directory = URL(fileURLWithPath: modelDirectory)
        let model = try FingerprintMemo(store: store).fingerprint(configurationFile: directory.appendingPathComponent("config.json").path,
                                         weightsFile: directory.appendingPathComponent("model.safetensors").path)
        fingerprint = ModelFingerprint(configuration: Data("\(model.hex)|\(settings)".utf8), weights: Data())
    }

    func lookup(_ texts: [String], dimension: Int) throws -> EmbeddingLookup {
        try cache.lookup(model: fingerprint, texts: texts, dimension: dimension)
    }

    /// Stores vectors (N, D) for N newly encoded texts in one transaction.
    func insert(_ texts: [String], vectors: Tensor, dimension: Int) throws {
        guard !texts.isEmpty else { return }
        try cache.insert(model: fingerprint, texts: texts, vectors: Array(vectors.rows(0..<texts.count).scalars),
                         dimension: dimension)
    }
}
