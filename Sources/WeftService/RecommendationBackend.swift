/// What the recommendation routes need from a recommender. WeftRec's engine
/// conforms in `RecommendationEngine+Backend.swift`; tests use a double.
///
/// Unknown ids throw `RecommendationBackendError.unknownUser` / `.unknownProduct`
/// (answered 404); other errors are answered 500.
public protocol RecommendationBackend: Sendable {
    /// The `count` products `user` is most likely to want, best first, with explanations when `explain`.
    func recommendations(user: String, count: Int, explain: Bool) async throws -> [RecommendedProduct]
    /// The `count` products closest to `product`, best first.
    func similarProducts(to product: String, count: Int) async throws -> [ScoredProduct]
    /// The `count` users most likely to want `product`, best first.
    func audience(of product: String, count: Int) async throws -> [ScoredUser]
    /// Embeds a new product's text and inserts it into the graph, so it is recommendable at once.
    func addProduct(_ product: NewProduct) async throws -> AddedProduct
    /// Why `product` is (or is not) recommended to `user`.
    func explanation(user: String, product: String) async throws -> Explanation
}

public enum RecommendationBackendError: Error, CustomStringConvertible, Equatable {
    case unknownUser(String)
    case unknownProduct(String)
    /// `POST /products` with an id the catalog already has (answered 409).
    case productExists(String)
    /// A new product's field is unusable (answered 422 naming it).
    case invalidProduct(field: String, reason: String)

    public var description: String {
        switch self {
        case .unknownUser(let id): "unknown user \"\(id)\""
        case .unknownProduct(let id): "unknown product \"\(id)\""
        case .productExists(let id): "product \"\(id)\" already exists"
        case .invalidProduct(let field, let reason): "\(field): \(reason)"
        }
    }
}
