import Metrics
import Prometheus

/// The service's metrics, recorded through swift-metrics into a Prometheus
/// registry of its own (not the process-wide `MetricsSystem`, so several
/// applications, as in the tests, never share counts).
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["weft_encoder_batch_sequences"] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        factory.valueHistogramBuckets["weft_encoder_batch_tokens"] = [64, 256, 1024, 2048, 4096, 8192, 16384, 32768]
        factory.valueHistogramBuckets["weft_encoder_batch_requests"] = [1, 2, 4, 8, 16, 32, 64]
        factory.durationHistogramBuckets["weft_http_request_duration_seconds"] = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        factory.durationHistogramBuckets["weft_encoder_batch_duration_seconds"] =
            factory.durationHistogramBuckets["weft_http_request_duration_seconds"]
        self.factory = factory
    }

    /// One request finished: counted by route (the matched pattern, not the raw path, so ids do not
    /// multiply the series), method and status, and timed by route and method.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: "weft_http_requests_total",
                dimensions: [("route", route), ("method", method), ("status", String(status))],
                factory: factory).increment()
        Timer(label: "weft_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
                      factory: factory).recordNanoseconds(Self.nanoseconds(duration))
    }

    func recordBatch(sequences: Int, tokens: Int, requests: Int, duration: Duration) {
        Recorder(label: "weft_encoder_batch_sequences", aggregate: true, factory: factory).record(sequences)
        Recorder(label: "weft_encoder_batch_tokens", aggregate: true, factory: factory).record(tokens)
        Recorder(label: "weft_encoder_batch_requests", aggregate: true, factory: factory).record(requests)
        Timer(label: "weft_encoder_batch_duration_seconds", factory: factory)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    func recordQueueDepth(_ sequences: Int) {
        Gauge(label: "weft_encoder_queue_sequences", factory: factory).record(sequences)
    }

    /// A request turned away, by reason (`queue_full`, `too_large`, `invalid`, ...).
    func recordRejection(_ reason: String) {
        Counter(label: "weft_request_failures_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func recordCache(hits: Int, misses: Int) {
        Counter(label: "weft_embedding_cache_hits_total", factory: factory).increment(by: hits)
        Counter(label: "weft_embedding_cache_misses_total", factory: factory).increment(by: misses)
    }

    func recordEncodedTexts(_ count: Int, tokens: Int) {
        Counter(label: "weft_embedded_texts_total", factory: factory).increment(by: count)
        Counter(label: "weft_embedded_tokens_total", factory: factory).increment(by: tokens)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
