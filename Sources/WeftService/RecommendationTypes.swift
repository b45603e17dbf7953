/// A product with its score for a query (higher is better).
public struct ScoredProduct: Codable, Sendable, Equatable {
    public var product: String
    public var title: String?
    public var score: Float

    public init(product: String, title: String? = nil, score: Float) {
        self.product = product
        self.title = title
        self.score = score
    }
}

/// A recommendation for a user, with its explanation when one was asked for.
public struct RecommendedProduct: Codable, Sendable, Equatable {
    public var product: String
    public var title: String?
    public var score: Float
    public var explanation: Explanation?

    public init(product: String, title: String? = nil, score: Float, explanation: Explanation? = nil) {
        self.product = product
        self.title = title
        self.score = score
        self.explanation = explanation
    }
}

/// A user with their score for a product.
public struct ScoredUser: Codable, Sendable, Equatable {
    public var user: String
    public var score: Float

    public init(user: String, score: Float) {
        self.user = user
        self.score = score
    }
}

/// The body of `POST /products`: a product nobody has interacted with yet.
public struct NewProduct: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String?
    public var category: String?
    public var brand: String?
    /// Products it is known to go with (edges into the graph), when any.
    public var related: [String]?

    public init(id: String, title: String, description: String? = nil, category: String? = nil, brand: String? = nil,
                related: [String]? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.category = category
        self.brand = brand
        self.related = related
    }
}

/// What `POST /products` did.
public struct AddedProduct: Codable, Sendable, Equatable {
    public var product: String
    /// Whether the text's vector came from the embedding cache.
    public var cached: Bool
    /// Graph edges created for it (category, brand, related products).
    public var edges: Int

    public init(product: String, cached: Bool, edges: Int) {
        self.product = product
        self.cached = cached
        self.edges = edges
    }
}

/// Why a product suits a user: a paragraph in plain English and the evidence it was built from.
public struct Explanation: Codable, Sendable, Equatable {
    public struct Evidence: Codable, Sendable, Equatable {
        /// `review_sentence`, `product_sentence`, `graph_path`, ...
        public var kind: String
        /// The quoted sentence, or the path in words.
        public var text: String
        /// The row it comes from (`review:123`, `edge:bought_with:P1->P2`).
        public var source: String
        /// Similarity or attention weight.
        public var weight: Float

        public init(kind: String, text: String, source: String, weight: Float) {
            self.kind = kind
            self.text = text
            self.source = source
            self.weight = weight
        }
    }

    public var user: String
    public var product: String
    public var summary: String
    /// Share of the score carried by the text side (the fusion gate); the graph side has the rest.
    public var textShare: Float?
    public var evidence: [Evidence]

    enum CodingKeys: String, CodingKey {
        case user, product, summary, evidence
        case textShare = "text_share"
    }

    public init(user: String, product: String, summary: String, textShare: Float? = nil, evidence: [Evidence]) {
        self.user = user
        self.product = product
        self.summary = summary
        self.textShare = textShare
        self.evidence = evidence
    }
}
