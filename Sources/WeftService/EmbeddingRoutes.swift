import Foundation
import Hummingbird
import WeftText

/// `POST /v1/embeddings` (OpenAI's request and response), `POST /embed`
/// (Weft's own options), `POST /tokenize`, `GET /info`.
struct EmbeddingRoutes: Sendable {
    let service: EmbeddingService
    let configuration: ServiceConfiguration

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/embeddings") { request, _ in try await openAIEmbeddings(request) }
        router.post("/embed") { request, _ in try await embed(request) }
        router.post("/tokenize") { request, _ in try await tokenize(request) }
        router.get("/info") { _, _ in try JSONResponse.make(info) }
    }

    // MARK: OpenAI

    struct OpenAIRequest: Decodable {
        var input: TextList
        var model: String?
        /// `float` (default) or `base64` (little-endian float32, which OpenAI's Python client asks for).
        var encodingFormat: String?
        var dimensions: Int?
        var user: String?

        enum CodingKeys: String, CodingKey {
            case input, model, dimensions, user
            case encodingFormat = "encoding_format"
        }
    }

    struct OpenAIResponse: Encodable {
        struct Item: Encodable {
            var object = "embedding"
            var index: Int
            var embedding: Vector
        }
        struct Usage: Encodable {
            var promptTokens: Int
            var totalTokens: Int
            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case totalTokens = "total_tokens"
            }
        }
        var object = "list"
        var data: [Item]
        var model: String
        var usage: Usage
    }

    /// A vector as numbers or as base64 of little-endian float32.
    enum Vector: Encodable {
        case numbers([Float])
        case base64(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .numbers(let values): try container.encode(values)
            case .base64(let text): try container.encode(text)
            }
        }
    }

    func openAIEmbeddings(_ request: Request) async throws -> Response {
        let body = try await RequestDecoding.decode(OpenAIRequest.self, from: request,
                                                    limit: configuration.maximumBodyBytes)
        let texts = try checkedTexts(body.input.texts, field: "input")
        let base64: Bool
        switch body.encodingFormat ?? "float" {
        case "float": base64 = false
        case "base64": base64 = true
        default: throw ServiceError.invalid(field: "encoding_format", "must be \"float\" or \"base64\"")
        }
        if let dimensions = body.dimensions, dimensions != service.dimension {
            throw ServiceError.invalid(field: "dimensions",
                                       "this model's vectors have \(service.dimension) dimensions, got \(dimensions)")
        }
        let result = try await service.embed(texts, options: EmbeddingOptions(), field: "input")
        let items = result.vectors.enumerated().map { index, vector in
            OpenAIResponse.Item(index: index, embedding: base64
                ? .base64(vector.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString())
                : .numbers(vector))
        }
        return try JSONResponse.make(OpenAIResponse(
            data: items, model: body.model ?? service.modelName,
            usage: .init(promptTokens: result.promptTokens, totalTokens: result.promptTokens)))
    }

    // MARK: Weft's own

    struct EmbedRequest: Decodable {
        var texts: TextList
        var normalize: Bool?
        /// Cut over-long texts (default true); false with `chunk` false refuses them.
        var truncate: Bool?
        /// Encode over-long texts in overlapping windows pooled into one vector.
        var chunk: Bool?
        /// `right` keeps the beginning, `left` the end.
        var truncationDirection: String?

        enum CodingKeys: String, CodingKey {
            case texts, normalize, truncate, chunk
            case truncationDirection = "truncation_direction"
        }
    }

    struct EmbedResponse: Encodable {
        var model: String
        var dimension: Int
        var embeddings: [[Float]]
        /// Tokens as encoded, special tokens included.
        var tokens: Int
        var truncatedTokens: [Int]
        var chunks: [Int]
        var cacheHits: Int

        enum CodingKeys: String, CodingKey {
            case model, dimension, embeddings, tokens, chunks
            case truncatedTokens = "truncated_tokens"
            case cacheHits = "cache_hits"
        }
    }

    func embed(_ request: Request) async throws -> Response {
        let body = try await RequestDecoding.decode(EmbedRequest.self, from: request,
                                                    limit: configuration.maximumBodyBytes)
        let texts = try checkedTexts(body.texts.texts, field: "texts")
        let side: TruncationSide
        switch body.truncationDirection?.lowercased() ?? "right" {
        case "right": side = .right
        case "left": side = .left
        default: throw ServiceError.invalid(field: "truncation_direction", "must be \"right\" or \"left\"")
        }
        let chunk = body.chunk ?? false
        if chunk && body.truncate == true {
            throw ServiceError.invalid(field: "chunk", "choose either chunk or truncate, not both")
        }
        if chunk && body.truncationDirection != nil {
            throw ServiceError.invalid(field: "truncation_direction", "applies to truncation, not to chunk")
        }
        let longTexts: EmbeddingOptions.LongTexts = chunk ? .chunk : (body.truncate ?? true) ? .truncate(side) : .refuse
        let result = try await service.embed(texts, options: EmbeddingOptions(normalize: body.normalize, longTexts: longTexts),
                                             field: "texts")
        return try JSONResponse.make(EmbedResponse(
            model: service.modelName, dimension: service.dimension, embeddings: result.vectors,
            tokens: result.promptTokens, truncatedTokens: result.truncatedTokenCounts, chunks: result.chunkCounts,
            cacheHits: result.cacheHits))
    }

    // MARK: Tokenize

    struct TokenizeRequest: Decodable {
        var texts: TextList
        /// Add `[CLS]`/`[SEP]` and cut at the model's maximum length (default true).
        var addSpecialTokens: Bool?

        enum CodingKeys: String, CodingKey {
            case texts
            case addSpecialTokens = "add_special_tokens"
        }
    }

    struct TokenizeResponse: Encodable {
        struct Tokens: Encodable {
            var ids: [Int32]
            var pieces: [String]
            var truncatedTokens: Int

            enum CodingKeys: String, CodingKey {
                case ids, pieces
                case truncatedTokens = "truncated_tokens"
            }
        }
        var tokens: [Tokens]
    }

    func tokenize(_ request: Request) async throws -> Response {
        let body = try await RequestDecoding.decode(TokenizeRequest.self, from: request,
                                                    limit: configuration.maximumBodyBytes)
        let texts = try checkedTexts(body.texts.texts, field: "texts")
        let tokenizer = service.tokenizer
        var results: [TokenizeResponse.Tokens] = []
        for (index, text) in texts.enumerated() {
            do {
                let ids: [Int32], truncated: Int
                if body.addSpecialTokens ?? true {
                    (ids, truncated) = try tokenizer.encodeCountingTruncation(text, maxLength: service.maximumLength,
                                                                              truncationSide: .right)
                } else {
                    (ids, truncated) = (try tokenizer.contentIds(text), 0)
                }
                results.append(.init(ids: ids, pieces: ids.map { tokenizer.piece(forId: $0) ?? "" }, truncatedTokens: truncated))
            } catch {
                throw ServiceError.invalid(field: "texts[\(index)]", "could not be tokenized: \(error)")
            }
        }
        return try JSONResponse.make(TokenizeResponse(tokens: results))
    }

    // MARK: Info

    struct Info: Encodable {
        var model: String
        var fingerprint: String
        var dimension: Int
        var maximumLength: Int
        var pooling: String
        var normalize: Bool
        var cache: Bool
        var maximumBatchTokens: Int
        var maximumBatchSequences: Int
        var maximumWaitMilliseconds: Double
        var maximumQueuedSequences: Int
        var maximumTextsPerRequest: Int
        var maximumBodyBytes: Int

        enum CodingKeys: String, CodingKey {
            case model, fingerprint, dimension, pooling, normalize, cache
            case maximumLength = "max_input_length"
            case maximumBatchTokens = "max_batch_tokens"
            case maximumBatchSequences = "max_batch_sequences"
            case maximumWaitMilliseconds = "max_wait_ms"
            case maximumQueuedSequences = "max_queued_sequences"
            case maximumTextsPerRequest = "max_client_batch_size"
            case maximumBodyBytes = "max_body_bytes"
        }
    }

    var info: Info {
        let wait = configuration.maximumWait.components
        return Info(
            model: service.modelName, fingerprint: service.modelFingerprint.hex, dimension: service.dimension,
            maximumLength: service.maximumLength, pooling: service.embedder.pooling.mode.rawValue,
            normalize: service.embedder.pooling.normalize, cache: service.cache != nil,
            maximumBatchTokens: configuration.maximumBatchTokens,
            maximumBatchSequences: configuration.maximumBatchSequences,
            maximumWaitMilliseconds: Double(wait.seconds) * 1000 + Double(wait.attoseconds) * 1e-15,
            maximumQueuedSequences: configuration.maximumQueuedSequences,
            maximumTextsPerRequest: configuration.maximumTextsPerRequest,
            maximumBodyBytes: configuration.maximumBodyBytes)
    }

    /// At least one text and at most the per-request limit.
    func checkedTexts(_ texts: [String], field: String) throws -> [String] {
        if texts.isEmpty { throw ServiceError.invalid(field: field, "must hold at least one text") }
        if texts.count > configuration.maximumTextsPerRequest {
            throw ServiceError.invalid(field: field, "has \(texts.count) texts, more than the "
                                       + "\(configuration.maximumTextsPerRequest) allowed per request")
        }
        return texts
    }
}
