/// Weft's heterogeneous GNN: text and graph fused per node, then L layers
/// of relation-aware cross-modal message passing.
///
/// For a node i of type τ with text embedding x_i (T_τ) and ID embedding
/// e_i (D):
///
///   t_i = W_text^τ x_i + b_text^τ                  (zeros for a type without text)
///   e_i ← ē_i, its collaborative-pathway embedding, for users and products
///         when `propagatedIDView` (and the pathway runs)
///   e_i ← 0 when the node has no trained ID (or is in `Inputs.droppedIDs`),
///         and with probability `idDropout` in training, so the model learns
///         to work from text
///   h_i⁰ = TextIDFusion^τ(t_i, e_i)                (learned gate)
///   h^{l+1} = RelationalAttentionLayer_l(h^l, t)    l = 0 … L−1 (see there)
///   g_i = (1/(L+1)) Σ_l h_i^l                       (layer mean, as LightGCN)
///   output_i = g_i + m_i ē_i                        (when `Inputs.idPropagation` is given)
///   output_p += (1/|N(p)|) Σ_{q ∈ N(p)} p̄_q          (products, when `textNeighbors` > 0 and
///                                                    `Inputs.textNeighbors` gives N(p), the K
///                                                    nearest products by text: `TextNeighbors`)
///   output_i ← [output_i ; s t̂_i]                  (users and products, when `textSimilarity`
///                                                    and `Inputs.similarityText` has both)
///   output_u ← [output_u ; 1], output_p ← [output_p ; β w x̂_p]
///                                                   (when `textPrior` and products have text;
///                                                    x̂_p = x_p / ‖x_p‖; w (1, T) is fitted by
///                                                    the trainer and held fixed, β is learned)
///
/// where ē = `IDPropagation` (K = `idPropagationLayers` LightGCN layers over
/// the whole interaction graph) of the same ID embeddings, with rows of
/// nodes without a trained ID zeroed, and m_i = 0 for a product whose ID is
/// dropped in training (with probability `idDropout`, the same rate as the
/// input ID view), else 1. The collaborative pathway carries LightGCN's
/// signal for warm nodes; the gate and attention layers add text and
/// relations on top, and are all a cold product has. t̂ (unit text vectors:
/// a product's own, a user's the normalised mean of their products') with
/// one learned scale s adds s² cos(t̂_u, t̂_p) to every score: text-kNN's
/// score, which a cold product gets in full without any trained weight.
/// The text prior adds β w x̂_p to every score of product p: a popularity
/// read from text (w: a ridge regression of the training products'
/// log interaction counts on their text, `TextPopularityPrior`), fitted on
/// warm products and applied to cold ones. The text-neighbour term is not
/// dropped with m_p: it is how a product without its own ID term (cold, or
/// dropped in training) still gets a collaborative embedding, the mean of
/// those of the trained products whose text is nearest its own.
///
/// A product that has only text and category/brand edges still gets an
/// output: its ID term is zero and everything else is computed from its
/// text and neighbours, so new products are embedded inductively, with no
/// retraining.
public final class WeftGNN: Module {
    /// What the model reads besides the graph: per type, text embeddings
    /// (rows by global node id; missing rows count as no text) and which
    /// nodes have a trained ID embedding (absent: all that are in the table).
    public struct Inputs {
        public var text: [NodeType: Tensor]
        public var idAvailable: [NodeType: [Bool]]
        /// The interaction graph the collaborative pathway propagates IDs
        /// over (nil: no collaborative pathway, e.g. a restored model that
        /// scores with its saved embeddings).
        public var idPropagation: IDPropagation?
        /// (N_τ, T) unit text vectors of users and products for the
        /// text-similarity pathway (rows by global node id; missing rows: zeros).
        public var similarityText: [NodeType: Tensor]
        /// Nodes treated as having no trained ID in this call: their ID view
        /// and their collaborative-pathway term are zero, as for a cold
        /// product (training's simulated cold products; empty otherwise).
        public var droppedIDs: [NodeType: Set<Int32>] = [:]
        /// N(p): each product's nearest trained products by text (rows and
        /// targets products by global id; `TextNeighbors.build`), for the
        /// text-neighbour term; nil: no such term.
        public var textNeighbors: Adjacency?

        public init(text: [NodeType: Tensor] = [:], idAvailable: [NodeType: [Bool]] = [:],
                    idPropagation: IDPropagation? = nil, similarityText: [NodeType: Tensor] = [:],
                    textNeighbors: Adjacency? = nil) {
            self.textNeighbors = textNeighbors
            self.text = text
            self.idAvailable = idAvailable
            self.idPropagation = idPropagation
            self.similarityText = similarityText
        }
    }

