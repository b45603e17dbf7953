import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WeftService
import WeftText

@Suite struct EmbeddingRoutesTests {
    let texts = ["the card fee", "gift bank account savings", "high rate travel points annual"]

    @Test func openAIEmbeddingsMatchDirectEncodingAndCountTokens() async throws {
        let expected = try ServiceFixture.directEmbedding(texts)
        let tokenizer = try WordPieceTokenizer(vocabularyFile: ServiceFixture.modelDirectory.appendingPathComponent("vocab.txt").path)
        let tokens = try texts.reduce(0) { $0 + (try tokenizer.encode($1, maxLength: ServiceFixture.maximumLength)).count }
        let texts = self.texts
        try await ServiceFixture.withService(try ServiceFixture.configuration()) { client, _, _ in
            let response = try await client.execute(uri: "/v1/embeddings", method: .post,
                                                    body: ServiceFixture.json(["input": texts, "model": "tiny"]))
            #expect(response.status == .ok)
            let body = try ServiceFixture.object(response)
            #expect(body["object"] as? String == "list")
            #expect(body["model"] as? String == "tiny")
            let data = try #require(body["data"] as? [[String: Any]])
            #expect(data.map { $0["index"] as? Int } == [0, 1, 2])
            #expect(data.allSatisfy { $0["object"] as? String == "embedding" })
            ServiceFixture.expectClose(ServiceFixture.vectors(data.map { $0["embedding"] as Any }), expected)
            let usage = try #require(body["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == tokens && usage["total_tokens"] == tokens)
        }
    }

    @Test func openAIAcceptsOneStringAndBase64() async throws {
        let expected = try ServiceFixture.directEmbedding(["no annual fee"])
        try await ServiceFixture.withService(try ServiceFixture.configuration(store: false)) { client, _, _ in
            let response = try await client.execute(
                uri: "/v1/embeddings", method: .post,
                body: ServiceFixture.json(["input": "no annual fee", "encoding_format": "base64"]))
            #expect(response.status == .ok)
            let data = try #require(try ServiceFixture.object(response)["data"] as? [[String: Any]])
            let text = try #require(data.first?["embedding"] as? String)
            let encoded = try #require(Data(base64Encoded: text))
            let vector = encoded.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            ServiceFixture.expectClose([vector], expected)
        }
    }

    @Test func embedHonoursNormalizeTruncationSideAndChunking() async throws {
        // 16 content words: longer than the 10 that fit next to [CLS] and [SEP].
        let long = "the card fee no gift bank account savings rate high low travel points annual credit loan"
        let left = try ServiceFixture.directEmbedding([long], longTexts: .truncate(.left))
        let chunked = try ServiceFixture.directEmbedding([long], longTexts: .chunk(overlap: 2))
        let raw = try ServiceFixture.directEmbedding(["the card fee"], normalize: false)
        try await ServiceFixture.withService(try ServiceFixture.configuration()) { client, _, _ in
            var response = try await client.execute(
                uri: "/embed", method: .post,
                body: ServiceFixture.json(["texts": [long], "truncation_direction": "left"]))
            #expect(response.status == .ok)
            var body = try ServiceFixture.object(response)
            #expect(body["truncated_tokens"] as? [Int] == [6])
            #expect(body["dimension"] as? Int == 16)
            ServiceFixture.expectClose(ServiceFixture.vectors(body["embeddings"]), left)

            response = try await client.execute(uri: "/embed", method: .post,
                                                body: ServiceFixture.json(["texts": [long], "chunk": true]))
            #expect(response.status == .ok)
            body = try ServiceFixture.object(response)
            #expect(body["chunks"] as? [Int] == [2])
            ServiceFixture.expectClose(ServiceFixture.vectors(body["embeddings"]), chunked)

            response = try await client.execute(uri: "/embed", method: .post,
                                                body: ServiceFixture.json(["texts": "the card fee", "normalize": false]))
            body = try ServiceFixture.object(response)
            let vector = try #require(ServiceFixture.vectors(body["embeddings"]).first)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 }.squareRoot() - 1) > 1e-3)
            ServiceFixture.expectClose([vector], raw)

            response = try await client.execute(uri: "/embed", method: .post,
                                                body: ServiceFixture.json(["texts": ["a", long], "truncate": false]))
            #expect(response.status == .unprocessableContent)
            #expect(try ServiceFixture.errorField(response) == "texts[1]")
        }
    }

    @Test func secondRequestIsServedFromTheCache() async throws {
        let texts = self.texts
        try await ServiceFixture.withService(try ServiceFixture.configuration()) { client, service, metrics in
            let first = try ServiceFixture.object(try await client.execute(
                uri: "/embed", method: .post, body: ServiceFixture.json(["texts": texts])))
            let batches = service.batcher.statistics.batches
            let second = try ServiceFixture.object(try await client.execute(
                uri: "/embed", method: .post, body: ServiceFixture.json(["texts": texts + ["low risk fund"]])))
            #expect(first["cache_hits"] as? Int == 0)
            #expect(second["cache_hits"] as? Int == 3)
            #expect(service.batcher.statistics.sequences == 4, "only the new text is encoded")
            #expect(service.batcher.statistics.batches == batches + 1)
            ServiceFixture.expectClose(Array(ServiceFixture.vectors(second["embeddings"]).prefix(3)),
                                       ServiceFixture.vectors(first["embeddings"]), tolerance: 0)
            let exposition = metrics.exposition()
            #expect(exposition.contains("weft_embedding_cache_hits_total 3"))
            #expect(exposition.contains("weft_embedding_cache_misses_total 4"))
        }
    }

