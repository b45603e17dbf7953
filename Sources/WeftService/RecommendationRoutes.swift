import Foundation
import Hummingbird

/// `POST /products`, `GET /products/{id}/similar`, `GET /products/{id}/audience`,
/// `GET /users/{id}/recommendations`, `GET /explain`, all served by a `RecommendationBackend`
/// (503 when the server runs without one).
struct RecommendationRoutes<Backend: RecommendationBackend>: Sendable {
    let backend: Backend?
    let configuration: ServiceConfiguration
    /// Largest `k` a request may ask for.
    static var maximumCount: Int { 1000 }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/products") { request, _ in
            let product = try await RequestDecoding.decode(ProductSubmission.self, from: request,
                                                           limit: configuration.maximumBodyBytes)
            if product.id.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ServiceError.invalid(field: "id", "must not be empty")
            }
            if product.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ServiceError.invalid(field: "title", "must not be empty")
            }
            let added = try await call { try await $0.addProduct(product) }
            return try JSONResponse.make(added, status: .created, snakeCase: true)
        }
        router.get("/products/:id/similar") { request, context in
            let id = try context.parameters.require("id")
            let count = try Self.count(request)
            let similar = try await call { try await $0.similarProducts(to: id, count: count) }
            return try JSONResponse.make(SimilarResponse(product: id, similar: similar), snakeCase: true)
        }
        router.get("/products/:id/audience") { request, context in
            let id = try context.parameters.require("id")
            let count = try Self.count(request)
            let explain = try Self.flag(request, "explain")
            let users = try await call { try await $0.audience(of: id, count: count, explain: explain) }
            return try JSONResponse.make(AudienceResponse(product: id, audience: users), snakeCase: true)
        }
        router.get("/users/:id/recommendations") { request, context in
            let id = try context.parameters.require("id")
            let count = try Self.count(request)
            let explain = try Self.flag(request, "explain")
            let products = try await call { try await $0.recommendations(user: id, count: count, explain: explain) }
            return try JSONResponse.make(RecommendationsResponse(user: id, recommendations: products), snakeCase: true)
        }
        router.get("/explain") { request, _ in
            guard let user = request.uri.queryParameters.get("user"), !user.isEmpty else {
                throw ServiceError.invalid(field: "user", "is required (GET /explain?user=ID&product=ID)")
            }
            guard let product = request.uri.queryParameters.get("product"), !product.isEmpty else {
                throw ServiceError.invalid(field: "product", "is required (GET /explain?user=ID&product=ID)")
            }
            let explanation = try await call { try await $0.explanation(user: user, product: product) }
            return try JSONResponse.make(explanation, snakeCase: true)
        }
    }

    struct SimilarResponse: Encodable {
        var product: String
        var similar: [Backend.Similar]
    }

    struct AudienceResponse: Encodable {
        var product: String
        var audience: [Backend.AudienceMember]
    }

    struct RecommendationsResponse: Encodable {
        var user: String
        var recommendations: [Backend.Recommendation]
    }

    /// Runs `body` on the backend, turning its errors into statuses.
    private func call<T>(_ body: (Backend) async throws -> T) async throws -> T {
        guard let backend else {
            throw ServiceError(.serviceUnavailable, "this server runs without a recommendation model")
        }
        do {
            return try await body(backend)
        } catch let error as RecommendationBackendError {
            switch error {
            case .unknownUser, .unknownProduct: throw ServiceError.notFound(error.description)
            case .productExists: throw ServiceError(.conflict, error.description, field: "id")
            case .invalid(let field, let reason): throw ServiceError.invalid(field: field, reason)
            case .unavailable(let reason): throw ServiceError(.serviceUnavailable, reason)
            }
        }
    }

    /// `k` (default 10) in 1...maximumCount.
    static func count(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("k") else { return 10 }
        guard let k = Int(text), (1...maximumCount).contains(k) else {
            throw ServiceError.invalid(field: "k", "must be an integer in 1...\(maximumCount), got \"\(text)\"")
        }
        return k
    }

    /// `true`/`false`/`1`/`0`, absent is false.
    static func flag(_ request: Request, _ name: String) throws -> Bool {
        guard let text = request.uri.queryParameters.get(name) else { return false }
        switch text.lowercased() {
        case "true", "1", "yes", "": return true
        case "false", "0", "no": return false
        default: throw ServiceError.invalid(field: name, "must be true or false, got \"\(text)\"")
        }
    }
}