    public let configuration: GNNConfiguration
    public let nodeTypes: [NodeType]
    public let relations: [Relation]
    public let idEmbeddings: [NodeType: Embedding]
    public let textProjections: [NodeType: Linear]
    public let fusions: [NodeType: TextIDFusion]
    public let layers: [RelationalAttentionLayer]
    /// s of the text-similarity pathway, (1, 1); nil when it is off.
    public let similarityScale: Variable?
    /// w of the text prior, (1, T_product) with no bias: zero until the
    /// trainer fits it, then held fixed (not given to an optimiser); nil when
    /// the prior is off or products have no text.
    public let textPrior: Linear?
    /// β, the text prior's learned scale, (1, 1), starting at 0.1 (the
    /// prior's units are log interactions, text-kNN's a cosine).
    public let textPriorScale: Variable?

    /// `nodeCounts` sizes the ID tables; nodes added later have no ID.
    public init(configuration: GNNConfiguration, nodeCounts: [NodeType: Int], relations: [Relation],
                using rng: inout SeededGenerator) {
        self.configuration = configuration
        let d = configuration.dimension
        nodeTypes = nodeCounts.keys.sorted()
        self.relations = relations.sorted()
        var ids: [NodeType: Embedding] = [:], projections: [NodeType: Linear] = [:], fusions: [NodeType: TextIDFusion] = [:]
        for t in nodeTypes {
            ids[t] = Embedding(count: Swift.max(nodeCounts[t]!, 1), dimension: d, std: 0.1, using: &rng)
            if let width = configuration.textDimensions[t], width > 0 {
                // Zero bias, so the text view starts node-specific rather than a shared offset.
                projections[t] = Linear(inFeatures: width, outFeatures: d, std: 1 / Float(width).squareRoot(), using: &rng)
            }
            fusions[t] = TextIDFusion(dimension: d, using: &rng)
        }
        idEmbeddings = ids
        textProjections = projections
        self.fusions = fusions
        similarityScale = configuration.textSimilarity
            ? Variable(Tensor([1], shape: [1, 1]), requiresGrad: true, name: "scale") : nil
        layers = (0..<configuration.layers).map { _ in
            RelationalAttentionLayer(dimension: d, heads: configuration.heads, relations: relations,
                                     degreeNormalized: configuration.degreeNormalized, using: &rng)
        }
        // Last, so the other weights are drawn as without the prior.
        textPrior = configuration.textPrior ? configuration.textDimensions[.product].flatMap { width in
            width > 0 ? Linear(inFeatures: width, outFeatures: 1, bias: false, std: 0, using: &rng) : nil
        } : nil
        textPriorScale = textPrior == nil ? nil : Variable(Tensor([0.1], shape: [1, 1]), requiresGrad: true, name: "scale")
    }

