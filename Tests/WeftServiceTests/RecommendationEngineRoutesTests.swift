import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import WeftCore
import WeftGraph
@testable import WeftRec
import WeftService

/// The recommendation routes over WeftRec's real engine: a GNN trained for
/// two epochs on three taste groups, with hashed text features.
@Suite struct RecommendationEngineRoutesTests {
    static func engine() throws -> RecommendationEngine {
        var rng = SeededGenerator(seed: 5)
        var dataset = Dataset(name: "clustered")
        let words = ["jazz trumpet saxophone", "metal guitar drums", "opera soprano aria"]
        for g in 0..<3 {
            for k in 0..<8 {
                dataset.addProduct(id: "p\(g)-\(k)", title: "item \(g) \(k)", description: "A record of \(words[g]).",
                                   brand: "brand\(g)", categories: ["genre\(g)"])
            }
        }
        for g in 0..<3 {
            for k in 0..<8 {
                let user = dataset.addUser(id: "u\(g)-\(k)")
                for (t, c) in rng.sample(4, from: 8).enumerated() {
                    dataset.interactions.append(.init(user: user, product: Int32(g * 8 + c), timestamp: Int64(100 + t),
                                                      review: "I love this \(words[g]) record."))
                }
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("weft-service-rec-\(UUID().uuidString)")
        var options = ModelTraining.Options()
        options.gnn = GNNConfiguration(dimension: 16, layers: 1, heads: 2)
        options.training.maximumEpochs = 2
        options.training.batchSize = 64
        let encoder = HashedTextEncoder(fitting: dataset.products.map { "\($0.title). \($0.description)" }, dimension: 32)
        let trained = try ModelTraining.run(dataset: dataset, directory: directory, encoder: encoder, options: options)
        return try RecommendationEngine(trained: trained, dataset: dataset, store: nil, encoder: nil)
    }

    @Test func routesServeTheRealEngine() async throws {
        let engine = try Self.engine()
        let expected = try engine.recommend(user: "u1-0", k: 3).map(\.product)
        try await ServiceFixture.withService(try ServiceFixture.configuration(store: false), recommendations: engine) { client, _, _ in
            var response = try await client.execute(uri: "/users/u1-0/recommendations?k=3&explain=true", method: .get)
            #expect(response.status == .ok)
            let items = try #require(try ServiceFixture.object(response)["recommendations"] as? [[String: Any]])
            #expect(items.map { $0["product"] as? String } == expected)
            let explanation = try #require(items.first?["explanation"] as? [String: Any])
            #expect(explanation["summary"] is String && explanation["fusion"] is [String: Any])

            response = try await client.execute(uri: "/users/nobody/recommendations", method: .get)
            #expect(response.status == .notFound)

            let product: [String: Any] = ["id": "p1-new", "title": "item new", "description": "A record of metal guitar drums.",
                                          "brand": "brand1", "categories": ["genre1"]]
            response = try await client.execute(uri: "/products", method: .post, body: ServiceFixture.json(product))
            #expect(response.status == .created, "\(String(decoding: response.body.readableBytesView, as: UTF8.self))")
            response = try await client.execute(uri: "/products/p1-new/audience?k=5", method: .get)
            #expect(response.status == .ok)
            let audience = try #require(try ServiceFixture.object(response)["audience"] as? [[String: Any]])
            #expect(audience.count == 5)
            response = try await client.execute(uri: "/products", method: .post, body: ServiceFixture.json(product))
            #expect(response.status == .conflict)

            response = try await client.execute(uri: "/products/p1-new/similar?k=2", method: .get)
            #expect(response.status == .ok)
            response = try await client.execute(uri: "/explain?user=u1-0&product=p1-new", method: .get)
            #expect(response.status == .ok)
            #expect(try ServiceFixture.object(response)["product"] as? String == "p1-new")
        }
    }
}
