import Foundation
import WeftStore

/// Answers recommendation requests from a model folder written by
/// `weft train` and the data it was trained on (a Weft store, the source of
/// truth, or a dataset folder).
///
/// - `recommend(user:k:explain:)`: the user's top-k products, without the ones they have.
/// - `similar(product:k:)`: products whose output embeddings are closest (cosine).
/// - `audience(product:k:explain:)`: users most likely to want a product, without those who have it.
/// - `addProduct(_:)`: a brand-new product with text and metadata: text embedded (given, cached or
///   encoded), node inserted into the graph with its category, brand and link edges, embedded by the
///   trained GNN from its neighbourhood (no retraining), immediately recommendable, and written to the
///   store (product row and its text vector in the embedding cache) so a later engine sees it.
/// - `explain(user:product:)`: an `Explanation` built from the data and the model's attention and gates.
///
/// Known users and products keep the embeddings saved by training, so scores equal the trained
/// model's. Products in the data but not in the model (added after training) are embedded
/// inductively when the engine opens. Every method is safe to call from several threads (one lock).
/// Unknown ids throw `RecommendationError` naming the id.
public final class RecommendationEngine: @unchecked Sendable {
    public let trained: TrainedModel
    /// The data, numbered as the model: its nodes first, newer products after.
    public private(set) var dataset: Dataset
    public let store: Store?
    /// Encodes new product text and evidence sentences (the hashed encoder saved with the model,
    /// or the one given); nil when the model's text came from a file.
    public let encoder: TextEncoding?
    let recommender: WeftGNNRecommender
    let lock = NSLock()
    /// Per user, the products they have; per product, its users.
    var owned: [[Int32]]
    var owners: [[Int32]]
    /// (P, D) unit rows of the product embeddings, rebuilt after an insert.
    var unitProducts: Tensor?
    /// (P, D) the collaborative pathway's product embeddings p̄, for text-neighbour
    /// evidence: computed on first use (the pathway's graph is fixed when the engine opens).
    var collaborativeProducts: Tensor?
    let cacheFingerprint: ModelFingerprint?

    /// Opens a model over a store; products the store has and the model does not are embedded now.
    public convenience init(modelDirectory: URL, store: Store, encoder: TextEncoding? = nil) throws {
        let trained = try TrainedModel.load(from: modelDirectory)
        let dataset = try Dataset.load(store: store, name: trained.configuration.dataset, order: trained.ids)
        try self.init(trained: trained, dataset: dataset, store: store, encoder: encoder)
    }

    /// Opens a model over a dataset folder (nothing is persisted by `addProduct`).
    public convenience init(modelDirectory: URL, datasetFolder: String, encoder: TextEncoding? = nil) throws {
        let trained = try TrainedModel.load(from: modelDirectory)
        let loaded = try Dataset.load(folder: datasetFolder)
        let dataset = try Dataset(catalog: StoreCatalog(loaded), name: loaded.name, order: trained.ids)
        try self.init(trained: trained, dataset: dataset, store: nil, encoder: encoder)
    }

    init(trained: TrainedModel, dataset: Dataset, store: Store?, encoder: TextEncoding?) throws {
        self.trained = trained
        self.store = store
        let source = trained.configuration.textSource
        self.encoder = encoder ?? trained.hashedEncoder
        if let given = encoder, let source, given.source.dimension != source.dimension || given.source.identity != source.identity {
            throw RecommendationError.noTextEncoder("the encoder given (\(given.source)) is not the one the model was trained with (\(source))")
        }
        cacheFingerprint = source.map(Self.fingerprint)
        let ids = trained.ids
        // The training-time graph: only the model's nodes, every interaction between them.
        let base = dataset.prefix(ids)
        var pairs = UserProductPairs()
        var seen = Set<Int64>()
        for x in base.interactions where seen.insert(Int64(x.user) << 32 | Int64(x.product)).inserted {
            pairs.append(user: x.user, product: x.product)
        }
        let graph = try base.graph(interactions: pairs)
        recommender = WeftGNNRecommender(restoring: trained.model, graph: graph, inputs: trained.inputs,
                                         options: trained.configuration.training,
                                         userEmbeddings: trained.userEmbeddings, productEmbeddings: trained.productEmbeddings)
        owned = [[Int32]](repeating: [], count: base.userCount)
        owners = [[Int32]](repeating: [], count: base.productCount)
        for i in 0..<pairs.count {
            owned[Int(pairs.users[i])].append(pairs.products[i])
            owners[Int(pairs.products[i])].append(pairs.users[i])
        }
        self.dataset = base
        // Products newer than the model enter as they would through addProduct.
        for p in dataset.products.dropFirst(ids.products.count) {
            let links = dataset.productLinks.filter { dataset.products[Int($0.source)].id == p.id }
            var byRelation: [String: [String]] = [:]
            for l in links where Int(l.target) < ids.products.count { byRelation[l.relation, default: []].append(dataset.products[Int(l.target)].id) }
            let record = NewProduct(id: p.id, title: p.title, description: p.description,
                                    brand: p.brand.map { dataset.brands[Int($0)] },
                                    categories: p.categories.map { dataset.categories[Int($0)] }, links: byRelation)
            // Imported after training with no cached vector and no encoder: it enters from its edges alone.
            _ = try insert(record, persist: false, textRequired: false)
        }
    }

