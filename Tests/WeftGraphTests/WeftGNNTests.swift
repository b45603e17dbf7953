import Testing
@testable import WeftGraph

struct WeftGNNTests {
    func random(_ shape: [Int], seed: UInt64, grad: Bool = true) -> Variable {
        var rng = SeededGenerator(seed: seed)
        return Variable(Tensor.randomUniform(shape, low: -1, high: 1, using: &rng), requiresGrad: grad)
    }

    /// A graph small enough for numeric gradients: 4 users, 5 products, 2 categories, 2 brands.
    func smallGraph() throws -> HeteroGraph {
        try HeteroGraph(nodeCounts: [.user: 4, .product: 5, .category: 2, .brand: 2], edges: [
            EdgeSet(.interacted, sources: [0, 0, 1, 2, 2, 3], destinations: [0, 1, 1, 2, 3, 4]),
            EdgeSet(.inCategory, sources: [0, 1, 2, 3, 4], destinations: [0, 0, 1, 1, 1]),
            EdgeSet(.byBrand, sources: [0, 2], destinations: [0, 1]),
            EdgeSet(Relation(.user, "friend", .user), sources: [0, 1], destinations: [1, 3], symmetric: true),
        ])
    }

    @Test func relationalAttentionLayerGradients() throws {
        let g = try smallGraph()
        let sub = g.fullSubgraph()
        var rng = SeededGenerator(seed: 1)
        let d = 4
        let layer = RelationalAttentionLayer(dimension: d, heads: 2, relations: g.relations, degreeNormalized: true,
                                             using: &rng)
        let types: [NodeType] = [.user, .product, .category, .brand]
        let states = types.enumerated().map { random([g.nodeCount($1), d], seed: 10 + UInt64($0)) }
        let text = types.enumerated().map { random([g.nodeCount($1), d], seed: 20 + UInt64($0)) }
        let interacted = layer.transforms[.interacted]!
        let update = layer.updates[.product]!
        let parameters = [interacted.query.weight, interacted.key.weight, interacted.message.weight,
                          update.update.weight, update.norm.weight]
        for (k, type) in types.enumerated() {
            let inputs = states + text + parameters
            let mismatches = GradientCheck.check(inputs: inputs, maxElements: 24) { tape, v in
                let s = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, v[$0]) })
                let t = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, v[4 + $0]) })
                return layer(s, text: t, subgraph: sub, tape: tape)[type]!
            }
            #expect(mismatches.isEmpty, "output \(types[k]): \(mismatches.prefix(3))")
        }
        // Updating only the first nodes of each type: the transforms then run on the few
        // nodes the remaining edges touch (the compacted path).
        let few: [NodeType: Int] = [.user: 1, .product: 1, .category: 1, .brand: 1]
        let mismatches = GradientCheck.check(inputs: states + text + parameters, maxElements: 24) { tape, v in
            let s = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, v[$0]) })
            let t = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, v[4 + $0]) })
            let out = layer(s, text: t, subgraph: sub, destinationCounts: few, tape: tape)
            return tape.concatenateColumns([out[.user]!, out[.product]!])
        }
        #expect(mismatches.isEmpty, "prefix outputs: \(mismatches.prefix(3))")
        #expect(RelationalAttentionLayer.compacted([3, 1, 3], rows: 10).rows == [3, 1])
        #expect(RelationalAttentionLayer.compacted([3, 1, 3], rows: 10).ids == [0, 1, 0])
        #expect(RelationalAttentionLayer.compacted([0, 1, 2], rows: 3).rows == nil)
    }

    @Test func fusionGateGradients() {
        var rng = SeededGenerator(seed: 2)
        let fusion = TextIDFusion(dimension: 3, using: &rng)
        let t = random([4, 3], seed: 3), e = random([4, 3], seed: 4)
        let m = GradientCheck.check(inputs: [t, e, fusion.gate.weight, fusion.gate.bias!]) { tape, v in
            fusion(text: v[0], id: v[1], tape: tape)
        }
        #expect(m.isEmpty, "\(m.prefix(3))")
        // With a saturated gate the output is the text view; with a closed one, the ID view.
        fusion.gate.weight.value.zero()
        fusion.gate.bias!.value.fill(40)
        #expect(fusion(text: t, id: e, tape: Tape.inference).value.scalars.elementsEqual(t.value.scalars) { abs($0 - $1) < 1e-5 })
        fusion.gate.bias!.value.fill(-40)
        #expect(fusion(text: t, id: e, tape: Tape.inference).value.scalars.elementsEqual(e.value.scalars) { abs($0 - $1) < 1e-5 })
    }

    func model(_ g: HeteroGraph, layers: Int = 2, seed: UInt64 = 5) -> WeftGNN {
        var rng = SeededGenerator(seed: seed)
        let configuration = GNNConfiguration(dimension: 4, layers: layers, heads: 2, idDropout: 0.5,
                                             textDimensions: [.product: 3, .category: 2])
        return WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
    }

    func inputs(_ g: HeteroGraph) -> WeftGNN.Inputs {
        var rng = SeededGenerator(seed: 6)
        return WeftGNN.Inputs(text: [.product: Tensor.randomNormal([5, 3], using: &rng),
                                     .category: Tensor.randomNormal([2, 2], using: &rng)])
    }

    @Test func wholeModelGradients() throws {
        let g = try smallGraph()
        let m = model(g)
        let sub = g.fullSubgraph()
        let x = inputs(g)
        let checked = [m.idEmbeddings[.user]!.weight, m.textProjections[.product]!.weight, m.fusions[.product]!.gate.weight,
                       m.layers[0].transforms[Relation.interacted.reversed]!.key.weight]
        let mismatches = GradientCheck.check(inputs: checked, maxElements: 20) { tape, _ in
            var rng = SeededGenerator(seed: 7)  // the same ID-dropout mask in every evaluation
            return m(sub, inputs: x, tape: tape, training: true, using: &rng)[.user]!
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// Two paths must agree: the seeds' outputs on a full-fan-out sampled
    /// subgraph equal their outputs on the whole graph.
    @Test func sampledSubgraphWithFullFanOutMatchesTheFullGraph() throws {
        let g = try RandomGraph(users: 20, products: 25, interactions: 80, friendships: 15).graph
        try g.addNode(.product, edges: [(.inCategory, 0)])
        var rng = SeededGenerator(seed: 8)
        let configuration = GNNConfiguration(dimension: 8, layers: 2, heads: 2, textDimensions: [.product: 5])
        let m = WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
        let x = WeftGNN.Inputs(text: [.product: Tensor.randomNormal([26, 5], using: &rng)])
        let full = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        let sample = NeighborSampler(graph: g, fanout: [-1, -1]).sample(seeds: [.user: [3, 7], .product: [11, 25]], using: &rng)
        let part = m(sample.subgraph, inputs: x, tape: Tape.inference, training: false, using: &rng)
        // Product 25 has only a category edge, so its sampled neighbourhood lacks relations
        // the full graph has: its output must not depend on them.
        for (type, seeds) in [(NodeType.user, [3, 7]), (.product, [11, 25])] {
            for (k, s) in seeds.enumerated() {
                let local = Int(sample.seedLocalIds[type]![k])
                let a = full[type]!.value.row(s).scalars, b = part[type]!.value.row(local).scalars
                #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 }, "\(type) \(s): \(a) vs \(b)")
            }
        }
        // Outputs reach only L hops: product 25 has no interactions, so its text
        // reaches users only through its category (3 hops) and changes no user output.
        let changed = x.text[.product]!.copy()
        for k in 0..<5 { changed[25, k] += 5 }
        let after = m(g.fullSubgraph(), inputs: WeftGNN.Inputs(text: [.product: changed]), tape: Tape.inference,
                      training: false, using: &rng)
        #expect(after[.user]!.value.scalars.elementsEqual(full[.user]!.value.scalars) { abs($0 - $1) < 1e-6 })
        #expect(after[.product]!.value.row(25).scalars != full[.product]!.value.row(25).scalars)
    }

    @Test func nodesWithoutATrainedIDIgnoreTheirIDRow() throws {
        let g = try smallGraph()
        let m = model(g)
        var x = inputs(g)
        x.idAvailable = [.product: [true, true, true, true, false]]
        var rng = SeededGenerator(seed: 9)
        let before = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        m.idEmbeddings[.product]!.weight.value.row(4).fill(3)
        let after = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        #expect(before[.product]!.value.scalars == after[.product]!.value.scalars)
        m.idEmbeddings[.product]!.weight.value.row(3).fill(3)
        let changed = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        #expect(changed[.product]!.value.row(3).scalars != after[.product]!.value.row(3).scalars)
    }
}

struct DegreeNormalizationTests {
    /// With uniform attention, identity messages and a silent update branch,
    /// a degree-normalised layer is one LightGCN step with a residual:
    /// h' = h + Â h, Â the symmetrically normalised user–item adjacency.
    @Test func uniformAttentionIsLightGCNPropagation() throws {
        let users = 4, items = 5, d = 4
        let sources: [Int32] = [0, 0, 1, 2, 2, 3, 3, 3], targets: [Int32] = [0, 1, 1, 2, 3, 0, 3, 4]
        let g = try HeteroGraph(nodeCounts: [.user: users, .product: items],
                                edges: [EdgeSet(.interacted, sources: sources, destinations: targets)])
        var rng = SeededGenerator(seed: 1)
        let layer = RelationalAttentionLayer(dimension: d, heads: 2, relations: g.relations, degreeNormalized: true,
                                             using: &rng)
        for w in layer.transforms.values { w.query.weight.value.zero() }
        for u in layer.updates.values { u.update.weight.value.zero() }
        let hu = Tensor.randomNormal([users, d], using: &rng), hp = Tensor.randomNormal([items, d], using: &rng)
        let out = layer([.user: Variable(hu), .product: Variable(hp)],
                        text: [.user: Variable(Tensor(zeros: [users, d])), .product: Variable(Tensor(zeros: [items, d]))],
                        subgraph: g.fullSubgraph(), tape: Tape.inference)
        let a = SparseMatrix.normalizedBipartite(userItems: Adjacency(rowCount: users, sources: sources, targets: targets),
                                                 itemCount: items)
        let stacked = Tensor(hu.scalars + hp.scalars, shape: [users + items, d])
        let propagated = a.multiply(stacked)
        let expected = zip(stacked.scalars, propagated.scalars).map { $0 + $1 }
        let got = out[.user]!.value.scalars + out[.product]!.value.scalars
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(got.prefix(6)) vs \(expected.prefix(6))")
    }

    @Test func sampledEdgesCarryTheFullGraphDegreeWeights() throws {
        let g = try RandomGraph(users: 30, products: 40, interactions: 300, friendships: 40).graph
        let full = g.fullSubgraph()
        var rng = SeededGenerator(seed: 2)
        let sample = NeighborSampler(graph: g, fanout: [3, 2]).sample(seeds: [.user: [1, 2, 3]], using: &rng)
        for (r, e) in sample.subgraph.edges {
            let f = full.edges[r]!
            for k in 0..<e.edgeCount {
                let j = Int(sample.subgraph.nodes[r.source]![Int(e.sources[k])])
                let i = Int(sample.subgraph.nodes[r.destination]![Int(e.destinations[k])])
                let expected = (Float(g.degree(of: i, in: g.reverse(of: r))) / Float(g.degree(of: j, in: r))).squareRoot()
                #expect(abs(e.degreeWeights[k] - expected) < 1e-6, "\(r)")
                let position = (Int(f.offsets[i])..<Int(f.offsets[i + 1])).first { f.sources[$0] == Int32(j) }!
                #expect(f.degreeWeights[position] == e.degreeWeights[k])
            }
        }
    }
}
