import Foundation

/// Recommends with `WeftGNN`: users and products are embedded by the GNN
/// over the training graph (with its categories, brands and social or
/// product links) and scored by dot product.
///
/// Training: mini-batches of training (user, product) pairs; each batch
/// runs the GNN on the neighbour-sampled subgraph around its seed nodes
/// (so the graph never has to fit one batch), without the batch's own
/// edges and with ID embeddings dropped at random. The objective is the
/// sampled softmax over the batch's products (cosine / τ, the other users'
/// positives as negatives) or BPR with one uniform negative per pair.
/// Validation NDCG@10 on full-graph embeddings after each epoch, early
/// stopping, and the best epoch's parameters kept. Seeded.
///
/// Cold start: products without training interactions never use their ID
/// embedding, so they are embedded from text and category/brand edges; a
/// product added after training (`addProduct`) is embedded the same way
/// without retraining.
public final class WeftGNNRecommender: Recommender {
    public let name: String
    public private(set) var configuration: GNNConfiguration
    public let options: GNNTrainingOptions
    public private(set) var model: WeftGNN?
    public private(set) var graph: HeteroGraph?
    /// Text tables and ID availability the GNN reads, by node type.
    public private(set) var inputs = WeftGNN.Inputs()
    /// (U, D) and (P, D) output embeddings of the best epoch.
    public private(set) var userEmbeddings = Tensor(zeros: [0, 0])
    public private(set) var productEmbeddings = Tensor(zeros: [0, 0])
    public private(set) var epochSeconds: [Double] = []
    /// The epoch whose parameters `fit` kept, and its validation NDCG@10.
    public private(set) var bestEpoch = 0
    public private(set) var bestValidation = -Double.infinity
    /// A saved epoch to continue from (`weft train --resume`).
    public var resumeFrom: GNNTrainingProgress?
    /// Called after every epoch with the state to save for resuming.
    public var onEpochEnd: ((GNNTrainingProgress) throws -> Void)?
    /// When set, the model needs product text: `fit` without any throws
    /// `RecommenderUnavailable` with this reason (the text ablation's models).
    public var missingTextReason: String?
    /// Each product's training users (the graph's reverse interaction
    /// relation), for cold simulation.
    private var productUsers: Adjacency?

    public init(name: String = "weft-gnn", configuration: GNNConfiguration = GNNConfiguration(),
                options: GNNTrainingOptions = GNNTrainingOptions()) {
        self.name = name
        self.configuration = configuration
        self.options = options
    }

    /// A trained model put back together from saved parts: the GNN, the
    /// graph it runs on, its inputs and its saved output embeddings (used as
    /// they are, so scores match the run that saved them bit for bit). The
    /// collaborative pathway reads `graph`'s interactions.
    public init(name: String = "weft-gnn", restoring model: WeftGNN, graph: HeteroGraph, inputs: WeftGNN.Inputs,
                options: GNNTrainingOptions, userEmbeddings: Tensor, productEmbeddings: Tensor) {
        self.name = name
        configuration = model.configuration
        self.options = options
        self.model = model
        self.graph = graph
        self.inputs = inputs
        // The collaborative pathway's operator is not saved: it is the graph's, rebuilt here.
        if model.configuration.idPropagationLayers > 0 && inputs.idPropagation == nil {
            self.inputs.idPropagation = try? IDPropagation(graph: graph, social: model.configuration.socialPropagation)
        }
        // The text graph is saved with the model; one restored without it is rebuilt from the saved text and ID availability.
        if model.configuration.textNeighbors > 0 && inputs.textNeighbors == nil, let text = inputs.text[.product] {
            self.inputs.textNeighbors = TextNeighbors.build(
                text: text, candidates: inputs.idAvailable[.product] ?? [Bool](repeating: true, count: text.rowCount),
                k: model.configuration.textNeighbors)
        }
        self.userEmbeddings = userEmbeddings
        self.productEmbeddings = productEmbeddings
    }