    // MARK: Requests

    /// The user's `k` best products they do not have yet, best first.
    public func recommend(user: String, k: Int = 10, explain: Bool = false) throws -> [ProductRecommendation] {
        try checkCount(k)
        return try locked {
            let u = try userIndex(user)
            let scores = recommender.scores(users: [Int32(u)])                // (1, P)
            let top = Self.top(k, count: scores.count, excluded: Set(owned[u].map(Int.init))) { scores.data[$0] }
            let explanations = explain ? try self.explanations(u, top) : nil
            return top.enumerated().map { rank, p in
                ProductRecommendation(rank: rank + 1, product: dataset.products[p].id, title: dataset.products[p].title,
                                      score: scores.data[p], explanation: explanations?[rank])
            }
        }
    }

    /// The `k` products most like `product` by cosine of output embeddings.
    public func similar(product: String, k: Int = 10) throws -> [SimilarProduct] {
        try checkCount(k)
        return try locked {
            let p = try productIndex(product)
            let unit = unitProductEmbeddings()
            let d = unit.lastDimension
            let scores = unit.matmul(unit.row(p).reshaped([d, 1])).reshaped([-1])   // (P)
            let top = Self.top(k, count: scores.count, excluded: [p]) { scores.data[$0] }
            return top.enumerated().map { rank, q in
                SimilarProduct(rank: rank + 1, product: dataset.products[q].id, title: dataset.products[q].title,
                               similarity: scores.data[q])
            }
        }
    }

    /// The `k` users who score `product` highest, without those who have it.
    public func audience(product: String, k: Int = 10, explain: Bool = false) throws -> [AudienceMember] {
        try checkCount(k)
        return try locked {
            let p = try productIndex(product)
            let scores = recommender.userScores(product: p)                  // (U)
            let top = Self.top(k, count: scores.count, excluded: Set(owners[p].map(Int.init))) { scores.data[$0] }
            let attention = explain && !top.isEmpty ? attentionInto(top[0], [p]) : nil
            return try top.enumerated().map { rank, u in
                AudienceMember(rank: rank + 1, user: dataset.userIds[u], score: scores.data[u],
                               explanation: explain ? try explanations(u, [p], attention: attention)[0] : nil)
            }
        }
    }

    /// Why `product` suits `user`.
    public func explain(user: String, product: String) throws -> Explanation {
        try locked { try explanation(try userIndex(user), try productIndex(product)) }
    }

    /// Adds a product after training (see the type's documentation).
    @discardableResult
    public func addProduct(_ product: NewProduct) throws -> AddedProduct {
        try locked { try insert(product, persist: true) }
    }

    // MARK: Lookups

    public var userCount: Int { locked { dataset.userCount } }
    public var productCount: Int { locked { dataset.productCount } }

