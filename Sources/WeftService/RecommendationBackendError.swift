/// Why a recommendation request cannot be answered, by the status it gets.
public enum RecommendationBackendError: Error, CustomStringConvertible, Equatable {
    /// 404.
    case unknownUser(String)
    /// 404.
    case unknownProduct(String)
    /// `POST /products` with an id the catalog already has: 409.
    case productExists(String)
    /// A request or new-product field is unusable: 422 naming it.
    case invalid(field: String, reason: String)
    /// The recommender cannot answer this kind of request now (e.g. no text encoder for a new product's text): 503.
    case unavailable(String)

    public var description: String {
        switch self {
        case .unknownUser(let id): "unknown user \"\(id)\""
        case .unknownProduct(let id): "unknown product \"\(id)\""
        case .productExists(let id): "product \"\(id)\" already exists"
        case .invalid(let field, let reason): "\(field): \(reason)"
        case .unavailable(let reason): reason
        }
    }
}
