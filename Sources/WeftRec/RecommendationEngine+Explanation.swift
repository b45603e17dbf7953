import Foundation

extension RecommendationEngine {
    /// Reviews read for sentence evidence at most (the user's own, or of products they have).
    static let reviewLimit = 200
    static let sentenceLimit = 600

    /// Builds the explanation of user u and product p (indices) from the data, the
    /// GNN's attention on a full-neighbourhood pass around both, and the fusion gates.
    func explanation(_ u: Int, _ p: Int) throws -> Explanation {
        try explanations(u, [p])[0]
    }

    /// Explanations of several products for one user, sharing one GNN pass (all the
    /// products as seeds) and one encoding of the user's review sentences.
    /// `attention`: the products' incoming attention when already computed (it does not
    /// depend on the user, so an audience shares one pass).
    func explanations(_ u: Int, _ products: [Int], attention known: [[Relation: [Int32: Float]]]? = nil) throws -> [Explanation] {
        // The same product as `recommend` computes, so the two agree to the bit.
        let scores = recommender.scores(users: [Int32(u)])
        let attention = known ?? attentionInto(u, products)
        let sentences = try encoder.map { try reviewSentences(u, encoder: $0) }
        let userFusion = fusionShare(.user, u)
        let collaborative = recommender.inputs.textNeighbors == nil ? nil : collaborativeProductEmbeddings()
        return try products.enumerated().map { k, p in
            let product = dataset.products[p]
            var notes: [String] = []
            let productText = textRow(.product, p)
            var reviews: [Explanation.ReviewEvidence] = []
            var descriptionMatch: Explanation.DescriptionMatch?
            if let encoder, let productText, let sentences {
                reviews = reviewEvidence(sentences, productText: productText)
                descriptionMatch = try bestDescriptionSentence(u, product: product, encoder: encoder)
                if reviews.isEmpty { notes.append("no review sentence by this user or about the products they have is close to this product's text") }
            } else {
                notes.append(productText == nil
                    ? "the model has no text for this product, so no sentence evidence"
                    : "the model's text vectors came from a file and no encoder was given, so sentences cannot be compared")
            }
            let paths = attentionPaths(u, p, attention: attention[k])
            if paths.isEmpty { notes.append("no graph path of length up to three joins this user to the product; the score comes from the embeddings") }
            let productFusion = fusionShare(.product, p)
            let fusion = Explanation.FusionShare(productTextShare: productFusion.share, userTextShare: userFusion.share,
                                                 productGate: productFusion.gate, userGate: userFusion.gate)
            var explanation = Explanation(user: dataset.userIds[u], product: product.id, title: product.title,
                                          score: scores.data[p], summary: "", reviews: reviews, paths: paths,
                                          fusion: fusion, descriptionMatch: descriptionMatch, notes: notes)
            if let collaborative { explanation.textNeighbors = textNeighborEvidence(u, p, collaborative: collaborative) }
            explanation.summary = Self.summary(explanation)
            return explanation
        }
    }

    /// Product p's text neighbours q with what each adds to u's score,
    /// ⟨z_u, p̄_q⟩ / |N(p)| over the first D columns of u's output (the
    /// ones the term is added to), largest first.
    func textNeighborEvidence(_ u: Int, _ p: Int, collaborative: Tensor) -> [Explanation.TextNeighborEvidence] {
        guard let graph = recommender.inputs.textNeighbors, p < graph.rowCount else { return [] }
        let neighbors = graph.neighbors(of: p).filter { Int($0) < collaborative.rowCount }
        let d = trained.model.configuration.dimension
        let user = recommender.userEmbeddings.data + u * recommender.userEmbeddings.lastDimension
        let text = recommender.inputs.text[.product]
        let owns = Set(owned[u])
        let evidence = neighbors.map { q -> Explanation.TextNeighborEvidence in
            let contribution = recommender.options.objective == .bpr
                ? Kernels.dot(user, collaborative.data + Int(q) * d, d) / Float(neighbors.count) : nil
            let similarity = text.map { t in
                Self.cosine(t.data + p * t.lastDimension, t.data + Int(q) * t.lastDimension, t.lastDimension)
            } ?? 0
            let product = dataset.products[Int(q)]
            return .init(product: product.id, title: product.title, similarity: similarity, contribution: contribution,
                         owned: owns.contains(q))
        }
        return evidence.sorted { ($0.contribution ?? $0.similarity, $0.product) > ($1.contribution ?? $1.similarity, $1.product) }
    }

