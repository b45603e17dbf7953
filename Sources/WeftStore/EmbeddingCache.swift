import Foundation
import GRDB

/// Vectors found for a batch of texts; `vectors` is (N, D) with zeros where `found` is false.
public struct EmbeddingLookup: Sendable {
    public var dimension: Int
    /// (N, D), row i belongs to text i.
    public var vectors: [Float]
    public var found: [Bool]

    public var hitCount: Int { found.reduce(0) { $0 + ($1 ? 1 : 0) } }
    /// Indices of the texts the encoder still has to encode.
    public var missingIndices: [Int] { found.indices.filter { !found[$0] } }
}

/// Cache entries and sizes, in total and per model.
public struct CacheStatistics: Sendable {
    public struct Model: Sendable {
        public var fingerprint: String
        public var entries: Int
        public var dimension: Int
        /// Vector bytes plus the 32-byte keys.
        public var bytes: Int
        public var oldest: Date
        public var newest: Date
    }

    public var models: [Model]
    /// The whole database file (catalog included), from the page count.
    public var fileBytes: Int

    public var entries: Int { models.reduce(0) { $0 + $1.entries } }
    public var bytes: Int { models.reduce(0) { $0 + $1.bytes } }
}

/// Text embeddings keyed by (model fingerprint, SHA-256 of the normalised text).
///
/// Vectors are stored as float32 little-endian blobs. A batch look-up is one
/// `SELECT ... WHERE model_fingerprint = ? AND text_sha256 IN (...)` per
/// chunk of SQLite's bound-variable limit (32,766 on current SQLite, so one
/// statement for any realistic batch); a batch insert is one transaction.
public struct EmbeddingCache: Sendable {
    public let store: Store
    /// Caps the digests bound per statement below SQLite's own limit (tests use it to force chunking).
    let maximumDigestsPerStatement: Int?

    public init(store: Store) {
        self.init(store: store, maximumDigestsPerStatement: nil)
    }

    init(store: Store, maximumDigestsPerStatement: Int?) {
        self.store = store
        self.maximumDigestsPerStatement = maximumDigestsPerStatement
    }

    public func lookup(model: ModelFingerprint, texts: [String], dimension: Int) throws -> EmbeddingLookup {
        try lookup(model: model, digests: texts.map { TextDigest(text: $0) }, dimension: dimension)
    }