    @Test func tokenizeInfoHealthAndMetrics() async throws {
        try await ServiceFixture.withService(try ServiceFixture.configuration()) { client, service, _ in
            var response = try await client.execute(uri: "/tokenize", method: .post,
                                                    body: ServiceFixture.json(["texts": ["the cards"]]))
            #expect(response.status == .ok)
            let tokens = try #require(try ServiceFixture.object(response)["tokens"] as? [[String: Any]])
            #expect(tokens.first?["pieces"] as? [String] == ["[CLS]", "the", "card", "##s", "[SEP]"])
            #expect(tokens.first?["ids"] as? [Int] == [2, 5, 6, 27, 3])

            response = try await client.execute(uri: "/info", method: .get)
            let info = try ServiceFixture.object(response)
            #expect(info["dimension"] as? Int == 16)
            #expect(info["max_input_length"] as? Int == ServiceFixture.maximumLength)
            #expect(info["max_batch_tokens"] as? Int == 256)
            #expect(info["fingerprint"] as? String == service.modelFingerprint.hex)
            #expect(info["model"] as? String == "tiny-model")

            response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            _ = try await client.execute(uri: "/embed", method: .post, body: ServiceFixture.json(["texts": ["fee"]]))
            response = try await client.execute(uri: "/metrics", method: .get)
            let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
            #expect(text.contains(#"weft_http_requests_total{route="/embed",method="POST",status="200"} 1"#))
            #expect(text.contains(#"weft_http_requests_total{route="/health",method="GET",status="200"} 1"#))
            #expect(text.contains("weft_http_request_duration_seconds_bucket{route=\"/embed\""))
            #expect(text.contains("weft_encoder_batch_sequences_count 1"))
        }
    }

    @Test func errorStatusesNameTheProblem() async throws {
        try await ServiceFixture.withService(try ServiceFixture.configuration()) { client, _, metrics in
            // 413: over the 4,096-byte body limit.
            var response = try await client.execute(
                uri: "/v1/embeddings", method: .post,
                body: ServiceFixture.json(["input": String(repeating: "fee ", count: 2000)]))
            #expect(response.status == .contentTooLarge)
            // 422, each naming its field.
            let cases: [(String, Any, String)] = [
                ("/v1/embeddings", ["model": "x"], "input"),
                ("/v1/embeddings", ["input": [1, 2]], "input"),
                ("/v1/embeddings", ["input": [String]()], "input"),
                ("/v1/embeddings", ["input": Array(repeating: "fee", count: 33)], "input"),
                ("/v1/embeddings", ["input": "fee", "encoding_format": "int8"], "encoding_format"),
                ("/v1/embeddings", ["input": "fee", "dimensions": 8], "dimensions"),
                ("/embed", ["texts": "fee", "normalize": "yes"], "normalize"),
                ("/embed", ["texts": "fee", "truncation_direction": "middle"], "truncation_direction"),
                ("/embed", ["texts": "fee", "chunk": true, "truncate": true], "chunk"),
                ("/tokenize", ["text": "fee"], "texts"),
            ]
            for (uri, body, field) in cases {
                response = try await client.execute(uri: uri, method: .post, body: ServiceFixture.json(body))
                #expect(response.status == .unprocessableContent, "\(uri) \(body)")
                #expect(try ServiceFixture.errorField(response) == field, "\(uri) \(body): \(String(decoding: response.body.readableBytesView, as: UTF8.self))")
            }
            response = try await client.execute(uri: "/embed", method: .post, body: ByteBuffer(string: "{not json"))
            #expect(response.status == .unprocessableContent)
            #expect(try ServiceFixture.errorField(response) == "body")
            // 404: no such route.
            response = try await client.execute(uri: "/v2/nothing", method: .get)
            #expect(response.status == .notFound)
            let notFound = String(decoding: response.body.readableBytesView, as: UTF8.self)
            #expect(notFound.contains("no route GET /v2/nothing"), "\(notFound)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let exposition = metrics.exposition()
            #expect(exposition.contains(#"weft_request_failures_total{reason="too_large"} 1"#))
            #expect(exposition.contains(#"weft_http_requests_total{route="unmatched","#) || exposition.contains("NotFound"))
        }
    }

