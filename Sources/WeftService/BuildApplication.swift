import Foundation
import Hummingbird
import Logging
import WeftCore

/// The Weft HTTP service, used by `weft serve` and by the tests
/// (`app.test(.router)`): loads the model of `configuration` (refusing
/// settings under which a valid request could never be batched), opens the
/// store's embedding cache, and registers every route. `recommendations`
/// serves the recommendation routes (nil: they answer 503).
///
/// The encoder thread runs as a service of the application, so on SIGTERM the
/// server first finishes its in-flight requests and then the encoder drains.
public func buildApplication(
    configuration: ServiceConfiguration,
    recommendations: (any RecommendationBackend)? = nil,
    logger: Logger = Logger(label: "weft.service")
) throws -> some ApplicationProtocol {
    try buildApplicationWithService(configuration: configuration, recommendations: recommendations, logger: logger).application
}

/// `buildApplication` plus the embedding service it built, for tests that look at the batcher.
public func buildApplicationWithService(
    configuration: ServiceConfiguration,
    recommendations: (any RecommendationBackend)? = nil,
    logger: Logger = Logger(label: "weft.service")
) throws -> (application: Application<RouterResponder<BasicRequestContext>>, service: EmbeddingService, metrics: ServiceMetrics) {
    if let threads = configuration.threads { Parallelism.setThreadCount(threads) }
    let metrics = ServiceMetrics()
    let service = try EmbeddingService(configuration: configuration, metrics: metrics, logger: logger)
    let router = Router()
    router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
    router.get("/health") { _, _ in
        try JSONResponse.make(["status": "ok"])
    }
    router.get("/metrics") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
    EmbeddingRoutes(service: service, configuration: configuration).register(on: router)
    registerRecommendationRoutes(recommendations, configuration: configuration, on: router)
    let application = Application(
        router: router,
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                serverName: "weft"),
        services: [service.batcher],
        logger: logger)
    logger.info("weft service ready", metadata: [
        "model": "\(service.modelName)", "fingerprint": "\(service.modelFingerprint.hex)",
        "dimension": "\(service.dimension)", "max_input_length": "\(service.maximumLength)",
        "max_batch_tokens": "\(configuration.maximumBatchTokens)", "cache": "\(configuration.storePath ?? "none")",
    ])
    return (application, service, metrics)
}

/// Opens the backend's concrete type so the routes encode its result types directly.
private func registerRecommendationRoutes(_ backend: (any RecommendationBackend)?, configuration: ServiceConfiguration,
                                          on router: Router<BasicRequestContext>) {
    func register<Backend: RecommendationBackend>(_ backend: Backend) {
        RecommendationRoutes(backend: backend, configuration: configuration).register(on: router)
    }
    if let backend {
        register(backend)
    } else {
        RecommendationRoutes<UnavailableRecommendations>(backend: nil, configuration: configuration).register(on: router)
    }
}

/// Stands in when the server runs without a recommendation model; never called (the routes answer 503 first).
struct UnavailableRecommendations: RecommendationBackend {
    func recommendations(user: String, count: Int, explain: Bool) async throws -> [String] { [] }
    func similarProducts(to product: String, count: Int) async throws -> [String] { [] }
    func audience(of product: String, count: Int, explain: Bool) async throws -> [String] { [] }
    func addProduct(_ product: ProductSubmission) async throws -> String { "" }
    func explanation(user: String, product: String) async throws -> String { "" }
}
