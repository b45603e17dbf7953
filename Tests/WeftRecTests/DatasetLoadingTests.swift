import Foundation
import Testing
@testable import WeftRec

struct DatasetLoadingTests {
    @Test func loadsEveryFileAndPinsItsBytes() throws {
        let folder = Fixtures.folder()
        Fixtures.write([#"{"id": "p1", "title": "Gift card"}"#,
                        #"{"id": "p2", "title": "Magazine", "description": ["Monthly", "finance"], "brand": "Acme", "categories": ["Print", "Finance"], "price": 9.5}"#,
                        "",
                        #"{"id": 3, "brand": "Acme", "categories": [["Print", "Weekly"]]}"#],
                       to: folder.appendingPathComponent("products.jsonl"))
        Fixtures.write([#"{"id": "u9"}"#], to: folder.appendingPathComponent("users.jsonl"))
        Fixtures.write([#"{"user": "u1", "product": "p2", "timestamp": 20, "rating": 4, "review": "good"}"#,
                        #"{"user": "u2", "product": "p1", "timestamp": 10}"#,
                        #"{"user": "u1", "product": "3"}"#],
                       to: folder.appendingPathComponent("interactions.jsonl"))
        Fixtures.write([#"{"source": "p1", "target": "p2", "relation": "also_bought"}"#],
                       to: folder.appendingPathComponent("product_links.jsonl"))
        Fixtures.write([#"{"source": "u1", "target": "u3", "relation": "trusts"}"#],
                       to: folder.appendingPathComponent("user_links.jsonl"))
        let d = try Dataset.load(folder: folder.path)
        #expect(d.products.map(\.id) == ["p1", "p2", "3"])
        #expect(d.products[1].description == "Monthly finance")
        #expect(d.products[1].text == "Magazine. Monthly finance")
        #expect(d.brands == ["Acme"] && d.products[2].brand == 0 && d.products[0].brand == nil)
        #expect(d.categories == ["Print", "Finance", "Weekly"])
        #expect(d.products[2].categories == [0, 2])
        #expect(d.userIds == ["u9", "u1", "u2", "u3"])
        #expect(d.interactions == [
            // sourceRow: the line of interactions.jsonl, so explanations can cite the review they quote.
            .init(user: 1, product: 1, timestamp: 20, rating: 4, review: "good", sourceRow: 1),
            .init(user: 2, product: 0, timestamp: 10, sourceRow: 2),
            .init(user: 1, product: 2, timestamp: 0, sourceRow: 3),
        ])
        #expect(d.productLinks == [.init(source: 0, target: 1, relation: "also_bought")])
        #expect(d.userLinks == [.init(source: 1, target: 3, relation: "trusts")])
        #expect(Set(d.fileDigests.keys) == ["products.jsonl", "users.jsonl", "interactions.jsonl", "product_links.jsonl",
                                             "user_links.jsonl"])

        // SHA-256 of the exact bytes, checked against sha256sum.
        let one = Fixtures.folder()
        Fixtures.write([#"{"id": "p1", "title": "Gift card"}"#], to: one.appendingPathComponent("products.jsonl"))
        Fixtures.write([#"{"user": "u", "product": "p1"}"#], to: one.appendingPathComponent("interactions.jsonl"))
        let pinned = try Dataset.load(folder: one.path)
        #expect(pinned.fileDigests["products.jsonl"] == "118751a4238d1e8116719c1cdcf8915e8ea691c879bfbddc05abaa885cdbeefd")
    }

    @Test func badLinesNameTheFileLineAndField() throws {
        func load(products: [String], interactions: [String]) throws -> Dataset {
            let folder = Fixtures.folder()
            Fixtures.write(products, to: folder.appendingPathComponent("products.jsonl"))
            Fixtures.write(interactions, to: folder.appendingPathComponent("interactions.jsonl"))
            return try Dataset.load(folder: folder.path)
        }
        let good = [#"{"id": "p1"}"#]
        #expect(throws: DatasetError.unknownProduct(file: "interactions.jsonl", line: 2, field: "product", id: "p7")) {
            try load(products: good, interactions: [#"{"user": "u", "product": "p1"}"#, #"{"user": "u", "product": "p7"}"#])
        }
        #expect(throws: DatasetError.missingField(file: "products.jsonl", line: 2, field: "id")) {
            try load(products: good + [#"{"title": "no id"}"#], interactions: [])
        }
        #expect(throws: DatasetError.wrongType(file: "interactions.jsonl", line: 1, field: "timestamp", expected: "a number")) {
            try load(products: good, interactions: [#"{"user": "u", "product": "p1", "timestamp": "yesterday"}"#])
        }
        do {
            _ = try load(products: good + ["{not json"], interactions: [])
            Issue.record("invalid JSON was accepted")
        } catch let error as DatasetError {
            guard case .invalidJSON(let file, let line, _) = error else { Issue.record("\(error)"); return }
            #expect(file == "products.jsonl" && line == 2)
            #expect(error.description.hasPrefix("products.jsonl:2: invalid JSON"))
        }
        let empty = Fixtures.folder()
        #expect(throws: DatasetError.missingFile(path: empty.appendingPathComponent("products.jsonl").path)) {
            _ = try Dataset.load(folder: empty.path)
        }
    }

    @Test func graphFromADatasetHasEveryRelationAndDetectsSymmetricLinks() throws {
        var d = Fixtures.clustered(groups: 2, usersPerGroup: 3, productsPerGroup: 4, perUser: 2)
        d.userLinks = [.init(source: 0, target: 1, relation: "friend"), .init(source: 1, target: 0, relation: "friend"),
                       .init(source: 2, target: 3, relation: "trusts")]
        d.productLinks = [.init(source: 0, target: 5, relation: "also_bought")]
        let split = InteractionSplit.make(d, protocol: .warm, seed: 1)
        let g = try d.graph(interactions: split.train)
        #expect(g.nodeCount(.user) == 6 && g.nodeCount(.product) == 8 && g.nodeCount(.category) == 2 && g.nodeCount(.brand) == 2)
        let friend = Relation(.user, "friend", .user), trusts = Relation(.user, "trusts", .user)
        #expect(g.symmetricRelations == [friend])
        #expect(g.contains(trusts.reversed) && !g.contains(friend.reversed))
        #expect(g.edgeCount(.interacted) == split.train.count)
        #expect(g.neighbors(of: 0, in: .inCategory) == [0] && g.neighbors(of: 5, in: .byBrand) == [1])
        #expect(g.neighbors(of: 5, in: Relation(.product, "also_bought", .product).reversed) == [0])
        // The cold protocol's held-out products lose their product links, and only those.
        d.productLinks.append(.init(source: 2, target: 3, relation: "also_bought"))
        let cold = try d.graph(interactions: split.train, unlinked: [5])
        let alsoBought = Relation(.product, "also_bought", .product)
        #expect(cold.edgeCount(alsoBought) == 1 && cold.neighbors(of: 2, in: alsoBought) == [3])
        #expect(cold.neighbors(of: 0, in: alsoBought).isEmpty && cold.neighbors(of: 5, in: .byBrand) == [1])
        #expect(cold.edgeCount(Relation(.user, "friend", .user)) == g.edgeCount(Relation(.user, "friend", .user)))
    }
}
