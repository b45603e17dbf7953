import Foundation
import GRDB
@testable import WeftStore

/// Writes small dataset folders for tests, one string per line.
enum DatasetFixture {
    static func write(_ files: [String: [String]], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, lines) in files {
            let text = lines.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
        }
    }

    static let catalog: [String: [String]] = [
        "products.jsonl": [
            #"{"id": "B1", "title": "Visa Gift Card", "brand": "Visa", "categories": ["Gift Cards", "Prepaid"], "price": 25.0, "color": "blue"}"#,
            #"{"id": "B2", "title": "Savings account", "description": "Easy access", "categories": ["Banking"]}"#,
            #"{"id": "B3", "title": "Index fund"}"#,
        ],
        "users.jsonl": [
            #"{"id": "U1", "attributes": {"age": 34, "segment": "retail"}}"#,
        ],
        "interactions.jsonl": [
            #"{"user": "U1", "product": "B1", "timestamp": 1514764800, "rating": 5, "review": "Easy to use, no fees."}"#,
            #"{"user": "U2", "product": "B2", "timestamp": 1514764900, "verified": true}"#,
            #"{"user": "U2", "product": "B3", "timestamp": 1514765000, "rating": 3.5}"#,
        ],
        "product_links.jsonl": [
            #"{"source": "B1", "target": "B2", "relation": "also_bought"}"#,
        ],
        "user_links.jsonl": [
            #"{"source": "U1", "target": "U2", "relation": "trusts"}"#,
        ],
    ]

    /// Every row of every table, in a fixed order, for "exactly unchanged" comparisons.
    static func dump(_ store: Store) throws -> [String] {
        try store.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
                """)
            var lines: [String] = []
            for table in tables {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\(table): \($0.description)" }
                lines += rows.sorted()
            }
            return lines
        }
    }
}
