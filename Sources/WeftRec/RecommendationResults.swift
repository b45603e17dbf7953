/// A product ranked for a user (`RecommendationEngine.recommend`).
public struct ProductRecommendation: Codable, Sendable, Equatable {
    /// 1-based.
    public var rank: Int
    public var product: String
    public var title: String
    /// The model's score ⟨z_user, z_product⟩; only the order is meaningful.
    public var score: Float
    /// Present when asked for (`explain: true`).
    public var explanation: Explanation?
}

/// A product close to another (`RecommendationEngine.similar`).
public struct SimilarProduct: Codable, Sendable, Equatable {
    public var rank: Int
    public var product: String
    public var title: String
    /// Cosine of the two products' output embeddings, in [−1, 1].
    public var similarity: Float
}

/// A user likely to want a product (`RecommendationEngine.audience`).
public struct AudienceMember: Codable, Sendable, Equatable {
    public var rank: Int
    public var user: String
    public var score: Float
    public var explanation: Explanation?
}

/// A product to add after training (`RecommendationEngine.addProduct`):
/// text and metadata, optionally its text embedding.
public struct NewProduct: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String
    public var brand: String?
    public var categories: [String]
    /// Product ids this one is linked to, by relation name (e.g. `also_bought`),
    /// for relations the model was trained with.
    public var links: [String: [String]]
    /// The text embedding of `title. description`, when the caller computed
    /// it; otherwise the engine's text encoder computes it.
    public var embedding: [Float]?

    public init(id: String, title: String = "", description: String = "", brand: String? = nil,
                categories: [String] = [], links: [String: [String]] = [:], embedding: [Float]? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.brand = brand
        self.categories = categories
        self.links = links
        self.embedding = embedding
    }

    /// Only `id` is required; the rest default to empty.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        brand = try c.decodeIfPresent(String.self, forKey: .brand)
        categories = try c.decodeIfPresent([String].self, forKey: .categories) ?? []
        links = try c.decodeIfPresent([String: [String]].self, forKey: .links) ?? [:]
        embedding = try c.decodeIfPresent([Float].self, forKey: .embedding)
    }
}

/// What `addProduct` did.
public struct AddedProduct: Codable, Sendable, Equatable {
    public var product: String
    /// Its row in the engine's product tables.
    public var index: Int
    /// Graph edges it was inserted with, as (relation, other node id).
    public var edges: [GraphEdge]
    /// Whether the store now holds it (false for an engine over a dataset folder).
    public var persisted: Bool
    /// Where its text embedding came from: "request", "cache" or the encoder's source.
    public var embeddingSource: String
}

/// One edge of the graph, named by external ids.
public struct GraphEdge: Codable, Sendable, Equatable, Hashable {
    /// `source_type`, `name`, `destination_type` of the relation.
    public var relation: String
    public var source: String
    public var destination: String
}