    /// Output embeddings (S_τ, D) of the seed nodes of `subgraph` (its first
    /// S_τ = `seedCounts[τ]` nodes; every node for the whole graph), by type.
    /// Layer l updates only the nodes within L − 1 − l hops of a seed, the
    /// ones later layers read.
    public func callAsFunction(_ subgraph: Subgraph, inputs: Inputs, tape: Tape, training: Bool,
                               using rng: inout SeededGenerator) -> [NodeType: Variable] {
        let d = configuration.dimension
        // The collaborative pathway over the whole interaction graph: ē (U, D) and (P, D).
        var propagated: [NodeType: Variable] = [:]
        if let (propagation, egoUsers, egoProducts) = collaborativeEgo(inputs: inputs, tape: tape) {
            let out = propagation(users: egoUsers, products: egoProducts,
                                  layers: configuration.idPropagationLayers, tape: tape)
            propagated = [.user: out.users, .product: out.products]
        }
        var states: [NodeType: Variable] = [:], text: [NodeType: Variable] = [:]
        for type in nodeTypes {
            let nodes = subgraph.nodes[type] ?? []
            let n = nodes.count
            // Text view: (N, T) rows gathered from the type's table, projected to (N, D).
            if let projection = textProjections[type], let table = inputs.text[type] {
                let width = table.lastDimension
                let rows = Tensor(zeros: [n, width])
                for (i, g) in nodes.enumerated() where Int(g) < table.rowCount {
                    (rows.data + i * width).update(from: table.data + Int(g) * width, count: width)
                }
                text[type] = projection(Variable(rows), tape: tape)
            } else {
                text[type] = Variable(Tensor(zeros: [n, d]))
            }
            // ID view: (N, D), zeroed where there is no trained ID or it is dropped.
            // From ē (rows past the pathway's graph, i.e. inserted nodes, have none) or the raw table.
            let table = idEmbeddings[type]!
            let source = configuration.propagatedIDView ? propagated[type] : nil
            let rows = source?.value.rowCount ?? table.count
            let available = inputs.idAvailable[type]
            var gatherIds = [Int32](repeating: 0, count: n), keep = [Float](repeating: 0, count: n)
            let dropped = inputs.droppedIDs[type] ?? []
            for (i, g) in nodes.enumerated() where Int(g) < rows && (available.map { Int(g) < $0.count && $0[Int(g)] } ?? true)
                && !dropped.contains(g) {
                gatherIds[i] = g
                keep[i] = 1
            }
            if training && configuration.idDropout > 0 {
                for i in 0..<n where rng.nextUniform() < configuration.idDropout { keep[i] = 0 }
            }
            let idRows = source.map { tape.gatherRows($0, ids: gatherIds) } ?? table(gatherIds, tape: tape)
            let idView = tape.scaleRows(idRows, by: Variable(Tensor(keep, shape: [n])))
            states[type] = fusions[type]!(text: text[type]!, id: idView, tape: tape)
        }
        func seedRows(_ type: NodeType, _ h: Variable) -> Variable {
            tape.prefixRows(h, Swift.min(subgraph.seedCounts[type] ?? h.value.shape[0], h.value.shape[0]))
        }
        var sums = Dictionary(uniqueKeysWithValues: states.map { ($0.key, seedRows($0.key, $0.value)) })
        for (l, layer) in layers.enumerated() {
            let hops = layers.count - 1 - l
            let counts = Dictionary(uniqueKeysWithValues: nodeTypes.map { ($0, subgraph.count($0, withinHops: hops)) })
            states = layer(states, text: text, subgraph: subgraph, destinationCounts: counts, tape: tape)
            for (t, h) in states { sums[t] = tape.add(sums[t]!, seedRows(t, h)) }
        }
        var outputs = sums.mapValues { tape.scale($0, 1 / Float(layers.count + 1)) }
        for type in [NodeType.user, .product] {
            guard let table = propagated[type], let g = outputs[type] else { continue }
            let rows = table.value.rowCount
            let nodes = subgraph.nodes[type] ?? []
            let s = g.value.shape[0]
            var ids = [Int32](repeating: 0, count: s), keep = [Float](repeating: 0, count: s)
            let dropped = inputs.droppedIDs[type] ?? []
            for i in 0..<s where Int(nodes[i]) < rows && !dropped.contains(nodes[i]) {
                ids[i] = nodes[i]
                keep[i] = 1
            }
            if training && type == .product && configuration.idDropout > 0 {
                for i in 0..<s where rng.nextUniform() < configuration.idDropout { keep[i] = 0 }
            }
            let seeds = tape.scaleRows(tape.gatherRows(table, ids: ids), by: Variable(Tensor(keep, shape: [s])))  // (S, D)
            outputs[type] = tape.add(g, seeds)
            if type == .product, configuration.textNeighbors > 0, let neighbors = inputs.textNeighbors {
                outputs[type] = tape.add(outputs[type]!, textNeighborTerm(nodes.prefix(s), neighbors, table, tape: tape))
            }
        }
        if let scale = similarityScale, let userText = inputs.similarityText[.user],
           let productText = inputs.similarityText[.product], userText.lastDimension == productText.lastDimension {
            for (type, table) in [(NodeType.user, userText), (.product, productText)] {
                guard let g = outputs[type] else { continue }
                let nodes = subgraph.nodes[type] ?? []
                let s = g.value.shape[0], width = table.lastDimension
                let rows = Tensor(zeros: [s, width])                                   // (S, T)
                for i in 0..<s where Int(nodes[i]) < table.rowCount {
                    (rows.data + i * width).update(from: table.data + Int(nodes[i]) * width, count: width)
                }
                let scales = tape.reshape(tape.gatherRows(scale, ids: [Int32](repeating: 0, count: s)), [s])  // (S)
                outputs[type] = tape.concatenateColumns([g, tape.scaleRows(Variable(rows), by: scales)])         // (S, D + T)
            }
        }
        if let prior = textPrior, let beta = textPriorScale, let table = inputs.text[.product],
           table.lastDimension == prior.inFeatures {
            if let g = outputs[.user] {
                outputs[.user] = tape.concatenateColumns([g, Variable(Tensor(repeating: 1, shape: [g.value.shape[0], 1]))])  // (S, ·+1)
            }
            if let g = outputs[.product] {
                let nodes = subgraph.nodes[.product] ?? []
                let s = g.value.shape[0], width = table.lastDimension
                let rows = Tensor(zeros: [s, width])                                   // (S, T)
                for i in 0..<s where Int(nodes[i]) < table.rowCount {
                    (rows.data + i * width).update(from: table.data + Int(nodes[i]) * width, count: width)
                }
                let unit = rows.unitRows()
                let scales = tape.reshape(tape.gatherRows(beta, ids: [Int32](repeating: 0, count: s)), [s])   // (S)
                let term = tape.scaleRows(prior(Variable(unit), tape: tape), by: scales)                      // (S, 1)
                outputs[.product] = tape.concatenateColumns([g, term])                                       // (S, ·+1)
            }
        }
        return outputs
    }

