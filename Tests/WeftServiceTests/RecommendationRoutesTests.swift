import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import WeftService

/// A catalog of three products and two users, with scores from a fixed table,
/// that records what the routes asked for.
final class RecommendationBackendDouble: RecommendationBackend {
    struct Scored: Codable, Sendable {
        var product: String
        var title: String
        var score: Float
        var explanation: Why?
    }
    struct Member: Codable, Sendable {
        var user: String
        var score: Float
    }
    struct Added: Codable, Sendable {
        var product: String
        var edgeCount: Int
    }
    struct Why: Codable, Sendable {
        var user: String
        var product: String
        var summary: String
        var textShare: Float
        var sources: [String]
    }

    let products = Mutex<[String: String]>(["P1": "Travel card", "P2": "Savings account", "P3": "Index fund"])
    let users = ["alice", "bob"]
    let calls = Mutex<[String]>([])

    private func requireUser(_ id: String) throws {
        guard users.contains(id) else { throw RecommendationBackendError.unknownUser(id) }
    }

    private func requireProduct(_ id: String) throws {
        guard products.withLock({ $0[id] }) != nil else { throw RecommendationBackendError.unknownProduct(id) }
    }

    private func ranked(excluding id: String? = nil) -> [(String, String)] {
        products.withLock { $0.sorted { $0.key < $1.key } }.filter { $0.key != id }.map { ($0.key, $0.value) }
    }

    func recommendations(user: String, count: Int, explain: Bool) async throws -> [Scored] {
        try requireUser(user)
        calls.withLock { $0.append("recommendations \(user) \(count) \(explain)") }
        return ranked().prefix(count).enumerated().map { rank, product in
            Scored(product: product.0, title: product.1, score: 1 - Float(rank) / 10,
                   explanation: explain ? Self.why(user, product.0) : nil)
        }
    }

    func similarProducts(to product: String, count: Int) async throws -> [Scored] {
        try requireProduct(product)
        return ranked(excluding: product).prefix(count).enumerated().map {
            Scored(product: $1.0, title: $1.1, score: 0.9 - Float($0) / 10)
        }
    }

    func audience(of product: String, count: Int, explain: Bool) async throws -> [Member] {
        try requireProduct(product)
        return users.prefix(count).enumerated().map { Member(user: $1, score: 0.8 - Float($0) / 10) }
    }

    func addProduct(_ product: ProductSubmission) async throws -> Added {
        let linked = product.links?.values.flatMap { $0 } ?? []
        if linked.contains(where: { id in products.withLock { $0[id] == nil } }) {
            throw RecommendationBackendError.invalid(field: "links", reason: "unknown product")
        }
        let inserted = products.withLock { table -> Bool in
            if table[product.id] != nil { return false }
            table[product.id] = product.title
            return true
        }
        guard inserted else { throw RecommendationBackendError.productExists(product.id) }
        return Added(product: product.id, edgeCount: linked.count + (product.categories?.count ?? 0))
    }

    func explanation(user: String, product: String) async throws -> Why {
        try requireUser(user)
        try requireProduct(product)
        return Self.why(user, product)
    }

    static func why(_ user: String, _ product: String) -> Why {
        Why(user: user, product: product, summary: "\(user) reviewed similar products.", textShare: 0.6,
            sources: ["review:7"])
    }
}