    /// The text vector the GNN read for a node (nil: none).
    func textRow(_ type: NodeType, _ node: Int) -> [Float]? {
        guard let table = recommender.inputs.text[type], node < table.rowCount else { return nil }
        let row = Array(table.row(node).scalars)
        return row.contains { $0 != 0 } ? row : nil
    }

    static func cosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ab = Kernels.dot(a, b, n), aa = Kernels.dot(a, a, n), bb = Kernels.dot(b, b, n)
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }

    /// The review sentences evidence is drawn from, with their text vectors: the user's own
    /// reviews, or, when they wrote none, reviews of the products they have.
    struct ReviewSentences {
        var sentences: [(text: String, source: Dataset.Interaction)]
        /// (S, T)
        var vectors: Tensor
        var own: Bool
    }

    func reviewSentences(_ u: Int, encoder: TextEncoding) throws -> ReviewSentences {
        let scale = dataset.interactions.lazy.compactMap(\.rating).max()
        func usable(_ x: Dataset.Interaction) -> Bool {
            !(x.review ?? "").isEmpty && Self.isSupporting(rating: x.rating, scaleMaximum: scale)
        }
        var chosen = dataset.interactions.filter { Int($0.user) == u && usable($0) }
        let own = !chosen.isEmpty
        if !own {
            let have = Set(owned[u])
            chosen = dataset.interactions.filter { have.contains($0.product) && usable($0) }
        }
        var sentences: [(text: String, source: Dataset.Interaction)] = []
        for x in chosen.suffix(Self.reviewLimit) {
            for s in SentenceSplitter.sentences(x.review!) { sentences.append((s, x)) }
        }
        sentences = Array(sentences.suffix(Self.sentenceLimit))
        let vectors = sentences.isEmpty ? Tensor(zeros: [0, encoder.source.dimension]) : try encoder.embed(sentences.map(\.text))
        return ReviewSentences(sentences: sentences, vectors: vectors, own: own)
    }

    /// Whether a review may be offered as a reason to want something like it: not when its own
    /// rating says the reviewer disliked the product (1 or 2 on a 1–5 scale, which is every rated
    /// source Weft imports). Unrated reviews, and ratings on other scales (e.g. play counts), count.
    static func isSupporting(rating: Float?, scaleMaximum: Float?) -> Bool {
        guard let rating, let scaleMaximum, scaleMaximum >= 4, scaleMaximum <= 5 else { return true }
        return rating >= 3
    }

    /// The review sentences closest to the product's text vector: the three best with
    /// positive similarity, one per review.
    func reviewEvidence(_ review: ReviewSentences, productText: [Float]) -> [Explanation.ReviewEvidence] {
        let (sentences, vectors, own) = (review.sentences, review.vectors, review.own)
        guard !sentences.isEmpty else { return [] }
        let width = vectors.lastDimension
        guard width == productText.count else { return [] }
        var scored: [(Int, Float)] = []
        productText.withUnsafeBufferPointer { q in
            for i in 0..<sentences.count { scored.append((i, Self.cosine(vectors.data + i * width, q.baseAddress!, width))) }
        }
        // One sentence per review, best reviews first.
        var used = Set<Int64>(), quoted = Set<String>()
        var out: [Explanation.ReviewEvidence] = []
        for (i, similarity) in scored.sorted(by: { ($0.1, -$0.0) > ($1.1, -$1.0) }) where similarity > 0 {
            let x = sentences[i].source
            let key = x.sourceRow ?? Int64(i)
            // One sentence per review, and a sentence repeated across reviews is quoted once.
            guard !used.contains(key), quoted.insert(sentences[i].text).inserted else { continue }
            used.insert(key)
            out.append(Explanation.ReviewEvidence(
                sentence: sentences[i].text, similarity: similarity, reviewId: x.sourceRow,
                reviewer: dataset.userIds[Int(x.user)], reviewedProduct: dataset.products[Int(x.product)].id,
                timestamp: x.timestamp, ownReview: own))
            if out.count == 3 { break }
        }
        return out
    }

    /// The sentence of the product's title and description closest to the mean text vector of the
    /// products the user has.
    func bestDescriptionSentence(_ u: Int, product: Dataset.Product, encoder: TextEncoding) throws -> Explanation.DescriptionMatch? {
        let candidates = SentenceSplitter.sentences(product.title) + SentenceSplitter.sentences(product.description)
        guard !candidates.isEmpty, let table = recommender.inputs.text[.product] else { return nil }
        let width = table.lastDimension
        var profile = [Float](repeating: 0, count: width)
        for q in owned[u] where Int(q) < table.rowCount {
            for j in 0..<width { profile[j] += table.data[Int(q) * width + j] }
        }
        guard profile.contains(where: { $0 != 0 }) else { return nil }
        let vectors = try encoder.embed(Array(candidates.prefix(50)))       // (C, T)
        guard vectors.lastDimension == width else { return nil }
        var best: (Int, Float)?
        profile.withUnsafeBufferPointer { q in
            for i in 0..<vectors.rowCount {
                let s = Self.cosine(vectors.data + i * width, q.baseAddress!, width)
                if best == nil || s > best!.1 { best = (i, s) }
            }
        }
        guard let best, best.1 > 0 else { return nil }
        return Explanation.DescriptionMatch(sentence: candidates[best.0], similarity: best.1)
    }

    /// The share of product p's aggregated message that came along each edge into it, per
    /// relation and source node: α_pj (softmax within the relation, mean over heads) times
    /// 1/|R_p| (the layer averages the relations that bring p messages), averaged over the
    /// layers; from one inference pass of the GNN over the full neighbourhoods of u and p.
    func attentionInto(_ u: Int, _ products: [Int]) -> [[Relation: [Int32: Float]]] {
        let model = trained.model
        guard let graph = recommender.graph, !model.layers.isEmpty else { return products.map { _ in [:] } }
        let recorders = model.layers.map { _ in AttentionRecorder() }
        for (layer, recorder) in zip(model.layers, recorders) { layer.attentionRecorder = recorder }
        defer { for layer in model.layers { layer.attentionRecorder = nil } }
        var rng = SeededGenerator(seed: 0)
        let sampler = NeighborSampler(graph: graph, fanout: [Int](repeating: -1, count: model.layers.count))
        let sample = sampler.sample(seeds: [.user: [Int32(u)], .product: products.map(Int32.init)], using: &rng)
        _ = model(sample.subgraph, inputs: recommender.inputs, tape: Tape.inference, training: false, using: &rng)
        let targets = sample.seedLocalIds[.product]!
        var slot: [Int32: Int] = [:]
        for (k, t) in targets.enumerated() where slot[t] == nil { slot[t] = k }
        var out = [[Relation: [Int32: Float]]](repeating: [:], count: products.count)
        for recorder in recorders {
            // Relations bringing messages into each target in this layer.
            var relationCount: [Int32: Int] = [:]
            for (relation, edges) in recorder.relations where relation.destination == .product {
                for t in Set(edges.destinations) where slot[t] != nil { relationCount[t, default: 0] += 1 }
            }
            for (relation, edges) in recorder.relations where relation.destination == .product {
                guard let nodes = sample.subgraph.nodes[relation.source] else { continue }
                for e in 0..<edges.sources.count {
                    let t = edges.destinations[e]
                    guard let k = slot[t], let count = relationCount[t] else { continue }
                    out[k][relation, default: [:]][nodes[Int(edges.sources[e])], default: 0] +=
                        edges.weights[e] / Float(count * recorders.count)
                }
            }
        }
        // A product asked for twice shares one seed.
        for (k, t) in targets.enumerated() where slot[t] != k { out[k] = out[slot[t]!] }
        return out
    }

    /// Paths from the user to the product whose last edge is an edge the GNN attended to:
    /// a socially linked user who has it, a linked product the user has, a category or brand it
    /// shares with a product the user has. The five with the most attention.
    func attentionPaths(_ u: Int, _ p: Int, attention: [Relation: [Int32: Float]]) -> [Explanation.PathEvidence] {
        guard let graph = recommender.graph else { return [] }
        let user = dataset.userIds[u], product = dataset.products[p]
        func edge(_ r: Relation, _ s: String, _ d: String) -> GraphEdge {
            GraphEdge(relation: "\(r.source),\(r.name),\(r.destination)", source: s, destination: d)
        }
        func name(_ q: Int) -> String { dataset.products[q].title.isEmpty ? dataset.products[q].id : "“\(dataset.products[q].title)”" }
        let have = owned[u]
        var paths: [Explanation.PathEvidence] = []
        for (relation, weights) in attention {
            for (source, weight) in weights {
                let j = Int(source)
                switch relation.source {
                case .user where relation == Relation.interacted:
                    for social in graph.relations where social.source == .user && social.destination == .user && !social.isReverse {
                        guard graph.hasEdge(from: u, to: j, in: social) else { continue }
                        let other = dataset.userIds[j]
                        paths.append(.init(kind: "social", text: "user \(other), whom you \(social.name.replacingOccurrences(of: "_", with: " ")), has it",
                                           attention: weight,
                                           edges: [edge(social, user, other), edge(.interacted, other, product.id)]))
                    }
                case .product:
                    guard have.contains(source) else { continue }
                    let linkName = (relation.isReverse ? relation.reversed.name : relation.name).replacingOccurrences(of: "_", with: " ")
                    paths.append(.init(kind: "linked-product", text: "it is linked (\(linkName)) with \(name(j)), which you have",
                                       attention: weight,
                                       edges: [edge(.interacted, user, dataset.products[j].id),
                                               edge(relation, dataset.products[j].id, product.id)]))
                case .category, .brand:
                    let forward = relation.source == .category ? Relation.inCategory : Relation.byBrand
                    guard let q = have.first(where: { graph.hasEdge(from: Int($0), to: j, in: forward) }) else { continue }
                    let label = relation.source == .category ? dataset.categories[j] : dataset.brands[j]
                    let kind = relation.source == .category ? "same-category" : "same-brand"
                    let what = relation.source == .category ? "category" : "brand"
                    paths.append(.init(kind: kind, text: "it shares the \(what) “\(label)” with \(name(Int(q))), which you have",
                                       attention: weight,
                                       edges: [edge(.interacted, user, dataset.products[Int(q)].id),
                                               edge(forward, dataset.products[Int(q)].id, label),
                                               edge(relation, label, product.id)]))
                default:
                    continue
                }
            }
        }
        return Array(paths.sorted { ($0.attention, $0.text) > ($1.attention, $1.text) }.prefix(5))
    }

    /// The gate's text share for one node: Σ|g ⊙ t| / (Σ|g ⊙ t| + Σ|(1 − g) ⊙ e|), and mean g.
    func fusionShare(_ type: NodeType, _ node: Int) -> (share: Float, gate: Float) {
        let model = trained.model
        let d = model.configuration.dimension
        let tape = Tape.inference
        var t = Tensor(zeros: [1, d])                                        // (1, D)
        if let projection = model.textProjections[type], let row = textRow(type, node) {
            t = projection(Variable(Tensor(row, shape: [1, row.count])), tape: tape).value
        }
        var e = Tensor(zeros: [1, d])                                        // (1, D)
        let available = recommender.inputs.idAvailable[type].map { node < $0.count && $0[node] } ?? true
        if available, let table = model.idEmbeddings[type], node < table.count {
            e = table([Int32(node)], tape: tape).value
        }
        guard let fusion = model.fusions[type] else { return (0, 0) }
        let g = tape.sigmoid(fusion.gate(tape.concatenateColumns([Variable(t), Variable(e)]), tape: tape)).value
        var text: Float = 0, id: Float = 0, gate: Float = 0
        for j in 0..<d {
            text += abs(g.data[j] * t.data[j])
            id += abs((1 - g.data[j]) * e.data[j])
            gate += g.data[j]
        }
        return (text + id > 0 ? text / (text + id) : 0, gate / Float(d))
    }

    static func summary(_ x: Explanation) -> String {
        func percent(_ v: Float) -> String { "\(Int((v * 100).rounded()))%" }
        var parts: [String] = []
        let name = x.title.isEmpty ? x.product : "“\(x.title)”"
        parts.append("\(name) is recommended to user \(x.user) (score \(String(format: "%.3f", x.score))).")
        if let r = x.reviews.first {
            let whose = r.ownReview ? "You wrote" : "A review of \(r.reviewedProduct), which you have, says"
            parts.append("\(whose) “\(r.sentence)”, close to this product's text (similarity \(String(format: "%.2f", r.similarity))).")
        }
        if let path = x.paths.first {
            parts.append("In the graph, \(path.text); that edge carried \(percent(path.attention)) of what the product's node received.")
        }
        if let n = x.textNeighbors.first {
            let neighbor = n.title.isEmpty ? n.product : "“\(n.title)”"
            let added = n.contribution.map { String(format: "; what shoppers did with that product adds %.3f to this score", $0) } ?? ""
            parts.append("It reads like \(neighbor) (text similarity \(String(format: "%.2f", n.similarity)))\(n.owned ? ", which you have" : "")\(added).")
        }
        if let d = x.descriptionMatch {
            parts.append("Its description says “\(d.sentence)”, the line closest to what you have.")
        }
        parts.append("Text made up \(percent(x.fusion.productTextShare)) of the product's starting representation and \(percent(x.fusion.userTextShare)) of yours; the learned ID and graph embeddings the rest.")
        return parts.joined(separator: " ")
    }
}
