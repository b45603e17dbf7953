import Hummingbird
import Logging

/// Counts and times every request by route pattern and status, and logs it as one structured line.
/// A path no route matches gets the same JSON error body as every other failure, naming the path,
/// instead of Hummingbird's empty 404.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status, started: started)
            return response
        } catch let error as HTTPError where error.status == .notFound {
            // Only Hummingbird's router throws HTTPError: Weft's own routes throw ServiceError.
            record(request, context: context, status: .notFound, started: started)
            throw unmatched(request)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context: context, status: status, started: started)
            if let error = error as? ServiceError, error.status.code == 413 || error.status.code == 422 {
                metrics.recordRejection(error.status.code == 413 ? "too_large" : "invalid")
            }
            if status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            throw error
        }
    }

    private func unmatched(_ request: Request) -> ServiceError {
        .notFound("no route \(request.method.rawValue) \(request.uri.path); the routes are listed in docs/API.md")
    }

    private func record(_ request: Request, context: Context, status: HTTPResponse.Status,
                        started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now)
        // Unmatched paths share one series, so scanners cannot grow the metrics without bound.
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: status.code, duration: elapsed)
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
            "status": "\(status.code)", "duration_ms": "\((milliseconds * 100).rounded() / 100)",
        ])
    }
}
