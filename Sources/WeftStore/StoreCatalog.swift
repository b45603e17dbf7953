import Foundation
import GRDB

/// The catalog tables of a store read in one transaction, products, users
/// and interactions in insertion order (links, kept without rowid, by key),
/// so a reader that numbers entities by first appearance numbers them the
/// same way every time.
public struct StoreCatalog: Sendable {
    /// An interaction row with its primary key, so evidence can name it.
    public struct Interaction: Sendable, Equatable {
        /// `interactions.id`.
        public var id: Int64
        public var user: String
        public var product: String
        public var timestamp: Int64
        public var rating: Double?
        public var review: String?

        public init(id: Int64, user: String, product: String, timestamp: Int64, rating: Double?, review: String?) {
            self.id = id
            self.user = user
            self.product = product
            self.timestamp = timestamp
            self.rating = rating
            self.review = review
        }
    }

    public init() {}

    public var products: [ProductRecord] = []
    public var users: [String] = []
    public var interactions: [Interaction] = []
    public var productLinks: [LinkRecord] = []
    public var userLinks: [LinkRecord] = []

    /// Reads every catalog table of `store`.
    public static func read(_ store: Store) throws -> StoreCatalog {
        try store.read { db in
            var catalog = StoreCatalog()
            for row in try Row.fetchAll(db, sql: "SELECT id, title, description, brand, categories, price FROM products ORDER BY rowid") {
                var p = ProductRecord(id: row["id"])
                p.title = row["title"]
                p.description = row["description"]
                p.brand = row["brand"]
                p.price = row["price"]
                let categories: String = row["categories"] ?? "[]"
                p.categories = (try? JSONDecoder().decode([String].self, from: Data(categories.utf8))) ?? []
                catalog.products.append(p)
            }
            catalog.users = try String.fetchAll(db, sql: "SELECT id FROM users ORDER BY rowid")
            for row in try Row.fetchAll(db, sql: "SELECT id, user, product, timestamp, rating, review FROM interactions ORDER BY id") {
                catalog.interactions.append(Interaction(id: row["id"], user: row["user"], product: row["product"],
                                                        timestamp: row["timestamp"], rating: row["rating"],
                                                        review: row["review"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT source, target, relation FROM product_links ORDER BY source, target, relation") {
                catalog.productLinks.append(LinkRecord(source: row["source"], target: row["target"], relation: row["relation"]))
            }
            for row in try Row.fetchAll(db, sql: "SELECT source, target, relation FROM user_links ORDER BY source, target, relation") {
                catalog.userLinks.append(LinkRecord(source: row["source"], target: row["target"], relation: row["relation"]))
            }
            return catalog
        }
    }

    /// Inserts (or replaces) one product with its brand, categories and
    /// outgoing product links, in one transaction, as the importer writes them.
    public static func upsert(_ product: ProductRecord, links: [LinkRecord] = [], into store: Store) throws {
        try store.write { db in
            if let brand = product.brand, !brand.isEmpty {
                try db.execute(sql: "INSERT INTO brands(name) VALUES (?) ON CONFLICT(name) DO NOTHING", arguments: [brand])
            }
            let categories = String(data: try JSONEncoder().encode(product.categories), encoding: .utf8)!
            try db.execute(sql: """
                INSERT INTO products(id, title, description, brand, categories, price)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, description = excluded.description,
                    brand = excluded.brand, categories = excluded.categories, price = excluded.price
                """, arguments: [product.id, product.title, product.description,
                                 product.brand.flatMap { $0.isEmpty ? nil : $0 }, categories, product.price])
            for c in product.categories where !c.isEmpty {
                try db.execute(sql: "INSERT INTO categories(name) VALUES (?) ON CONFLICT(name) DO NOTHING", arguments: [c])
                try db.execute(sql: """
                    INSERT INTO product_categories(product, category) SELECT ?, id FROM categories WHERE name = ?
                    ON CONFLICT DO NOTHING
                    """, arguments: [product.id, c])
            }
            for l in links {
                try db.execute(sql: "INSERT INTO product_links(source, target, relation) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                               arguments: [l.source, l.target, l.relation])
            }
        }
    }
}