    /// The saved or inductive output embedding of a product (D values).
    public func productEmbedding(_ product: String) throws -> [Float] {
        try locked { recommender.productEmbeddings.row(try productIndex(product)).scalars }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func userIndex(_ id: String) throws -> Int {
        guard let u = dataset.userIndex[id] else { throw RecommendationError.unknownUser(id) }
        guard Int(u) < recommender.userEmbeddings.shape[0] else { throw RecommendationError.userNotInModel(id) }
        return Int(u)
    }

    func productIndex(_ id: String) throws -> Int {
        guard let p = dataset.productIndex[id] else { throw RecommendationError.unknownProduct(id) }
        return Int(p)
    }

    func checkCount(_ k: Int) throws {
        guard k >= 1 && k <= 1000 else { throw RecommendationError.invalidArgument(field: "k", reason: "must be in 1...1000, got \(k)") }
    }

    func unitProductEmbeddings() -> Tensor {
        if let unitProducts { return unitProducts }
        let unit = Tape.inference.l2Normalize(Variable(recommender.productEmbeddings)).value
        unitProducts = unit
        return unit
    }

    func collaborativeProductEmbeddings() -> Tensor? {
        if let collaborativeProducts { return collaborativeProducts }
        collaborativeProducts = trained.model.collaborativeEmbeddings(inputs: recommender.inputs)?.products
        return collaborativeProducts
    }

    /// Indices of the `k` largest scores outside `excluded`, best first (ties by index).
    static func top(_ k: Int, count: Int, excluded: Set<Int>, score: (Int) -> Float) -> [Int] {
        var heap: [(Float, Int)] = []
        heap.reserveCapacity(k + 1)
        for i in 0..<count where !excluded.contains(i) {
            let s = score(i)
            if heap.count < k {
                heap.append((s, i))
                if heap.count == k { heap.sort { ($0.0, -$0.1) > ($1.0, -$1.1) } }
            } else if s > heap[k - 1].0 {
                heap[k - 1] = (s, i)
                var j = k - 1
                while j > 0 && (heap[j].0, -heap[j].1) > (heap[j - 1].0, -heap[j - 1].1) { heap.swapAt(j, j - 1); j -= 1 }
            }
        }
        if heap.count < k { heap.sort { ($0.0, -$0.1) > ($1.0, -$1.1) } }
        return heap.map(\.1)
    }

    static func fingerprint(_ source: TextEmbeddingSource) -> ModelFingerprint {
        if source.kind == .encoder, let f = try? ModelFingerprint(hex: source.identity) { return f }
        return ModelFingerprint(configuration: Data("weft-text|\(source.kind.rawValue)|\(source.identity)".utf8), weights: Data())
    }

    // MARK: Insertion

    func insert(_ product: NewProduct, persist: Bool, textRequired: Bool = true) throws -> AddedProduct {
        if product.id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw RecommendationError.invalidProduct(field: "id", reason: "must not be empty")
        }
        if persist, dataset.productIndex[product.id] != nil { throw RecommendationError.productExists(product.id) }
        let graph = recommender.graph!
        var edges: [(relation: Relation, node: Int)] = []
        var named: [GraphEdge] = []
        var links: [(Relation, Int)] = []
        for (name, targets) in product.links.sorted(by: { $0.key < $1.key }) {
            let relation = Relation(.product, name, .product)
            guard graph.contains(relation) else { throw RecommendationError.unknownRelation(name) }
            for t in targets {
                guard let q = dataset.productIndex[t] else { throw RecommendationError.unknownProduct(t) }
                links.append((relation, Int(q)))
            }
        }
        let text = [product.title, product.description].filter { !$0.isEmpty }.joined(separator: ". ")
        var (vector, origin): ([Float]?, String)
        do {
            (vector, origin) = try textVector(for: product, text: text)
        } catch RecommendationError.noTextEncoder where !textRequired {
            (vector, origin) = (nil, "none (no cached vector and no encoder)")
        }
        // Everything that can fail is checked; from here on the engine changes.
        let index = dataset.addProduct(id: product.id, title: product.title, description: product.description,
                                       brand: product.brand, categories: product.categories)
        for c in dataset.products[Int(index)].categories {
            while graph.nodeCount(.category) <= Int(c) { try graph.addNode(.category) }
            if graph.contains(.inCategory) {
                edges.append((.inCategory, Int(c)))
                named.append(GraphEdge(relation: "product,in_category,category", source: product.id, destination: dataset.categories[Int(c)]))
            }
        }
        if let b = dataset.products[Int(index)].brand {
            while graph.nodeCount(.brand) <= Int(b) { try graph.addNode(.brand) }
            if graph.contains(.byBrand) {
                edges.append((.byBrand, Int(b)))
                named.append(GraphEdge(relation: "product,by_brand,brand", source: product.id, destination: dataset.brands[Int(b)]))
            }
        }
        for (relation, q) in links {
            edges.append((relation, q))
            named.append(GraphEdge(relation: "product,\(relation.name),product", source: product.id, destination: dataset.products[q].id))
            dataset.productLinks.append(.init(source: index, target: Int32(q), relation: relation.name))
        }
        let added = try recommender.addProduct(text: vector, edges: edges)
        precondition(added == Int(index), "graph and catalog numbering diverged")
        owners.append([])
        unitProducts = nil
        var persisted = false
        if persist, let store {
            var record = ProductRecord(id: product.id)
            record.title = product.title
            record.description = product.description
            record.brand = product.brand
            record.categories = product.categories
            try StoreCatalog.upsert(record, links: links.map { LinkRecord(source: product.id, target: dataset.products[$0.1].id, relation: $0.0.name) },
                                    into: store)
            if let vector, let cacheFingerprint, !text.isEmpty {
                try EmbeddingCache(store: store).insert(model: cacheFingerprint, texts: [text], vectors: vector,
                                                        dimension: vector.count)
            }
            persisted = true
        }
        return AddedProduct(product: product.id, index: added, edges: named, persisted: persisted, embeddingSource: origin)
    }

    /// The product's text vector: the caller's, else the store's cache, else the encoder's; nil when the
    /// model has no product text.
    func textVector(for product: NewProduct, text: String) throws -> ([Float]?, String) {
        guard let source = trained.configuration.textSource, let width = trained.model.configuration.textDimensions[.product] else {
            return (nil, "none (the model has no product text)")
        }
        if let given = product.embedding {
            guard given.count == width else {
                throw RecommendationError.invalidProduct(field: "embedding", reason: "has \(given.count) values; the model's text embeddings have \(width)")
            }
            guard given.allSatisfy(\.isFinite) else {
                throw RecommendationError.invalidProduct(field: "embedding", reason: "has a value that is not a finite number")
            }
            return (given, "request")
        }
        if text.isEmpty { return (nil, "none (no title or description)") }
        if let store, let cacheFingerprint {
            let hit = try EmbeddingCache(store: store).lookup(model: cacheFingerprint, texts: [text], dimension: width)
            if hit.found.first == true { return (hit.vectors, "cache") }
        }
        guard let encoder else {
            throw RecommendationError.noTextEncoder("the model's text embeddings came from \(source.detail); pass the product's 'embedding' (\(width) values)")
        }
        return (try encoder.embed([text]).scalars, encoder.source.description)
    }
}