    /// (S, D): for each of the products `nodes`, the mean of p̄ (P, D) over
    /// its text neighbours (those within p̄'s rows); zeros without any.
    func textNeighborTerm(_ nodes: ArraySlice<Int32>, _ neighbors: Adjacency, _ propagated: Variable,
                          tape: Tape) -> Variable {
        let rows = propagated.value.rowCount
        var offsets: [Int32] = [0], columns: [Int32] = [], values: [Float] = []
        for g in nodes {
            let list = Int(g) < neighbors.rowCount ? neighbors.neighbors(of: Int(g)).filter { Int($0) < rows } : []
            columns.append(contentsOf: list)
            values.append(contentsOf: repeatElement(1 / Float(Swift.max(list.count, 1)), count: list.count))
            offsets.append(Int32(columns.count))
        }
        let mean = SparseMatrix(rowCount: nodes.count, columnCount: rows, offsets: offsets, columns: columns, values: values)
        return tape.sparseMatmul(mean, propagated)
    }

    /// The collaborative pathway's input: its graph and the ego ID rows of
    /// users (U, D) and products (P, D), zeroed where a node has no trained
    /// ID; nil when the pathway does not run.
    func collaborativeEgo(inputs: Inputs, tape: Tape) -> (IDPropagation, Variable, Variable)? {
        guard configuration.idPropagationLayers > 0, let propagation = inputs.idPropagation,
              let userTable = idEmbeddings[.user], let productTable = idEmbeddings[.product],
              propagation.userCount <= userTable.count, propagation.productCount <= productTable.count else { return nil }
        func ego(_ type: NodeType, _ table: Embedding, _ count: Int) -> Variable {   // (count, D)
            let available = inputs.idAvailable[type]
            let keep = (0..<count).map { g -> Float in (available.map { g < $0.count && $0[g] } ?? true) ? 1 : 0 }
            return tape.scaleRows(tape.prefixRows(table.weight, count), by: Variable(Tensor(keep, shape: [count])))
        }
        return (propagation, ego(.user, userTable, propagation.userCount),
                ego(.product, productTable, propagation.productCount))
    }

    /// (ū (U, D), p̄ (P, D)): the collaborative pathway's embeddings at
    /// inference, nil when it does not run (e.g. to say which text
    /// neighbours carry a product's score).
    public func collaborativeEmbeddings(inputs: Inputs) -> (users: Tensor, products: Tensor)? {
        let tape = Tape.inference
        guard let (propagation, users, products) = collaborativeEgo(inputs: inputs, tape: tape) else { return nil }
        let out = propagation(users: users, products: products, layers: configuration.idPropagationLayers, tape: tape)
        return (out.users.value, out.products.value)
    }

    /// One noisy view (ū′ (U, D), p̄′ (P, D)) of the collaborative pathway
    /// (`IDPropagation.perturbed`, noise length `epsilon`), for the
    /// contrastive regulariser; nil when the pathway does not run.
    public func perturbedCollaborativeView(inputs: Inputs, epsilon: Float, tape: Tape,
                                           using rng: inout SeededGenerator) -> (users: Variable, products: Variable)? {
        guard let (propagation, users, products) = collaborativeEgo(inputs: inputs, tape: tape) else { return nil }
        return propagation.perturbed(users: users, products: products, layers: configuration.idPropagationLayers,
                                     epsilon: epsilon, tape: tape, using: &rng)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        var p: [(name: String, parameter: Variable)] = []
        for t in nodeTypes {
            p += prefixed("id.\(t)", idEmbeddings[t]!)
            if let projection = textProjections[t] { p += prefixed("text.\(t)", projection) }
            p += prefixed("fusion.\(t)", fusions[t]!)
        }
        for (i, layer) in layers.enumerated() { p += prefixed("layers.\(i)", layer) }
        if let similarityScale { p.append(("text_similarity.scale", similarityScale)) }
        if let textPrior { p += prefixed("text_prior", textPrior) }
        if let textPriorScale { p.append(("text_prior.scale", textPriorScale)) }
        return p
    }
}
