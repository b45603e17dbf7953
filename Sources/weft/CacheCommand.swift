import ArgumentParser
import Foundation
import WeftStore

/// `weft cache ...`: inspect and trim the text-embedding cache.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect and prune the text-embedding cache in the SQLite store.",
        subcommands: [CacheStatsCommand.self, CachePruneCommand.self]
    )
}

struct CacheStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Entries, bytes and dimension per model fingerprint.")

    @Option(help: "SQLite database file.")
    var db: String

    func run() throws {
        let store = try Store(path: db, options: .init(readOnly: true))
        let statistics = try EmbeddingCache(store: store).statistics()
        print("\(db): \(statistics.entries) cached vectors, \(formatBytes(statistics.bytes)) "
            + "(database file \(formatBytes(statistics.fileBytes))), \(statistics.models.count) model(s)")
        let dateFormatter = ISO8601DateFormatter()
        for model in statistics.models {
            print("  \(model.fingerprint)  \(model.entries) vectors, dimension \(model.dimension), "
                + "\(formatBytes(model.bytes)), \(dateFormatter.string(from: model.oldest)) … "
                + dateFormatter.string(from: model.newest))
        }
    }
}

struct CachePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete every cached vector except those of one model.")

    @Option(help: "SQLite database file.")
    var db: String

    @Option(name: .customLong("keep-model"), help: "Fingerprint (64 hex digits, from `weft cache stats`) of the model whose vectors stay.")
    var keepModel: String

    func run() throws {
        let model = try ModelFingerprint(hex: keepModel)
        let store = try Store(path: db)
        let deleted = try EmbeddingCache(store: store).prune(keepingModel: model)
        store.checkpoint()
        let left = try EmbeddingCache(store: store).statistics()
        print("deleted \(deleted) vectors; \(left.entries) left for model \(model.hex)")
    }
}

func formatBytes(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