@Suite struct RecommendationRoutesTests {
    @Test func recommendationsSimilarAudienceAndExplain() async throws {
        let backend = RecommendationBackendDouble()
        try await ServiceFixture.withService(try ServiceFixture.configuration(store: false), recommendations: backend) { client, _, _ in
            var response = try await client.execute(uri: "/users/alice/recommendations?k=2&explain=true", method: .get)
            #expect(response.status == .ok)
            var body = try ServiceFixture.object(response)
            #expect(body["user"] as? String == "alice")
            let items = try #require(body["recommendations"] as? [[String: Any]])
            #expect(items.map { $0["product"] as? String } == ["P1", "P2"])
            let explanation = try #require(items.first?["explanation"] as? [String: Any])
            #expect(explanation["text_share"] as? Double == 0.6)
            #expect(backend.calls.withLock { $0 } == ["recommendations alice 2 true"])

            response = try await client.execute(uri: "/users/alice/recommendations", method: .get)
            body = try ServiceFixture.object(response)
            #expect((body["recommendations"] as? [[String: Any]])?.first?["explanation"] == nil)
            #expect(backend.calls.withLock { $0.last } == "recommendations alice 10 false")

            response = try await client.execute(uri: "/products/P2/similar?k=1", method: .get)
            body = try ServiceFixture.object(response)
            #expect((body["similar"] as? [[String: Any]])?.map { $0["product"] as? String } == ["P1"])

            response = try await client.execute(uri: "/products/P2/audience?k=5", method: .get)
            body = try ServiceFixture.object(response)
            #expect((body["audience"] as? [[String: Any]])?.map { $0["user"] as? String } == ["alice", "bob"])

            response = try await client.execute(uri: "/explain?user=bob&product=P3", method: .get)
            body = try ServiceFixture.object(response)
            #expect(body["product"] as? String == "P3")
            #expect(body["sources"] as? [String] == ["review:7"])
        }
    }

    @Test func coldStartProductIsImmediatelyRecommendable() async throws {
        let backend = RecommendationBackendDouble()
        try await ServiceFixture.withService(try ServiceFixture.configuration(store: false), recommendations: backend) { client, _, _ in
            let product: [String: Any] = ["id": "P0", "title": "Student card", "description": "No fees.",
                                          "categories": ["Cards"], "links": ["also_bought": ["P1"]]]
            var response = try await client.execute(uri: "/products", method: .post, body: ServiceFixture.json(product))
            #expect(response.status == .created)
            #expect(try ServiceFixture.object(response)["edge_count"] as? Int == 2, "camelCase keys leave as snake_case")
            response = try await client.execute(uri: "/products/P0/audience", method: .get)
            #expect(response.status == .ok)
            response = try await client.execute(uri: "/users/bob/recommendations?k=1", method: .get)
            #expect((try ServiceFixture.object(response)["recommendations"] as? [[String: Any]])?.first?["product"] as? String == "P0")
            // The same id again conflicts.
            response = try await client.execute(uri: "/products", method: .post, body: ServiceFixture.json(product))
            #expect(response.status == .conflict)
            let error = try #require(try ServiceFixture.object(response)["error"] as? [String: Any])
            #expect(error["type"] as? String == "conflict_error" && error["field"] as? String == "id")
        }
    }

    @Test func errorStatuses() async throws {
        let backend = RecommendationBackendDouble()
        try await ServiceFixture.withService(try ServiceFixture.configuration(store: false), recommendations: backend) { client, _, _ in
            let notFound = ["/users/carol/recommendations", "/products/P9/similar", "/products/P9/audience",
                            "/explain?user=carol&product=P1", "/explain?user=alice&product=P9", "/users/alice"]
            for uri in notFound {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
            }
            let invalid: [(String, String)] = [
                ("/users/alice/recommendations?k=0", "k"), ("/users/alice/recommendations?k=ten", "k"),
                ("/products/P1/similar?k=100000", "k"), ("/users/alice/recommendations?explain=maybe", "explain"),
                ("/explain?product=P1", "user"), ("/explain?user=alice", "product"),
            ]
            for (uri, field) in invalid {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .unprocessableContent, "\(uri)")
                #expect(try ServiceFixture.errorField(response) == field, "\(uri)")
            }
            let badProducts: [([String: Any], String)] = [
                (["title": "No id"], "id"), (["id": "P7"], "title"), (["id": "P7", "title": " "], "title"),
                (["id": "P7", "title": "x", "links": ["P1"]], "links"), (["id": "P7", "title": "x", "links": ["also_bought": ["P9"]]], "links"),
            ]
            for (body, field) in badProducts {
                let response = try await client.execute(uri: "/products", method: .post, body: ServiceFixture.json(body))
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(try ServiceFixture.errorField(response) == field, "\(body)")
            }
            let big = ["id": "P8", "title": String(repeating: "x", count: 5000)]
            let response = try await client.execute(uri: "/products", method: .post, body: ServiceFixture.json(big))
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test func withoutABackendTheRoutesAnswer503() async throws {
        try await ServiceFixture.withService(try ServiceFixture.configuration(store: false)) { client, _, _ in
            let response = try await client.execute(uri: "/users/alice/recommendations", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
    }
}
