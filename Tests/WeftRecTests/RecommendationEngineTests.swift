import Foundation
import Testing
@testable import WeftRec
import WeftStore

struct RecommendationEngineTests {
    @Test func recommendsUnseenProductsAndNamesUnknownIds() throws {
        let folder = RecommendationFixture.folder()
        let (out, _) = try RecommendationFixture.train(folder)
        let (store, _) = try RecommendationFixture.store(folder)
        let engine = try RecommendationEngine(modelDirectory: out, store: store)
        let dataset = engine.dataset
        let user = "u1-2"
        let u = dataset.userIndex[user]!
        let have = Set(dataset.interactions.filter { $0.user == u }.map { dataset.products[Int($0.product)].id })
        let top = try engine.recommend(user: user, k: 6)
        #expect(top.count == 6)
        #expect(top.allSatisfy { !have.contains($0.product) })
        #expect(zip(top, top.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(top.map(\.rank) == Array(1...6))
        // Every non-owned product is ranked: asking for all gives the catalogue minus the user's products.
        #expect(try engine.recommend(user: user, k: 1000).count == dataset.productCount - have.count)

        let similar = try engine.similar(product: "p0-1", k: 3)
        #expect(similar.count == 3 && !similar.contains { $0.product == "p0-1" })
        let audience = try engine.audience(product: "p2-0", k: 4)
        let owners = Set(dataset.interactions.filter { dataset.products[Int($0.product)].id == "p2-0" }.map { dataset.userIds[Int($0.user)] })
        #expect(audience.count == 4 && audience.allSatisfy { !owners.contains($0.user) })

        #expect(throws: RecommendationError.unknownUser("nobody")) { try engine.recommend(user: "nobody") }
        #expect(throws: RecommendationError.unknownProduct("nothing")) { try engine.similar(product: "nothing") }
        #expect(throws: RecommendationError.unknownProduct("nothing")) { try engine.audience(product: "nothing") }
        #expect(throws: RecommendationError.invalidArgument(field: "k", reason: "must be in 1...1000, got 0")) {
            try engine.recommend(user: user, k: 0)
        }
        #expect(RecommendationError.unknownUser("nobody").description == "unknown user 'nobody'")
    }

    /// A new product is embedded from its text and metadata, ranked at once,
    /// and written to the store so a second engine (another process) sees it
    /// with the same embedding.
    @Test func addedProductIsRecommendableAndPersisted() throws {
        let folder = RecommendationFixture.folder()
        let (out, _) = try RecommendationFixture.train(folder)
        let (store, path) = try RecommendationFixture.store(folder)
        let engine = try RecommendationEngine(modelDirectory: out, store: store)
        let before = engine.productCount
        let new = NewProduct(id: "new-opera", title: "item new", description: "opera soprano aria",
                             brand: "brand2", categories: ["genre2"], links: ["also_bought": ["p2-3"]])
        let added = try engine.addProduct(new)
        #expect(added.persisted && added.index == before && engine.productCount == before + 1)
        #expect(added.edges.contains(GraphEdge(relation: "product,also_bought,product", source: "new-opera", destination: "p2-3")))
        #expect(try engine.similar(product: "new-opera", k: 3).count == 3)
        let audience = try engine.audience(product: "new-opera", k: 5)
        #expect(audience.count == 5)
        // Opera lovers (group 2) should be its audience, from text, category and brand alone.
        #expect(audience.filter { $0.user.hasPrefix("u2-") }.count >= 3, "\(audience.map(\.user))")
        let everyone = try engine.recommend(user: "u2-0", k: 1000)
        #expect(everyone.contains { $0.product == "new-opera" })

        #expect(throws: RecommendationError.productExists("new-opera")) { try engine.addProduct(new) }
        #expect(throws: RecommendationError.unknownRelation("sold_with")) {
            try engine.addProduct(NewProduct(id: "x", title: "x", links: ["sold_with": ["p0-0"]]))
        }
        #expect(throws: RecommendationError.unknownProduct("nope")) {
            try engine.addProduct(NewProduct(id: "y", title: "y", links: ["also_bought": ["nope"]]))
        }
        #expect(throws: RecommendationError.invalidProduct(field: "embedding", reason: "has 3 values; the model's text embeddings have 32")) {
            try engine.addProduct(NewProduct(id: "z", title: "z", embedding: [1, 2, 3]))
        }
        #expect(engine.productCount == before + 1)

        let reopened = try RecommendationEngine(modelDirectory: out, store: try Store(path: path))
        #expect(reopened.productCount == before + 1)
        #expect(try reopened.productEmbedding("new-opera") == (try engine.productEmbedding("new-opera")))
    }

    /// No evidence is invented: quoted sentences are verbatim in the store's
    /// reviews or the product's text, and every path edge is in the graph.
    @Test func explanationEvidenceExistsInTheData() throws {
        let folder = RecommendationFixture.folder()
        let (out, _) = try RecommendationFixture.train(folder)
        let (store, _) = try RecommendationFixture.store(folder)
        let engine = try RecommendationEngine(modelDirectory: out, store: store)
        let catalog = try StoreCatalog.read(store)
        let reviews = Dictionary(uniqueKeysWithValues: catalog.interactions.map { ($0.id, $0) })
        let graph = engine.recommender.graph!
        var pathCount = 0, reviewCount = 0
        for user in ["u0-1", "u1-4", "u2-6"] {
            for r in try engine.recommend(user: user, k: 3, explain: true) {
                let x = try #require(r.explanation)
                #expect(x.user == user && x.product == r.product && x.score == r.score)
                #expect(!x.summary.isEmpty)
                for e in x.reviews {
                    let id = try #require(e.reviewId)
                    let row = try #require(reviews[id])
                    #expect(row.review?.contains(e.sentence) == true, "\(e.sentence)")
                    #expect(row.user == e.reviewer && row.product == e.reviewedProduct && row.timestamp == e.timestamp)
                    #expect(e.ownReview == (row.user == user))
                    reviewCount += 1
                }
                if let d = x.descriptionMatch {
                    let p = catalog.products.first { $0.id == r.product }!
                    #expect((p.title ?? "").contains(d.sentence) || (p.description ?? "").contains(d.sentence))
                }
                for path in x.paths {
                    pathCount += 1
                    #expect(path.attention > 0 && path.attention <= 1)
                    #expect(path.edges.last?.destination == r.product)
                    #expect(path.edges.first?.source == user)
                    for edge in path.edges { #expect(exists(edge, in: graph, engine.dataset), "\(edge)") }
                }
                #expect(x.fusion.productTextShare >= 0 && x.fusion.productTextShare <= 1)
                #expect(x.fusion.userGate > 0 && x.fusion.userGate < 1)
            }
        }
        #expect(reviewCount > 0)
        #expect(pathCount > 0)
        // Explaining a pair directly gives the same as inside recommend.
        let direct = try engine.explain(user: "u0-1", product: try engine.recommend(user: "u0-1", k: 1)[0].product)
        #expect(direct == (try engine.recommend(user: "u0-1", k: 1, explain: true)[0].explanation))
        #expect(throws: RecommendationError.unknownUser("ghost")) { try engine.explain(user: "ghost", product: "p0-0") }
        // An audience shares one attention pass; each member's explanation is the one asked for directly.
        for member in try engine.audience(product: "p1-3", k: 3, explain: true) {
            #expect(member.explanation == (try engine.explain(user: member.user, product: "p1-3")))
        }
    }

    /// With a text graph, the explanation names the product's text neighbours
    /// and what each adds to the score; together they are exactly the score
    /// the model loses when its text graph is taken away.
    @Test func explanationNamesTextNeighboursAndTheirShareOfTheScore() throws {
        let folder = RecommendationFixture.folder()
        var options = RecommendationFixture.options()
        options.gnn.textNeighbors = 3
        let (out, _) = try RecommendationFixture.train(folder, options: options)
        let (store, _) = try RecommendationFixture.store(folder)
        let engine = try RecommendationEngine(modelDirectory: out, store: store)
        let recommender = engine.recommender
        // The same parameters in a model without the text graph, recomputed on the same graph.
        let trained = engine.trained.model
        var configuration = trained.configuration
        configuration.textNeighbors = 0
        var rng = SeededGenerator(seed: 1)
        let bare = WeftGNN(configuration: configuration, nodeCounts: TrainedModel.nodeCounts(engine.trained.ids),
                           relations: trained.relations, using: &rng)
        for (a, b) in zip(bare.namedParameters(), trained.namedParameters()) {
            #expect(a.name == b.name)
            a.parameter.value.assign(b.parameter.value)
        }
        var inputs = recommender.inputs
        inputs.textNeighbors = nil
        let without = WeftGNNRecommender(restoring: bare, graph: recommender.graph!, inputs: inputs,
                                         options: recommender.options, userEmbeddings: Tensor(zeros: [0, 0]),
                                         productEmbeddings: Tensor(zeros: [0, 0]))
        without.refresh()
        #expect(without.inputs.textNeighbors == nil)
        let user = "u1-2", u = Int(engine.dataset.userIndex[user]!)
        let scoresWithout = without.scores(users: [Int32(u)])
        for r in try engine.recommend(user: user, k: 4, explain: true) {
            let x = try #require(r.explanation)
            #expect(x.textNeighbors.count == 3, "\(x.textNeighbors)")
            #expect(!x.textNeighbors.contains { $0.product == r.product })
            let p = engine.dataset.products.firstIndex { $0.id == r.product }!
            let total = x.textNeighbors.reduce(Float(0)) { $0 + ($1.contribution ?? .nan) }
            #expect(abs(x.score - scoresWithout[0, p] - total) < 1e-4, "\(x.score) − \(scoresWithout[0, p]) vs \(total)")
            for n in x.textNeighbors {
                let q = engine.dataset.products.firstIndex { $0.id == n.product }!
                #expect(n.owned == engine.owned[u].contains(Int32(q)))
                #expect(n.similarity > -1.001 && n.similarity < 1.001)
            }
            #expect(zip(x.textNeighbors, x.textNeighbors.dropFirst()).allSatisfy { $0.contribution! >= $1.contribution! })
            #expect(x.summary.contains("It reads like"))
        }
    }

    /// A review whose own rating says the reviewer disliked the product (1–2 of 5) is never offered as a reason.
    @Test func dislikedReviewsAreNotQuotedAsReasons() throws {
        var d = RecommendationFixture.dataset()
        var reviewed = 0
        for i in d.interactions.indices where d.interactions[i].review != nil {
            d.interactions[i].rating = reviewed % 2 == 0 ? 1 : 5
            reviewed += 1
        }
        let folder = RecommendationFixture.folder(d)
        let (out, _) = try RecommendationFixture.train(folder)
        let (store, _) = try RecommendationFixture.store(folder)
        let engine = try RecommendationEngine(modelDirectory: out, store: store)
        let ratings = Dictionary(uniqueKeysWithValues: try StoreCatalog.read(store).interactions.map { ($0.id, $0.rating) })
        var quoted = 0
        for user in ["u0-1", "u0-2", "u1-4", "u2-6"] {
            for r in try engine.recommend(user: user, k: 4, explain: true) {
                for e in try #require(r.explanation).reviews {
                    let id = try #require(e.reviewId)
                    let rating = try #require(ratings[id])
                    #expect(rating == 5, "quoted a review rated \(String(describing: rating)): \(e.sentence)")
                    quoted += 1
                }
            }
        }
        #expect(quoted > 0)
        #expect(RecommendationEngine.isSupporting(rating: 2, scaleMaximum: 5) == false)
        #expect(RecommendationEngine.isSupporting(rating: 3, scaleMaximum: 5))
        #expect(RecommendationEngine.isSupporting(rating: nil, scaleMaximum: 5))
        #expect(RecommendationEngine.isSupporting(rating: 2, scaleMaximum: 900), "play counts are not a 1–5 scale")
    }

    /// A product that a trusted user has yields a social path, and one also
    /// bought with a product the user has yields a linked-product path.
    @Test func explanationNamesSocialAndLinkedProductPaths() throws {
        let folder = RecommendationFixture.folder()
        let (out, _) = try RecommendationFixture.train(folder)
        let engine = try RecommendationEngine(modelDirectory: out, datasetFolder: folder.path)
        let d = engine.dataset
        let u = d.userIndex["u0-1"]!, friend = d.userIndex["u0-2"]!
        let mine = Set(engine.owned[Int(u)]), theirs = engine.owned[Int(friend)]
        let target = try #require(theirs.first { !mine.contains($0) })
        let x = try engine.explain(user: "u0-1", product: d.products[Int(target)].id)
        let social = try #require(x.paths.first { $0.kind == "social" }, "\(x.paths)")
        #expect(social.edges == [GraphEdge(relation: "user,trusts,user", source: "u0-1", destination: "u0-2"),
                                 GraphEdge(relation: "user,interacted,product", source: "u0-2", destination: d.products[Int(target)].id)])
        #expect(social.text.contains("u0-2"))

        // p0-k is also bought with p0-(k+1): pick a pair where the user has the first and not the second.
        let pair = try #require((0..<7).first { k in mine.contains(Int32(k)) && !mine.contains(Int32(k + 1)) })
        let linked = try engine.explain(user: "u0-1", product: "p0-\(pair + 1)")
        let path = try #require(linked.paths.first { $0.kind == "linked-product" }, "\(linked.paths)")
        #expect(path.edges.first == GraphEdge(relation: "user,interacted,product", source: "u0-1", destination: "p0-\(pair)"))
        #expect(path.edges.last?.destination == "p0-\(pair + 1)")
    }

    func exists(_ edge: GraphEdge, in graph: HeteroGraph, _ d: Dataset) -> Bool {
        let parts = edge.relation.split(separator: ",").map(String.init)
        guard parts.count == 3 else { return false }
        let relation = Relation(NodeType(parts[0]), parts[1], NodeType(parts[2]))
        func index(_ type: NodeType, _ id: String) -> Int? {
            switch type {
            case .user: d.userIndex[id].map(Int.init)
            case .product: d.productIndex[id].map(Int.init)
            case .category: d.categories.firstIndex(of: id)
            case .brand: d.brands.firstIndex(of: id)
            default: nil
            }
        }
        guard let s = index(relation.source, edge.source), let t = index(relation.destination, edge.destination) else { return false }
        return graph.hasEdge(from: s, to: t, in: relation)
    }

    @Test func sentencesAreVerbatimPieces() {
        let text = "Great card!  Works at 3.5 stores.\nNo fees? ok"
        let s = SentenceSplitter.sentences(text)
        #expect(s == ["Great card!", "Works at 3.5 stores.", "No fees?"])
        #expect(s.allSatisfy { text.contains($0) })
    }
}
