import Foundation

/// Settings of `weft serve`: where it listens, what it loads, and the limits
/// of dynamic batching and of requests.
public struct ServiceConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The SQLite store whose embedding cache is read first and filled with what had to be encoded (nil: no cache).
    public var storePath: String?
    /// Model folder: config.json, model.safetensors, vocab.txt or spm.model, pooling settings.
    public var modelDirectory: String
    /// Real tokens (special tokens included) in one encoder batch. Sequences are packed without padding, so
    /// this bounds the encoder's work per batch: with 8,192 one can fit 64 texts of 128 tokens.
    public var maximumBatchTokens: Int
    /// Sequences in one encoder batch (also the size of the encoder's preallocated workspace).
    public var maximumBatchSequences: Int
    /// How long the encoder, when idle, waits for more requests to fill a batch before it starts.
    public var maximumWait: Duration
    /// Sequences waiting for the encoder; a request that would go past it is answered 429.
    public var maximumQueuedSequences: Int
    /// Texts in one embedding request.
    public var maximumTextsPerRequest: Int
    /// Request bodies over this many bytes are answered 413.
    public var maximumBodyBytes: Int
    /// Threads for BLAS and Weft's kernels (nil: all cores).
    public var threads: Int?

    public init(host: String = "127.0.0.1", port: Int = 8080, storePath: String? = nil, modelDirectory: String,
                maximumBatchTokens: Int = 8192, maximumBatchSequences: Int = 64,
                maximumWait: Duration = .milliseconds(5), maximumQueuedSequences: Int = 4096,
                maximumTextsPerRequest: Int = 256, maximumBodyBytes: Int = 2 << 20, threads: Int? = nil) {
        self.host = host
        self.port = port
        self.storePath = storePath
        self.modelDirectory = modelDirectory
        self.maximumBatchTokens = maximumBatchTokens
        self.maximumBatchSequences = maximumBatchSequences
        self.maximumWait = maximumWait
        self.maximumQueuedSequences = maximumQueuedSequences
        self.maximumTextsPerRequest = maximumTextsPerRequest
        self.maximumBodyBytes = maximumBodyBytes
        self.threads = threads
    }

    /// Refuses settings under which a valid request could never be served or could wait forever,
    /// naming the setting to change. `maximumLength` is the model's tokens per sequence.
    public func validate(maximumLength: Int) throws(ServiceConfigurationError) {
        guard (1...65_535).contains(port) || port == 0 else {
            throw .invalid(setting: "port", reason: "must be in 0...65535, got \(port)")
        }
        guard maximumBatchSequences >= 1 else {
            throw .invalid(setting: "max-batch-sequences", reason: "must be at least 1, got \(maximumBatchSequences)")
        }
        guard maximumBatchTokens >= maximumLength else {
            throw .invalid(setting: "max-batch-tokens", reason: "\(maximumBatchTokens) is below the model's maximum "
                           + "input length of \(maximumLength) tokens, so a text of that length could never be "
                           + "batched; raise it to at least \(maximumLength)")
        }
        guard maximumTextsPerRequest >= 1 else {
            throw .invalid(setting: "max-client-batch-size", reason: "must be at least 1, got \(maximumTextsPerRequest)")
        }
        guard maximumQueuedSequences >= maximumTextsPerRequest else {
            throw .invalid(setting: "max-queued-sequences", reason: "\(maximumQueuedSequences) is below "
                           + "max-client-batch-size (\(maximumTextsPerRequest)), so a request of that many texts "
                           + "would be refused even by an empty queue; raise it or lower max-client-batch-size")
        }
        guard maximumWait >= .zero && maximumWait <= .seconds(10) else {
            throw .invalid(setting: "max-wait-ms", reason: "must be in 0...10000 milliseconds, got \(maximumWait)")
        }
        guard maximumBodyBytes >= 64 else {
            throw .invalid(setting: "max-body-bytes", reason: "must be at least 64, got \(maximumBodyBytes)")
        }
        if let threads, threads < 1 {
            throw .invalid(setting: "threads", reason: "must be at least 1, got \(threads)")
        }
    }
}
