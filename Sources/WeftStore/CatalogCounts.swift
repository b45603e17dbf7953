import GRDB

/// Row counts of the store's tables, as `weft import` reports them.
public struct CatalogCounts: Equatable, Sendable, CustomStringConvertible {
    public var products = 0
    public var users = 0
    public var interactions = 0
    public var productLinks = 0
    public var userLinks = 0
    public var categories = 0
    public var brands = 0
    public var embeddings = 0

    public init() {}

    static func fetch(_ db: Database) throws -> CatalogCounts {
        func count(_ table: String) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        }
        var counts = CatalogCounts()
        counts.products = try count("products")
        counts.users = try count("users")
        counts.interactions = try count("interactions")
        counts.productLinks = try count("product_links")
        counts.userLinks = try count("user_links")
        counts.categories = try count("categories")
        counts.brands = try count("brands")
        counts.embeddings = try count("embedding_cache")
        return counts
    }

    public var description: String {
        "\(products) products, \(users) users, \(interactions) interactions, \(productLinks) product links, "
            + "\(userLinks) user links, \(categories) categories, \(brands) brands, \(embeddings) cached embeddings"
    }
}