    public func lookup(model: ModelFingerprint, digests: [TextDigest], dimension: Int) throws -> EmbeddingLookup {
        guard dimension > 0 else { throw EmbeddingCacheError.invalidDimension(dimension) }
        var result = EmbeddingLookup(
            dimension: dimension, vectors: [Float](repeating: 0, count: digests.count * dimension),
            found: [Bool](repeating: false, count: digests.count))
        guard !digests.isEmpty else { return result }
        // A batch may repeat a text; every position gets the vector.
        var positions: [TextDigest: [Int]] = [:]
        for (index, digest) in digests.enumerated() { positions[digest, default: []].append(index) }
        let unique = Array(positions.keys)
        let path = store.path
        let cap = maximumDigestsPerStatement ?? Int.max
        try store.read { db in
            let chunkSize = max(1, min(cap, db.maximumStatementArgumentCount - 1))
            var start = 0
            while start < unique.count {
                let chunk = unique[start..<min(start + chunkSize, unique.count)]
                start += chunk.count
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let statement = try db.cachedStatement(sql: """
                    SELECT text_sha256, dimension, vector FROM embedding_cache
                    WHERE model_fingerprint = ? AND text_sha256 IN (\(placeholders))
                    """)
                var arguments: [any DatabaseValueConvertible] = [model.hex]
                arguments.reserveCapacity(chunk.count + 1)
                for digest in chunk { arguments.append(digest.data) }
                statement.setUncheckedArguments(StatementArguments(arguments))
                let rows = try Row.fetchCursor(statement)
                while let row = try rows.next() {
                    let stored: Int = row[1]
                    guard stored == dimension else {
                        throw EmbeddingCacheError.dimensionMismatch(
                            path: path, model: model.hex, stored: stored, requested: dimension)
                    }
                    let key: TextDigest? = try row.withUnsafeData(atIndex: 0) { data in
                        guard let data, data.count == 32 else { return nil }
                        return data.withUnsafeBytes { TextDigest(bytes: $0) }
                    }
                    guard let key, let indices = positions[key] else { continue }
                    try row.withUnsafeData(atIndex: 2) { data in
                        guard let data else { return }
                        result.vectors.withUnsafeMutableBufferPointer { vectors in
                            for index in indices {
                                let row = UnsafeMutableBufferPointer(rebasing: vectors[index * dimension..<(index + 1) * dimension])
                                EmbeddingCache.decodeLittleEndian(data, into: row)
                                result.found[index] = true
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Stores `vectors` (N, D) for the N texts, replacing what was there, in one transaction.
    public func insert(model: ModelFingerprint, texts: [String], vectors: [Float], dimension: Int) throws {
        try insert(model: model, digests: texts.map { TextDigest(text: $0) }, vectors: vectors, dimension: dimension)
    }

    public func insert(model: ModelFingerprint, digests: [TextDigest], vectors: [Float], dimension: Int) throws {
        guard dimension > 0 else { throw EmbeddingCacheError.invalidDimension(dimension) }
        guard vectors.count == digests.count * dimension else {
            throw EmbeddingCacheError.vectorCountMismatch(texts: digests.count, values: vectors.count, dimension: dimension)
        }
        let now = Int64(Date().timeIntervalSince1970)
        try store.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO embedding_cache(model_fingerprint, text_sha256, dimension, vector, created_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(model_fingerprint, text_sha256) DO UPDATE SET
                    dimension = excluded.dimension, vector = excluded.vector, created_at = excluded.created_at
                """)
            try vectors.withUnsafeBufferPointer { vectors in
                for (index, digest) in digests.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: vectors[index * dimension..<(index + 1) * dimension])
                    try statement.execute(arguments: [
                        model.hex, digest.data, dimension, EmbeddingCache.encodeLittleEndian(row), now,
                    ])
                }
            }
        }
    }

    public func statistics() throws -> CacheStatistics {
        try store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT model_fingerprint, count(*), max(dimension), sum(length(vector) + 32), min(created_at), max(created_at)
                FROM embedding_cache GROUP BY model_fingerprint ORDER BY count(*) DESC, model_fingerprint
                """)
            let models = rows.map { row in
                CacheStatistics.Model(
                    fingerprint: row[0], entries: row[1], dimension: row[2], bytes: row[3],
                    oldest: Date(timeIntervalSince1970: TimeInterval(row[4] as Int64)),
                    newest: Date(timeIntervalSince1970: TimeInterval(row[5] as Int64)))
            }
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return CacheStatistics(models: models, fileBytes: pages * pageSize)
        }
    }

    /// Deletes every vector not made by `model`; returns how many were deleted.
    /// Refuses when `model` has no vectors at all, which is almost surely a mistyped fingerprint.
    @discardableResult
    public func prune(keepingModel model: ModelFingerprint) throws -> Int {
        let path = store.path
        return try store.write { db in
            let kept = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM embedding_cache WHERE model_fingerprint = ?", arguments: [model.hex]) ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM embedding_cache") ?? 0
            if kept == 0 && total > 0 {
                throw EmbeddingCacheError.nothingToKeep(path: path, model: model.hex, entries: total)
            }
            try db.execute(sql: "DELETE FROM embedding_cache WHERE model_fingerprint != ?", arguments: [model.hex])
            return db.changesCount
        }
    }

    static func encodeLittleEndian(_ vector: UnsafeBufferPointer<Float>) -> Data {
        #if _endian(little)
        return Data(buffer: vector)
        #else
        var data = Data(capacity: vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
        #endif
    }

    static func decodeLittleEndian(_ data: Data, into vector: UnsafeMutableBufferPointer<Float>) {
        data.withUnsafeBytes { raw in
            #if _endian(little)
            UnsafeMutableRawBufferPointer(vector).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<vector.count * 4]))
            #else
            for index in vector.indices {
                vector[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
            #endif
        }
    }
}