    /// Runs the trained GNN on `graph` (e.g. the training graph plus the
    /// validation interactions held out for early stopping) and makes its
    /// outputs the embeddings scores use. Node counts must be the training graph's.
    public func embed(on graph: HeteroGraph) throws {
        self.graph = graph
        if configuration.idPropagationLayers > 0 {
            inputs.idPropagation = try IDPropagation(graph: graph, social: configuration.socialPropagation)
        }
        refresh()
    }

    public func fit(_ context: TrainingContext) throws {
        if let missingTextReason, context.productText == nil {
            throw RecommenderUnavailable(model: name, reason: missingTextReason)
        }
        let graph = context.graph
        self.graph = graph
        var text = context.nodeText
        if let products = context.productText { text[.product] = products }
        configuration.textDimensions = text.mapValues(\.lastDimension)
        // A node has a trained ID only if training shows it some edge.
        var available: [NodeType: [Bool]] = [:]
        var productSeen = [Bool](repeating: false, count: context.split.productCount)
        for p in context.split.train.products { productSeen[Int(p)] = true }
        available[.product] = productSeen
        available[.user] = (0..<context.split.userCount).map { context.trainAdjacency.degree(of: $0) > 0 }
        // The collaborative pathway reads the whole training graph, batch edges included, as LightGCN does.
        inputs = WeftGNN.Inputs(text: text, idAvailable: available,
                                idPropagation: configuration.idPropagationLayers > 0
                                    ? try IDPropagation(graph: graph, social: configuration.socialPropagation) : nil)
        if configuration.textNeighbors > 0, let products = text[.product] {
            let started = Date()
            let neighbors = TextNeighbors.build(text: products, candidates: productSeen, k: configuration.textNeighbors)
            inputs.textNeighbors = neighbors
            context.log(String(format: "%@: text graph of %d products, %d edges (K = %d), built in %.2f s", name,
                               neighbors.rowCount, neighbors.edgeCount, configuration.textNeighbors,
                               Date().timeIntervalSince(started)))
        }
        if configuration.textSimilarity, let products = text[.product] {
            inputs.similarityText = [
                .product: products.unitRows(),
                .user: Self.historyText(products, adjacency: context.trainAdjacency,
                                        userCount: context.split.userCount).unitRows(),
            ]
        }

        var rng = SeededGenerator(seed: context.seed)
        let model = WeftGNN(configuration: configuration, nodeCounts: graph.nodeCounts, relations: graph.relations,
                            using: &rng)
        self.model = model
        if let prior = model.textPrior, let products = text[.product] {
            var counts = [Int](repeating: 0, count: products.rowCount)
            for p in context.split.train.products where Int(p) < counts.count { counts[Int(p)] += 1 }
            let w = TextPopularityPrior.fit(text: products, interactions: counts)
            prior.weight.value.data.update(from: w, count: w.count)
        }
        // The text prior's row w is fitted above and stays fixed.
        let parameters = model.namedParameters().filter { $0.name != "text_prior.weight" }
        // Two parameter groups: ID embeddings at the full rate, the layers' transforms
        // (which start as LightGCN propagation) at a scaled rate, so they refine
        // that propagation rather than race the embeddings.
        let embeddings = parameters.filter { $0.name.hasPrefix("id.") }
        let transforms = parameters.filter { !$0.name.hasPrefix("id.") }
        let optimizers = [
            AdamW(parameters: embeddings, learningRate: options.learningRate, weightDecay: options.weightDecay),
            AdamW(parameters: transforms, learningRate: options.learningRate * options.transformLearningRateScale,
                  weightDecay: options.weightDecay),
        ]
        // The training graph stores each product's buyers as the reverse interaction relation.
        productUsers = options.coldSimulation > 0 && graph.contains(.interacted)
            ? try graph.adjacency(Relation.interacted.reversed) : nil
        let sampler = NeighborSampler(graph: graph, fanout: Array(options.fanouts.prefix(configuration.layers)))
        let triplets = TripletSampler(split: context.split, adjacency: context.trainAdjacency)
        context.log("\(name): \(model.parameterCount) parameters, \(graph.relations.count) relations, text for \(text.keys.sorted())")

        var counters = GNNTrainingProgress.Counters(
            epoch: 0, stopping: EarlyStopping(),
            stopped: false, generator: rng, epochSeconds: [], optimizerSteps: optimizers.map(\.step))
        let bestValues = parameters.map { $0.parameter.value.copy() }
        if let progress = resumeFrom {
            try restore(progress, parameters: parameters, bestValues: bestValues, optimizers: optimizers)
            counters = progress.counters
            rng = counters.generator
            context.log("\(name): resuming after epoch \(counters.epoch)")
        }
        epochSeconds = counters.epochSeconds
        var epoch = counters.epoch
        while !counters.stopped && epoch < options.maximumEpochs {
            epoch += 1
            let started = Date()
            var lossSum = 0.0, batches = 0
            for batch in triplets.epoch(batchSize: options.batchSize, using: &rng) {
                let tape = Tape()
                var loss = options.objective == .bpr
                    ? bprLoss(batch.users, batch.positives, batch.negatives, sampler: sampler, tape: tape, rng: &rng)
                    : softmaxLoss(batch.users, batch.positives, sampler: sampler, tape: tape, rng: &rng)
                if options.contrastiveWeight > 0,
                   let contrastive = contrastiveLoss(batch.users, batch.positives, tape: tape, rng: &rng) {
                    loss = tape.add(loss, tape.scale(contrastive, options.contrastiveWeight))
                }
                lossSum += Double(loss.value.scalar)
                batches += 1
                tape.backward(loss)
                if options.gradientClip > 0 { clipGradientNorm(model.parameters, maxNorm: options.gradientClip) }
                for optimizer in optimizers { optimizer.update() }
                model.zeroGradients()
            }
            counters.stopping.stepped(batches)
            epochSeconds.append(Date().timeIntervalSince(started))
            counters.epoch = epoch
            counters.epochSeconds = epochSeconds
            if epoch % options.evaluateEvery == 0 || epoch == options.maximumEpochs {
                refresh()
                let score = context.validate(self)
                context.log(String(format: "%@ epoch %d: loss %.4f, validation ndcg@10 %.4f, %.1f s/epoch", name, epoch,
                                   lossSum / Double(Swift.max(batches, 1)), score, epochSeconds.last!))
                if counters.stopping.evaluated(score, epoch: epoch) {
                    for (i, p) in parameters.enumerated() { bestValues[i].assign(p.parameter.value) }
                }
                counters.stopped = counters.stopping.exhausted(patience: options.patience, patienceSteps: options.patienceSteps)
            }
            if let onEpochEnd {
                counters.generator = rng
                counters.optimizerSteps = optimizers.map(\.step)
                try onEpochEnd(GNNTrainingProgress(
                    counters: counters,
                    parameters: Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.parameter.value) }),
                    bestParameters: Dictionary(uniqueKeysWithValues: zip(parameters.map(\.name), bestValues)),
                    optimizerMoments: optimizers.map { Dictionary(uniqueKeysWithValues: $0.momentTensors.map { ($0.name, $0.tensor) }) }))
            }
        }
        bestEpoch = counters.stopping.bestEpoch
        bestValidation = counters.stopping.best
        for (i, p) in parameters.enumerated() { p.parameter.value.assign(bestValues[i]) }
        refresh()
    }

    /// (U, T): each user's mean product text over their training products
    /// (zeros for users without any), the profile text-kNN scores with.
    static func historyText(_ products: Tensor, adjacency: Adjacency, userCount: Int) -> Tensor {
        let width = products.lastDimension
        let users = Tensor(zeros: [userCount, width])
        for u in 0..<Swift.min(userCount, adjacency.rowCount) {
            let items = adjacency.neighbors(of: u).filter { Int($0) < products.rowCount }
            guard !items.isEmpty else { continue }
            let row = users.data + u * width
            for p in items { Kernels.add(row, row, products.data + Int(p) * width, width) }
            Kernels.scale(row, row, 1 / Float(items.count), width)
        }
        return users
    }

    /// Puts a saved epoch's state back; every parameter must be there with its shape.
    private func restore(_ progress: GNNTrainingProgress, parameters: [(name: String, parameter: Variable)],
                         bestValues: [Tensor], optimizers: [AdamW]) throws {
        for (i, p) in parameters.enumerated() {
            guard let value = progress.parameters[p.name], let best = progress.bestParameters[p.name],
                  value.shape == p.parameter.value.shape, best.shape == p.parameter.value.shape else {
                throw ModelDirectoryError.resumeMismatch(path: "the training checkpoint", field: "parameter \(p.name)")
            }
            p.parameter.value.assign(value)
            bestValues[i].assign(best)
        }
        guard progress.optimizerMoments.count == optimizers.count else {
            throw ModelDirectoryError.resumeMismatch(path: "the training checkpoint", field: "optimizer count")
        }
        for (i, optimizer) in optimizers.enumerated() {
            try optimizer.loadMoments({ progress.optimizerMoments[i][$0] }, step: progress.counters.optimizerSteps[i])
        }
    }

    /// BPR loss of one batch on its sampled subgraph:
    /// L = −(1/B) Σ log σ(⟨z_u, z_i⟩ − ⟨z_u, z_j⟩), z the GNN outputs.
    func bprLoss(_ users: [Int32], _ positives: [Int32], _ negatives: [Int32], sampler: NeighborSampler, tape: Tape,
                 rng: inout SeededGenerator) -> Variable {
        let model = model!
        // Simulated cold products: no ID, no collaborative term, none of their buyers in the subgraph.
        var cold = Set<Int32>()
        if options.coldSimulation > 0 {
            for p in Self.distinct(positives + negatives) where rng.nextUniform() < options.coldSimulation { cold.insert(p) }
        }
        var batchInputs = inputs
        if !cold.isEmpty { batchInputs.droppedIDs[.product] = cold }
        // The batch's own positive edges are left out of its subgraph (both directions).
        let sample = sampler.sample(seeds: [.user: users, .product: positives + negatives],
                                    excluding: excludedEdges(users, positives, coldProducts: cold), using: &rng)
        let out = model(sample.subgraph, inputs: batchInputs, tape: tape, training: true, using: &rng)
        let productLocal = sample.seedLocalIds[.product]!
        let b = users.count
        let u = tape.gatherRows(out[.user]!, ids: sample.seedLocalIds[.user]!)           // (B, D)
        let p = tape.gatherRows(out[.product]!, ids: Array(productLocal[0..<b]))          // (B, D)
        let n = tape.gatherRows(out[.product]!, ids: Array(productLocal[b..<(2 * b)]))    // (B, D)
        let margin = tape.sub(tape.rowDot(u, p), tape.rowDot(u, n))                       // (B, 1)
        let ranking = tape.scale(tape.mean(tape.logSigmoid(margin)), -1)
        guard options.regularization > 0 else { return ranking }
        // LightGCN's L2 on the batch's ego ID rows (users, positives, negatives).
        var squares: Variable?
        for (type, ids) in [(NodeType.user, users), (.product, positives + negatives)] {
            guard let table = model.idEmbeddings[type] else { continue }
            let rows = tape.gatherRows(table.weight, ids: ids.map { Int($0) < table.count ? $0 : 0 })  // (n, D)
            let sum = tape.sum(tape.rowDot(rows, rows))
            squares = squares.map { tape.add($0, sum) } ?? sum
        }
        guard let squares else { return ranking }
        return tape.add(ranking, tape.scale(squares, options.regularization / Float(2 * b)))
    }

    /// Sampled-softmax loss of one batch: with unit-normalised outputs ẑ and
    /// the batch's distinct positive products P,
    /// L = −(1/B) Σ_b log softmax_{p ∈ P}(⟨ẑ_{u_b}, ẑ_p⟩ / τ)[p_b].
    func softmaxLoss(_ users: [Int32], _ positives: [Int32], sampler: NeighborSampler, tape: Tape,
                     rng: inout SeededGenerator) -> Variable {
        let model = model!
        var column: [Int32: Int32] = [:], products: [Int32] = []
        let targets = positives.map { p -> Int32 in
            if let c = column[p] { return c }
            let c = Int32(products.count)
            column[p] = c
            products.append(p)
            return c
        }
        let sample = sampler.sample(seeds: [.user: users, .product: products],
                                    excluding: excludedEdges(users, positives), using: &rng)
        let out = model(sample.subgraph, inputs: inputs, tape: tape, training: true, using: &rng)
        let u = tape.l2Normalize(tape.gatherRows(out[.user]!, ids: sample.seedLocalIds[.user]!))        // (B, D)
        let p = tape.l2Normalize(tape.gatherRows(out[.product]!, ids: sample.seedLocalIds[.product]!))  // (P, D)
        let logits = tape.scale(tape.matmul(u, p, transposeB: true), 1 / options.temperature)           // (B, P)
        return tape.crossEntropy(logits, targets: targets)
    }

    /// SimGCL's contrastive regulariser on the collaborative pathway: two
    /// noisy views (ū′, p̄′) and (ū″, p̄″) of the propagated ID embeddings
    /// (`WeftGNN.perturbedCollaborativeView`, noise length ε), and over the
    /// batch's distinct users U_B and distinct positive products P_B
    ///
    ///   L_cl = InfoNCE(ū′[U_B], ū″[U_B]) + InfoNCE(p̄′[P_B], p̄″[P_B]),
    ///   InfoNCE(a, b) = −(1/n) Σ_i log softmax_j(⟨â_i, b̂_j⟩ / τ)[i]
    ///
    /// with â, b̂ unit rows: each node must pick its own other view out of
    /// the batch's. It spreads the embeddings more uniformly, which is where
    /// SimGCL's gain over LightGCN comes from. Nil without the pathway.
    func contrastiveLoss(_ users: [Int32], _ positives: [Int32], tape: Tape,
                         rng: inout SeededGenerator) -> Variable? {
        guard let model,
              let first = model.perturbedCollaborativeView(inputs: inputs, epsilon: options.contrastiveNoise,
                                                           tape: tape, using: &rng),
              let second = model.perturbedCollaborativeView(inputs: inputs, epsilon: options.contrastiveNoise,
                                                            tape: tape, using: &rng) else { return nil }
        let userIds = Self.distinct(users), productIds = Self.distinct(positives)
        return tape.add(
            Self.infoNCE(tape.gatherRows(first.users, ids: userIds), tape.gatherRows(second.users, ids: userIds),
                         temperature: options.contrastiveTemperature, tape: tape),
            Self.infoNCE(tape.gatherRows(first.products, ids: productIds), tape.gatherRows(second.products, ids: productIds),
                         temperature: options.contrastiveTemperature, tape: tape))
    }

    /// −(1/n) Σ_i log softmax_j(⟨â_i, b̂_j⟩ / τ)[i] for a, b (n, D), rows unit-normalised.
    static func infoNCE(_ a: Variable, _ b: Variable, temperature: Float, tape: Tape) -> Variable {
        let logits = tape.scale(tape.matmul(tape.l2Normalize(a), tape.l2Normalize(b), transposeB: true), 1 / temperature)
        return tape.crossEntropy(logits, targets: (0..<Int32(a.value.rowCount)).map { $0 })
    }

    /// The ids in order of first appearance, each once.
    static func distinct(_ ids: [Int32]) -> [Int32] {
        var seen = Set<Int32>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// Every pair's edge in both directions, keyed as the sampler expects;
    /// and every training interaction of each of `coldProducts`.
    func excludedEdges(_ users: [Int32], _ positives: [Int32],
                       coldProducts: Set<Int32> = []) -> [Relation: Set<Int64>] {
        var forward = Set<Int64>(), backward = Set<Int64>()
        func exclude(_ u: Int32, _ p: Int32) {
            forward.insert(Int64(u) << 32 | Int64(p))
            backward.insert(Int64(p) << 32 | Int64(u))
        }
        if options.excludeBatchEdges {
            for (u, p) in zip(users, positives) { exclude(u, p) }
        }
        if let productUsers {
            for p in coldProducts where Int(p) < productUsers.rowCount {
                for u in productUsers.neighbors(of: Int(p)) { exclude(u, p) }
            }
        }
        guard !forward.isEmpty else { return [:] }
        return [.interacted: forward, Relation.interacted.reversed: backward]
    }

    /// Recomputes every user and product embedding on the full graph (unit
    /// rows under the sampled softmax, so scores are the cosines it trained).
    public func refresh() {
        guard let model, let graph else { return }
        var rng = SeededGenerator(seed: 0)
        let out = model(graph.fullSubgraph(), inputs: inputs, tape: Tape.inference, training: false, using: &rng)
        userEmbeddings = finish(out[.user]!)
        productEmbeddings = finish(out[.product]!)
    }

    private func finish(_ z: Variable) -> Tensor {
        options.objective == .bpr ? z.value : Tape.inference.l2Normalize(z).value
    }

    public func scores(users: [Int32]) -> Tensor {
        let d = userEmbeddings.lastDimension
        let chosen = Tensor(uninitialized: [users.count, d])
        users.withUnsafeBufferPointer { ids in
            Kernels.gatherRows(chosen.data, userEmbeddings.data, ids: ids.baseAddress!, count: users.count, cols: d)
        }
        return chosen.matmul(productEmbeddings, transposeOther: true)
    }

    /// Adds a product that has only text and metadata to the trained model,
    /// without retraining: the node and its edges go into the graph's delta
    /// lists, the GNN embeds it from its L-hop neighbourhood, and it joins
    /// the ranked catalogue. Returns its product index.
    @discardableResult
    public func addProduct(text: [Float]?, edges: [(relation: Relation, node: Int)]) throws -> Int {
        guard let model, let graph else { throw RecommenderUnavailable(model: name, reason: "the model is not trained") }
        let id = try graph.addNode(.product, edges: edges)
        if let neighbors = inputs.textNeighbors, let table = inputs.text[.product] {
            // Its nearest trained products by text, so it gets the text-neighbour term.
            let nearest = text.map {
                TextNeighbors.nearest(to: $0, text: table, candidates: inputs.idAvailable[.product] ?? [], k: configuration.textNeighbors)
            } ?? []
            var (sources, targets) = neighbors.edgeList
            sources.append(contentsOf: repeatElement(Int32(id), count: nearest.count))
            targets.append(contentsOf: nearest)
            inputs.textNeighbors = Adjacency(rowCount: id + 1, sources: sources, targets: targets)
        }
        if let text, let table = inputs.text[.product] {
            precondition(text.count == table.lastDimension, "text embedding of \(text.count) values for width \(table.lastDimension)")
            let grown = Tensor(zeros: [id + 1, table.lastDimension])
            grown.data.update(from: table.data, count: Swift.min(table.count, grown.count))
            text.withUnsafeBufferPointer { (grown.data + id * table.lastDimension).update(from: $0.baseAddress!, count: text.count) }
            inputs.text[.product] = grown
        }
        if let table = inputs.similarityText[.product] {
            // The new product's unit text (zeros without text), so it gets text-kNN's score too.
            let width = table.lastDimension
            let grown = Tensor(zeros: [id + 1, width])
            grown.data.update(from: table.data, count: Swift.min(table.count, grown.count))
            if let text, text.count == width {
                let unit = Tensor(text, shape: [1, width]).unitRows()
                (grown.data + id * width).update(from: unit.data, count: width)
            }
            inputs.similarityText[.product] = grown
        }
        var rng = SeededGenerator(seed: 0)
        let sampler = NeighborSampler(graph: graph, fanout: [Int](repeating: -1, count: configuration.layers))
        let sample = sampler.sample(seeds: [.product: [Int32(id)]], using: &rng)
        let out = model(sample.subgraph, inputs: inputs, tape: Tape.inference, training: false, using: &rng)
        let d = productEmbeddings.lastDimension
        let grown = Tensor(zeros: [id + 1, d])
        grown.data.update(from: productEmbeddings.data, count: Swift.min(productEmbeddings.count, grown.count))
        let embedded = finish(Variable(out[.product]!.value.row(Int(sample.seedLocalIds[.product]![0])).reshaped([1, d])))
        (grown.data + id * d).update(from: embedded.data, count: d)
        productEmbeddings = grown
        return id
    }

    /// Every user's score for one product, e.g. to find who to show a new product to.
    public func userScores(product: Int) -> Tensor {
        productEmbeddings.row(product).reshaped([1, -1]).matmul(userEmbeddings, transposeOther: true).reshaped([-1])
    }
}
