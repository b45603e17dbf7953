/// What the recommendation routes need from a recommender. The results are
/// whatever Codable types the recommender has (WeftRec's
/// `RecommendationEngine` conforms with its own result types, in
/// `RecommendationEngine+RecommendationBackend.swift`); the routes only wrap
/// them (`{"user": ..., "recommendations": [...]}`) and encode them with
/// snake_case keys.
///
/// Failures are `RecommendationBackendError`s, which the routes turn into
/// statuses (404 unknown ids, 409 duplicates, 422 bad fields, 503 unavailable);
/// anything else is a 500.
public protocol RecommendationBackend: Sendable {
    associatedtype Recommendation: Encodable & Sendable
    associatedtype Similar: Encodable & Sendable
    associatedtype AudienceMember: Encodable & Sendable
    associatedtype Added: Encodable & Sendable
    associatedtype Explanation: Encodable & Sendable

    /// The `count` products `user` is most likely to want, best first, with explanations when `explain`.
    func recommendations(user: String, count: Int, explain: Bool) async throws -> [Recommendation]
    /// The `count` products closest to `product`, best first.
    func similarProducts(to product: String, count: Int) async throws -> [Similar]
    /// The `count` users most likely to want `product`, best first, with explanations when `explain`.
    func audience(of product: String, count: Int, explain: Bool) async throws -> [AudienceMember]
    /// Embeds a new product's text and inserts it into the graph, so it is recommendable at once.
    func addProduct(_ product: ProductSubmission) async throws -> Added
    /// Why `product` suits `user`, with the evidence.
    func explanation(user: String, product: String) async throws -> Explanation
}