    @Test func fullQueueAnswers429AndQueuedRequestsStillFinish() async throws {
        var configuration = try ServiceFixture.configuration(store: false)
        configuration.maximumQueuedSequences = 32
        try await ServiceFixture.withService(configuration) { client, service, metrics in
            service.batcher.pauseForTesting()
            let waiting = Task {
                try await client.execute(uri: "/embed", method: .post,
                                         body: ServiceFixture.json(["texts": Array(repeating: "fee", count: 30)]))
            }
            while service.batcher.queueDepth < 30 { try await Task.sleep(for: .milliseconds(2)) }
            let refused = try await client.execute(uri: "/embed", method: .post,
                                                   body: ServiceFixture.json(["texts": ["a", "b", "c"]]))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            service.batcher.resumeForTesting()
            #expect(try await waiting.value.status == .ok)
            #expect(metrics.exposition().contains(#"weft_request_failures_total{reason="queue_full"} 1"#))
        }
    }

    @Test func concurrentRequestsShareEncoderBatches() async throws {
        var configuration = try ServiceFixture.configuration(store: false)
        configuration.maximumWait = .milliseconds(100)
        let requests = (0..<8).map { ["the card fee \(ServiceFixture.words[$0 + 4])", "\(ServiceFixture.words[$0 + 8]) bank"] }
        let expected = try requests.map { try ServiceFixture.directEmbedding($0) }
        try await ServiceFixture.withService(configuration) { client, service, _ in
            // Held back until every request is queued, so the test does not depend on timing.
            service.batcher.pauseForTesting()
            let results = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
                for (index, texts) in requests.enumerated() {
                    group.addTask {
                        let response = try await client.execute(uri: "/embed", method: .post,
                                                                body: ServiceFixture.json(["texts": texts]))
                        #expect(response.status == .ok)
                        return (index, ServiceFixture.vectors(try ServiceFixture.object(response)["embeddings"]))
                    }
                }
                while service.batcher.queueDepth < 16 { try await Task.sleep(for: .milliseconds(2)) }
                service.batcher.resumeForTesting()
                var results = [[[Float]]](repeating: [], count: requests.count)
                for try await (index, vectors) in group { results[index] = vectors }
                return results
            }
            for (got, want) in zip(results, expected) { ServiceFixture.expectClose(got, want) }
            let statistics = service.batcher.statistics
            #expect(statistics.sequences == 16)
            #expect(statistics.requests == 8)
            #expect(statistics.batches == 1, "16 sequences of at most 6 tokens fit one batch of 16")
        }
    }

    @Test func batchesRespectTheTokenAndSequenceLimits() async throws {
        var configuration = try ServiceFixture.configuration(store: false)
        configuration.maximumBatchTokens = 12
        configuration.maximumBatchSequences = 16
        let texts = ["the card fee", "gift bank", "low risk fund", "travel points"]   // 5, 4, 5, 4 tokens
        let expected = try ServiceFixture.directEmbedding(texts)
        try await ServiceFixture.withService(configuration) { client, service, _ in
            let response = try await client.execute(uri: "/embed", method: .post, body: ServiceFixture.json(["texts": texts]))
            ServiceFixture.expectClose(ServiceFixture.vectors(try ServiceFixture.object(response)["embeddings"]), expected)
            // 5+4 fits 12, 5+4 again: two batches, and no batch over the budget.
            #expect(service.batcher.statistics.batches == 2)
            #expect(service.batcher.statistics.tokens == 18)
        }
    }

    @Test func refusesSettingsUnderWhichARequestCouldNeverBeBatched() throws {
        var configuration = try ServiceFixture.configuration(store: false)
        configuration.maximumBatchTokens = ServiceFixture.maximumLength - 1
        #expect(throws: ServiceConfigurationError.self) { _ = try buildApplication(configuration: configuration) }
        do {
            _ = try buildApplication(configuration: configuration)
        } catch let error as ServiceConfigurationError {
            #expect(error.setting == "max-batch-tokens")
            #expect(error.description.contains("at least \(ServiceFixture.maximumLength)"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        configuration = try ServiceFixture.configuration(store: false)
        configuration.maximumQueuedSequences = 8
        do {
            try configuration.validate(maximumLength: 12)
            Issue.record("a queue smaller than one request was accepted")
        } catch {
            #expect(error.setting == "max-queued-sequences")
        }
    }

    @Test func shutdownFinishesQueuedWorkAndRefusesNewWork() async throws {
        let configuration = try ServiceFixture.configuration(store: false)
        let service = try EmbeddingService(configuration: configuration, metrics: ServiceMetrics(),
                                           logger: ServiceFixture.quietLogger)
        service.batcher.pauseForTesting()
        let queued = Task { try await service.embed(["the card fee"], options: EmbeddingOptions(), field: "texts") }
        while service.batcher.queueDepth < 1 { try await Task.sleep(for: .milliseconds(2)) }
        await service.batcher.shutdown()
        let result = try await queued.value
        ServiceFixture.expectClose(result.vectors, try ServiceFixture.directEmbedding(["the card fee"]))
        await #expect(throws: ServiceError.self) {
            _ = try await service.embed(["fee"], options: EmbeddingOptions(), field: "texts")
        }
    }
}
