/// The external ids of a trained model's nodes in index order: entry i of
/// `products` is the product whose row i the GNN's tables and the saved
/// embeddings hold. A dataset read later (from a store or a folder) is
/// numbered by these lists first, so indices mean the same nodes.
public struct ModelIdMaps: Codable, Sendable, Equatable {
    public var users: [String]
    public var products: [String]
    public var categories: [String]
    public var brands: [String]

    public init(users: [String], products: [String], categories: [String], brands: [String]) {
        self.users = users
        self.products = products
        self.categories = categories
        self.brands = brands
    }

    public init(_ dataset: Dataset) {
        self.init(users: dataset.userIds, products: dataset.products.map(\.id), categories: dataset.categories,
                  brands: dataset.brands)
    }
}
