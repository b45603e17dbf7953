import WeftRec

/// The HTTP routes over WeftRec's engine. The engine is synchronous and
/// guarded by one lock; its answers take milliseconds, so they run on the
/// request's task.
extension RecommendationEngine: RecommendationBackend {
    public func recommendations(user: String, count: Int, explain: Bool) async throws -> [ProductRecommendation] {
        try Self.translatingErrors { try recommend(user: user, k: count, explain: explain) }
    }

    public func similarProducts(to product: String, count: Int) async throws -> [SimilarProduct] {
        try Self.translatingErrors { try similar(product: product, k: count) }
    }

    public func audience(of product: String, count: Int, explain: Bool) async throws -> [AudienceMember] {
        try Self.translatingErrors { try audience(product: product, k: count, explain: explain) }
    }

    public func addProduct(_ product: ProductSubmission) async throws -> AddedProduct {
        let record = NewProduct(id: product.id, title: product.title, description: product.description ?? "",
                                brand: product.brand, categories: product.categories ?? [],
                                links: product.links ?? [:], embedding: product.embedding)
        return try Self.translatingErrors { try addProduct(record) }
    }

    public func explanation(user: String, product: String) async throws -> Explanation {
        try Self.translatingErrors { try explain(user: user, product: product) }
    }

    /// `RecommendationError` in the statuses' terms.
    static func translatingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RecommendationError {
            switch error {
            case .unknownUser(let id): throw RecommendationBackendError.unknownUser(id)
            case .unknownProduct(let id): throw RecommendationBackendError.unknownProduct(id)
            case .userNotInModel: throw RecommendationBackendError.unavailable(error.description)
            case .productExists(let id): throw RecommendationBackendError.productExists(id)
            case .unknownRelation: throw RecommendationBackendError.invalid(field: "links", reason: error.description)
            case .invalidProduct(let field, _): throw RecommendationBackendError.invalid(field: field, reason: error.description)
            case .noTextEncoder: throw RecommendationBackendError.unavailable(error.description)
            case .invalidArgument(let field, _): throw RecommendationBackendError.invalid(field: field, reason: error.description)
            }
        }
    }
}
