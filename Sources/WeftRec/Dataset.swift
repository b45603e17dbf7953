@_exported import WeftGraph

/// A dataset in memory, index-based: users, products, categories and
/// brands are numbered densely in order of first appearance, and every
/// interaction and link refers to those numbers. Built by `load(folder:)`
/// from the dataset format (DATA_FORMAT.md) or, later, from the store;
/// splits, baselines and the graph all start from this one type.
public struct Dataset: Sendable {
    public struct Product: Sendable, Equatable {
        public var id: String
        public var title: String
        public var description: String
        /// Index into `brands`, if the product names a brand.
        public var brand: Int32?
        /// Indices into `categories`.
        public var categories: [Int32]

        public init(id: String, title: String = "", description: String = "", brand: Int32? = nil,
                    categories: [Int32] = []) {
            self.id = id
            self.title = title
            self.description = description
            self.brand = brand
            self.categories = categories
        }

        /// The text an encoder reads for this product: title, then description.
        public var text: String {
            [title, description].filter { !$0.isEmpty }.joined(separator: ". ")
        }
    }

    public struct Interaction: Sendable, Equatable {
        public var user: Int32
        public var product: Int32
        /// Unix seconds (0 when the source has no time).
        public var timestamp: Int64
        public var rating: Float?
        public var review: String?
        /// Where the interaction was read: `interactions.id` in a store, the
        /// line number in `interactions.jsonl` (nil when built in code), so
        /// evidence quoting its review can name the row.
        public var sourceRow: Int64?

        public init(user: Int32, product: Int32, timestamp: Int64, rating: Float? = nil, review: String? = nil,
                    sourceRow: Int64? = nil) {
            self.user = user
            self.product = product
            self.timestamp = timestamp
            self.rating = rating
            self.review = review
            self.sourceRow = sourceRow
        }
    }

    /// A product–product or user–user link of a named relation.
    public struct Link: Sendable, Equatable {
        public var source: Int32
        public var target: Int32
        public var relation: String

        public init(source: Int32, target: Int32, relation: String) {
            self.source = source
            self.target = target
            self.relation = relation
        }
    }

    public var name: String
    public var products: [Product] = []
    public var userIds: [String] = []
    public var categories: [String] = []
    public var brands: [String] = []
    /// In file order.
    public var interactions: [Interaction] = []
    public var productLinks: [Link] = []
    public var userLinks: [Link] = []
    /// File name → SHA-256 (hex) of each input file read, so results are
    /// pinned to exact data.
    public var fileDigests: [String: String] = [:]

    public private(set) var productIndex: [String: Int32] = [:]
    public private(set) var userIndex: [String: Int32] = [:]
    private var categoryIndex: [String: Int32] = [:]
    private var brandIndex: [String: Int32] = [:]

    public init(name: String) { self.name = name }

    public var userCount: Int { userIds.count }
    public var productCount: Int { products.count }

    /// Adds a product (its brand and categories by name) and returns its
    /// index; a repeated id replaces the earlier record, keeping its index.
    @discardableResult
    public mutating func addProduct(id: String, title: String = "", description: String = "", brand: String? = nil,
                                    categories: [String] = []) -> Int32 {
        let brandId = brand.flatMap { $0.isEmpty ? nil : internBrand($0) }
        var categoryIds: [Int32] = []
        for c in categories where !c.isEmpty {
            let ci = internCategory(c)
            if !categoryIds.contains(ci) { categoryIds.append(ci) }
        }
        let record = Product(id: id, title: title, description: description, brand: brandId, categories: categoryIds)
        if let existing = productIndex[id] {
            products[Int(existing)] = record
            return existing
        }
        let index = Int32(products.count)
        products.append(record)
        productIndex[id] = index
        return index
    }

    /// The index of user `id`, adding the user when new.
    @discardableResult
    public mutating func addUser(id: String) -> Int32 {
        if let i = userIndex[id] { return i }
        let index = Int32(userIds.count)
        userIds.append(id)
        userIndex[id] = index
        return index
    }

    /// The index of category `name`, adding it when new (to fix an order
    /// before products name categories).
    @discardableResult
    public mutating func addCategory(_ name: String) -> Int32 { internCategory(name) }

    /// The index of brand `name`, adding it when new.
    @discardableResult
    public mutating func addBrand(_ name: String) -> Int32 { internBrand(name) }

    private mutating func internCategory(_ name: String) -> Int32 {
        if let i = categoryIndex[name] { return i }
        let i = Int32(categories.count)
        categories.append(name)
        categoryIndex[name] = i
        return i
    }

    private mutating func internBrand(_ name: String) -> Int32 {
        if let i = brandIndex[name] { return i }
        let i = Int32(brands.count)
        brands.append(name)
        brandIndex[name] = i
        return i
    }

    /// Relation names of the product links, sorted.
    public var productLinkRelations: [String] { Array(Set(productLinks.map(\.relation))).sorted() }
    /// Relation names of the user links, sorted.
    public var userLinkRelations: [String] { Array(Set(userLinks.map(\.relation))).sorted() }

    /// Whether any product has a title or description to encode.
    public var hasProductText: Bool { products.contains { !$0.title.isEmpty || !$0.description.isEmpty } }
    /// Whether any interaction carries a review.
    public var hasReviews: Bool { interactions.contains { !($0.review ?? "").isEmpty } }
}
