import ArgumentParser
import Foundation
import WeftCore
import WeftStore
import WeftText

/// `weft bench store`: import throughput and peak memory on a converted dataset,
/// then embedding-cache look-up throughput for hits.
struct BenchStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Import rows/s and peak memory on a dataset folder; cache look-up vectors/s for hits (batches of 32 and 1024).",
        discussion: """
            Run it on the largest converted dataset, e.g. `weft convert epinions ... --output /tmp/epinions` then \
            `weft bench store --data /tmp/epinions`. The last line is one JSON object; cache_hit_vectors_per_s is the \
            figure for batches of 1024. Look-ups go through the full path: normalise and hash each text, one SELECT per batch.
            """)

    @Option(help: "Dataset folder to import (Weft dataset format).")
    var data: String

    @Option(help: "Database file to import into; it is deleted first. (default: a temporary file)")
    var db: String?

    @Option(name: .customLong("cache-entries"), help: "Distinct texts stored in the cache before the look-ups. (default: 20000)")
    var cacheEntries: Int = 20_000

    @Option(help: "Embedding dimension of the cached vectors. (default: 384, as all-MiniLM-L6-v2)")
    var dimension: Int = 384

    @Option(help: "Seconds to spend on each look-up batch size. (default: 2)")
    var seconds: Double = 2

    @Option(help: "Seed for the random vectors. (default: 6)")
    var seed: UInt64 = 6

    @Option(help: "Encoder model folder: also encode the same texts, for comparison with cache hits (default: none; e.g. models/external/all-MiniLM-L6-v2).")
    var model: String?

    @Option(name: .customLong("encode-texts"), help: "How many of the texts to encode with --model. (default: 256)")
    var encodeTexts: Int = 256

    func run() throws {
        let temporaryFolder = FileManager.default.temporaryDirectory.appendingPathComponent("weft-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporaryFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporaryFolder) }
        let path = db ?? temporaryFolder.appendingPathComponent("bench.db").path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

        let store = try Store(path: path)
        let cpuBefore = cpuSeconds()
        let summary = try DatasetImporter(store: store).importDataset(from: data)
        let importCPU = cpuSeconds() - cpuBefore
        let importRowsPerSecond = Double(summary.linesImported) / summary.seconds
        let peakMegabytes = peakResidentMegabytes()
        print("import: \(summary.linesImported) rows in \(String(format: "%.2f", summary.seconds)) s wall "
            + "(\(String(format: "%.2f", importCPU)) s CPU) = \(Int(importRowsPerSecond)) rows/s, peak RSS \(Int(peakMegabytes)) MB")
        print("store now holds \(summary.countsAfter)")

        let texts = try benchmarkTexts(store)
        let fingerprint = ModelFingerprint(configuration: Data("bench store \(dimension)".utf8), weights: Data())
        var generator = SeededGenerator(seed: seed)
        let vectors = (0..<texts.count * dimension).map { _ in generator.nextNormal() }
        let cache = EmbeddingCache(store: store)
        let insertStarted = Date()
        try cache.insert(model: fingerprint, texts: texts, vectors: vectors, dimension: dimension)
        let insertSeconds = Date().timeIntervalSince(insertStarted)
        print("cache insert: \(texts.count) vectors of dimension \(dimension) in \(String(format: "%.2f", insertSeconds)) s "
            + "= \(Int(Double(texts.count) / insertSeconds)) vectors/s (one transaction)")

        var hitRates: [Int: Double] = [:]
        for batchSize in [32, 1024] {
            var looked = 0
            var batchStart = 0
            let started = Date()
            while Date().timeIntervalSince(started) < seconds {
                let end = min(batchStart + batchSize, texts.count)
                let batch = Array(texts[batchStart..<end])
                let lookup = try cache.lookup(model: fingerprint, texts: batch, dimension: dimension)
                guard lookup.hitCount == batch.count else {
                    throw ValidationError("cache look-up missed \(batch.count - lookup.hitCount) of \(batch.count) stored texts")
                }
                looked += batch.count
                batchStart = end == texts.count ? 0 : end
            }
            let elapsed = Date().timeIntervalSince(started)
            hitRates[batchSize] = Double(looked) / elapsed
            print("cache look-up, batches of \(batchSize): \(Int(hitRates[batchSize]!)) hit vectors/s")
        }

        // The same texts through the encoder, batch 32, for the cache's raison d'être.
        var encodeRate: Double?
        if let model {
            let embedder = try TextEmbedder(modelDirectory: URL(fileURLWithPath: model), batchSize: 32)
            let sample = Array(texts.prefix(encodeTexts))
            let start = Date()
            _ = try embedder.embed(sample)
            encodeRate = Double(sample.count) / Date().timeIntervalSince(start)
            print("encoder (\(model)): \(sample.count) texts at \(Int(encodeRate!)) vectors/s; "
                + "cache hits are \(Int(hitRates[1024]! / encodeRate!))× faster")
        }

        var result: [(String, Any)] = [
            ("benchmark", "store"),
            ("dataset", data),
            ("import_rows", summary.linesImported),
            ("import_seconds", rounded(summary.seconds)),
            ("import_cpu_seconds", rounded(importCPU)),
            ("import_rows_per_s", Int(importRowsPerSecond)),
            ("import_peak_rss_mb", Int(peakMegabytes)),
            ("cache_dimension", dimension),
            ("cache_entries", texts.count),
            ("cache_insert_vectors_per_s", Int(Double(texts.count) / insertSeconds)),
            ("cache_hit_vectors_per_s_batch_32", Int(hitRates[32]!)),
            ("cache_hit_vectors_per_s_batch_1024", Int(hitRates[1024]!)),
            ("cache_hit_vectors_per_s", Int(hitRates[1024]!)),
        ]
        if let encodeRate { result.append(("encode_vectors_per_s", rounded(encodeRate))) }
        print("{" + result.map { "\"\($0.0)\": \(jsonLiteral($0.1))" }.joined(separator: ", ") + "}")
    }

    /// Product text from the imported catalog (title and description), padded with
    /// numbered texts when the catalog has fewer distinct texts than requested.
    private func benchmarkTexts(_ store: Store) throws -> [String] {
        var texts = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT trim(coalesce(title, '') || char(10) || coalesce(description, '')) AS text
                FROM products WHERE title IS NOT NULL OR description IS NOT NULL LIMIT ?
                """, arguments: [cacheEntries])
        }
        var seen = Set(texts.map(TextDigest.init(text:)))
        var index = 0
        while texts.count < cacheEntries {
            let text = "catalog product \(index): text the dataset does not provide"
            if seen.insert(TextDigest(text: text)).inserted { texts.append(text) }
            index += 1
        }
        return texts
    }
}

private func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

private func jsonLiteral(_ value: Any) -> String {
    switch value {
    case let string as String: return JSONValue.string(string).serialized
    case let integer as Int: return String(integer)
    case let double as Double: return String(double)
    default: return "null"
    }
}

private func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Peak resident memory of this process so far (Linux reports ru_maxrss in KiB).
private func peakResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}
