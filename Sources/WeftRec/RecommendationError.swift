/// Why a `RecommendationEngine` request cannot be answered. Unknown ids
/// name the id (the HTTP layer answers 404 for `unknownUser` and
/// `unknownProduct`, 409 for `productExists`, 422 for the rest).
public enum RecommendationError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknownUser(String)
    case unknownProduct(String)
    /// The user is in the data but joined after the model was trained.
    case userNotInModel(String)
    case productExists(String)
    /// A new product links to a relation the model was not trained with.
    case unknownRelation(String)
    case invalidProduct(field: String, reason: String)
    /// Text must be encoded but the model's text source cannot encode new text.
    case noTextEncoder(String)
    case invalidArgument(field: String, reason: String)

    public var description: String {
        switch self {
        case .unknownUser(let id): "unknown user '\(id)'"
        case .unknownProduct(let id): "unknown product '\(id)'"
        case .userNotInModel(let id): "user '\(id)' joined after the model was trained; retrain to recommend for them"
        case .productExists(let id): "product '\(id)' already exists"
        case .unknownRelation(let name): "the model has no product relation '\(name)'"
        case .invalidProduct(let field, let reason): "new product: field '\(field)' \(reason)"
        case .noTextEncoder(let why): "no text encoder: \(why)"
        case .invalidArgument(let field, let reason): "'\(field)' \(reason)"
        }
    }
}
