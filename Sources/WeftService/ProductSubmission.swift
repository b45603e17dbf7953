/// The body of `POST /products`: a product nobody has interacted with yet.
/// Only `id` and `title` are required.
public struct ProductSubmission: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String?
    public var brand: String?
    public var categories: [String]?
    /// Products it is linked to, by relation name (e.g. `{"also_bought": ["P1"]}`).
    public var links: [String: [String]]?
    /// Its text embedding, when the caller computed it (otherwise the recommender embeds the text).
    public var embedding: [Float]?

    public init(id: String, title: String, description: String? = nil, brand: String? = nil,
                categories: [String]? = nil, links: [String: [String]]? = nil, embedding: [Float]? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.brand = brand
        self.categories = categories
        self.links = links
        self.embedding = embedding
    }
}
