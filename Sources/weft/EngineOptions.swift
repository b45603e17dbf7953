import ArgumentParser
import Foundation
import WeftRec
import WeftStore

/// Where `weft recommend`, `similar`, `audience`, `explain` and
/// `add-product` find their model and data.
struct EngineOptions: ParsableArguments {
    @Option(help: "SQLite store the model was trained on (the source of truth: catalog, reviews, products added since).")
    var db: String?

    @Option(help: "Dataset folder instead of --db (read-only: add-product cannot persist into it).")
    var data: String?

    @Option(help: "Model folder written by `weft train`.")
    var model: String

    @Option(help: "Transformer encoder folder for new text, when the model was trained with one (default: the model's own hashed encoder, if any).")
    var encoder: String?

    func validate() throws {
        if (db == nil) == (data == nil) { throw ValidationError("give exactly one of --db or --data") }
    }

    func makeEngine() throws -> RecommendationEngine {
        let modelURL = URL(fileURLWithPath: model)
        if let db {
            guard FileManager.default.fileExists(atPath: db) else {
                throw ValidationError("--db \(db) does not exist; create it with `weft import --data DIR --db \(db)`")
            }
            let store = try Store(path: db)
            let encoder = try encoder.map { try TransformerTextEncoder(modelDirectory: URL(fileURLWithPath: $0), cache: store) }
            return try RecommendationEngine(modelDirectory: modelURL, store: store, encoder: encoder)
        }
        let encoder = try encoder.map { try TransformerTextEncoder(modelDirectory: URL(fileURLWithPath: $0)) }
        return try RecommendationEngine(modelDirectory: modelURL, datasetFolder: data!, encoder: encoder)
    }
}

/// JSON for machines: snake_case keys, sorted, one document.
enum ResultJSON {
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        Swift.print(String(data: try encoder.encode(value), encoding: .utf8)!)
    }
}
