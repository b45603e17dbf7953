import Foundation
import Testing
@testable import WeftGraph

/// The GNN's collaborative pathway: LightGCN's propagation of the ID
/// embeddings, added to the attention layers' output.
struct IDPropagationTests {
    let sources: [Int32] = [0, 0, 1, 2, 2, 3, 3, 3]
    let targets: [Int32] = [0, 1, 1, 2, 3, 0, 3, 4]

    func random(_ shape: [Int], seed: UInt64) -> Variable {
        var rng = SeededGenerator(seed: seed)
        return Variable(Tensor.randomUniform(shape, low: -1, high: 1, using: &rng), requiresGrad: true)
    }

    /// Per side it is exactly LightGCN: the mean over k = 0…K of Â^k E with
    /// Â the symmetrically normalised bipartite adjacency.
    @Test func equalsLightGCNPropagation() {
        let users = 4, items = 5, d = 3, layers = 3
        let adjacency = Adjacency(rowCount: users, sources: sources, targets: targets)
        let propagation = IDPropagation(interactions: adjacency, productCount: items)
        let u = random([users, d], seed: 1), p = random([items, d], seed: 2)
        let out = propagation(users: u, products: p, layers: layers, tape: Tape.inference)

        let a = SparseMatrix.normalizedBipartite(userItems: adjacency, itemCount: items)
        var layer = Tensor(u.value.scalars + p.value.scalars, shape: [users + items, d])
        var total = layer.scalars
        for _ in 0..<layers {
            layer = a.multiply(layer)
            total = zip(total, layer.scalars).map { $0 + $1 }
        }
        let expected = total.map { $0 / Float(layers + 1) }
        let got = out.users.value.scalars + out.products.value.scalars
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(got.prefix(6)) vs \(expected.prefix(6))")
    }

    @Test func gradients() {
        let adjacency = Adjacency(rowCount: 4, sources: sources, targets: targets)
        let propagation = IDPropagation(interactions: adjacency, productCount: 6)   // product 5 has no edge
        let u = random([4, 3], seed: 3), p = random([6, 3], seed: 4)
        let mismatches = GradientCheck.check(inputs: [u, p]) { tape, v in
            let out = propagation(users: v[0], products: v[1], layers: 2, tape: tape)
            return tape.concatenateColumns([tape.prefixRows(out.products, 4), out.users])
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// With user–user links it is LightGCN on the joint graph: a dense
    /// symmetric adjacency over users and products, user–user links
    /// included once per direction (a duplicate and a self-link are ignored),
    /// normalised by each node's total degree.
    @Test func socialLinksMakeItLightGCNOnTheJointGraph() {
        let users = 4, items = 5, d = 3, layers = 2
        let adjacency = Adjacency(rowCount: users, sources: sources, targets: targets)
        let links = Adjacency(rowCount: users, sources: [0, 1, 2, 0, 3], targets: [1, 0, 3, 1, 3])
        let propagation = IDPropagation(interactions: adjacency, productCount: items, userLinks: links)
        let u = random([users, d], seed: 1), p = random([items, d], seed: 2)
        let out = propagation(users: u, products: p, layers: layers, tape: Tape.inference)

        let n = users + items
        var a = [[Float]](repeating: [Float](repeating: 0, count: n), count: n)
        for (s, t) in zip(sources, targets) { a[Int(s)][users + Int(t)] = 1; a[users + Int(t)][Int(s)] = 1 }
        for (s, t) in [(0, 1), (2, 3)] { a[s][t] = 1; a[t][s] = 1 }
        let degree = a.map { $0.reduce(0, +) }
        var layer = u.value.scalars + p.value.scalars, total = layer
        for _ in 0..<layers {
            var next = [Float](repeating: 0, count: n * d)
            for i in 0..<n { for j in 0..<n where a[i][j] != 0 {
                for c in 0..<d { next[i * d + c] += layer[j * d + c] / (degree[i] * degree[j]).squareRoot() }
            } }
            layer = next
            total = zip(total, layer).map { $0 + $1 }
        }
        let expected = total.map { $0 / Float(layers + 1) }
        let got = out.users.value.scalars + out.products.value.scalars
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(got.prefix(6)) vs \(expected.prefix(6))")
    }

    @Test func socialGradients() {
        let adjacency = Adjacency(rowCount: 4, sources: sources, targets: targets)
        let links = Adjacency(rowCount: 4, sources: [0, 2, 1], targets: [1, 3, 3])
        let propagation = IDPropagation(interactions: adjacency, productCount: 5, userLinks: links)
        let u = random([4, 3], seed: 3), p = random([5, 3], seed: 4)
        let mismatches = GradientCheck.check(inputs: [u, p]) { tape, v in
            let out = propagation(users: v[0], products: v[1], layers: 3, tape: tape)
            return tape.concatenateColumns([tape.prefixRows(out.products, 4), out.users])
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// From a graph: its user–user relations feed S only with `social`.
    @Test func graphsUserLinksAreReadOnlyWhenSocial() throws {
        let g = try HeteroGraph(nodeCounts: [.user: 4, .product: 5], edges: [
            EdgeSet(.interacted, sources: sources, destinations: targets),
            EdgeSet(Relation(.user, "friends", .user), sources: [0, 2], destinations: [1, 3], symmetric: true),
        ])
        #expect(try IDPropagation(graph: g).userUser == nil)
        let social = try #require(try IDPropagation(graph: g, social: true).userUser)
        #expect(social.offsets == [0, 1, 2, 3, 4] && social.columns == [1, 0, 3, 2])
    }

    /// 4 users, 6 products (product 5 only in a category: a cold product), 2 categories.
    func graph() throws -> HeteroGraph {
        try HeteroGraph(nodeCounts: [.user: 4, .product: 6, .category: 2], edges: [
            EdgeSet(.interacted, sources: sources, destinations: targets),
            EdgeSet(.inCategory, sources: [0, 1, 2, 3, 4, 5], destinations: [0, 0, 1, 1, 1, 0]),
        ])
    }

    func model(_ g: HeteroGraph, layers: Int = 1, propagationLayers: Int = 2, propagatedView: Bool = true) -> WeftGNN {
        var rng = SeededGenerator(seed: 5)
        let configuration = GNNConfiguration(dimension: 4, layers: layers, heads: 2, idDropout: 0.5,
                                             textDimensions: [.product: 3], idPropagationLayers: propagationLayers,
                                             propagatedIDView: propagatedView)
        return WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
    }

    func inputs(_ g: HeteroGraph, propagation: Bool) throws -> WeftGNN.Inputs {
        var rng = SeededGenerator(seed: 6)
        return WeftGNN.Inputs(text: [.product: Tensor.randomNormal([6, 3], using: &rng)],
                              idAvailable: [.product: [true, true, true, true, true, false]],
                              idPropagation: propagation ? try IDPropagation(graph: g) : nil)
    }

    @Test(arguments: [true, false])
    func wholeModelGradientsThroughThePathway(propagatedView: Bool) throws {
        let g = try graph()
        let m = model(g, propagatedView: propagatedView)
        let x = try inputs(g, propagation: true)
        let checked = [m.idEmbeddings[.user]!.weight, m.idEmbeddings[.product]!.weight, m.fusions[.product]!.gate.weight]
        for type in [NodeType.user, .product] {
            let mismatches = GradientCheck.check(inputs: checked, maxElements: 24) { tape, _ in
                var rng = SeededGenerator(seed: 7)  // the same ID-dropout masks in every evaluation
                return m(g.fullSubgraph(), inputs: x, tape: tape, training: true, using: &rng)[type]!
            }
            #expect(mismatches.isEmpty, "\(type): \(mismatches.prefix(3))")
        }
    }

    /// LightGCN's 3-layer mean over the bipartite graph of `graph()`, users then
    /// products, from `m`'s ID rows (the cold product 5's row zeroed).
    func lightGCNReference(_ m: WeftGNN, _ g: HeteroGraph) throws -> [Float] {
        let users = m.idEmbeddings[.user]!.weight.value, products = m.idEmbeddings[.product]!.weight.value
        let ego = Tensor(users.scalars + products.rows(0..<5).scalars + [Float](repeating: 0, count: 4), shape: [10, 4])
        let a = SparseMatrix.normalizedBipartite(userItems: try g.adjacency(.interacted), itemCount: 6)
        var layer = ego, total = ego.scalars
        for _ in 0..<3 {
            layer = a.multiply(layer)
            total = zip(total, layer.scalars).map { $0 + $1 }
        }
        return total.map { $0 / 4 }
    }

    /// With no attention layers and a gate shut on the ID view, a warm
    /// node's output is its ID embedding plus exactly LightGCN's propagated
    /// embedding; a cold product gets nothing from the pathway (so it is
    /// ranked from its text and neighbours alone), and its ID row is ignored.
    @Test func warmNodesGetLightGCNAndColdProductsOnlyTheirText() throws {
        let g = try graph()
        let m = model(g, layers: 0, propagationLayers: 3, propagatedView: false)
        for fusion in m.fusions.values {
            fusion.gate.weight.value.zero()
            fusion.gate.bias!.value.fill(-40)   // g ≈ 0: h⁰ = e
        }
        let with = try inputs(g, propagation: true), without = try inputs(g, propagation: false)
        var rng = SeededGenerator(seed: 8)
        let on = m(g.fullSubgraph(), inputs: with, tape: Tape.inference, training: false, using: &rng)
        let off = m(g.fullSubgraph(), inputs: without, tape: Tape.inference, training: false, using: &rng)

        let users = m.idEmbeddings[.user]!.weight.value
        let lightGCN = try lightGCNReference(m, g)
        let pathway = zip(on[.user]!.value.scalars + on[.product]!.value.scalars,
                          off[.user]!.value.scalars + off[.product]!.value.scalars).map { $0 - $1 }
        #expect(zip(pathway, lightGCN).allSatisfy { abs($0 - $1) < 1e-4 }, "\(pathway.prefix(8)) vs \(lightGCN.prefix(8))")
        #expect(off[.user]!.value.scalars.elementsEqual(users.scalars) { abs($0 - $1) < 1e-4 })
        #expect(on[.product]!.value.row(5).scalars == off[.product]!.value.row(5).scalars)
        m.idEmbeddings[.product]!.weight.value.row(5).fill(3)
        let changed = m(g.fullSubgraph(), inputs: with, tape: Tape.inference, training: false, using: &rng)
        #expect(changed[.product]!.value.scalars == on[.product]!.value.scalars)
    }

    /// With the propagated ID view, no attention layers and a gate shut on
    /// the ID view, a warm node's output is 2ē (the view and the pathway):
    /// no score holds the raw ⟨e_u, e_p⟩ term. A cold product's ID row is
    /// still never read.
    @Test func propagatedViewFusesLightGCNsEmbeddingNotTheRawRow() throws {
        let g = try graph()
        let m = model(g, layers: 0, propagationLayers: 3, propagatedView: true)
        for fusion in m.fusions.values {
            fusion.gate.weight.value.zero()
            fusion.gate.bias!.value.fill(-40)   // g ≈ 0: h⁰ = ē
        }
        let x = try inputs(g, propagation: true)
        var rng = SeededGenerator(seed: 8)
        let out = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)

        let twiceLightGCN = try lightGCNReference(m, g).map { 2 * $0 }
        let got = out[.user]!.value.scalars + out[.product]!.value.scalars
        #expect(zip(got, twiceLightGCN).allSatisfy { abs($0 - $1) < 1e-4 }, "\(got.prefix(8)) vs \(twiceLightGCN.prefix(8))")
        m.idEmbeddings[.product]!.weight.value.row(5).fill(3)
        let changed = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        #expect(changed[.product]!.value.scalars == out[.product]!.value.scalars)
    }

    /// Sampled mini-batches see the same collaborative signal as the full
    /// graph: with full fan-out, the seeds' outputs agree.
    @Test func sampledSubgraphWithFullFanOutMatchesTheFullGraph() throws {
        let g = try RandomGraph(users: 20, products: 25, interactions: 80, friendships: 15).graph
        var rng = SeededGenerator(seed: 9)
        let configuration = GNNConfiguration(dimension: 8, layers: 2, heads: 2, textDimensions: [.product: 5],
                                             idPropagationLayers: 3)
        let m = WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
        let x = WeftGNN.Inputs(text: [.product: Tensor.randomNormal([25, 5], using: &rng)],
                               idPropagation: try IDPropagation(graph: g))
        let full = m(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        let sample = NeighborSampler(graph: g, fanout: [-1, -1]).sample(seeds: [.user: [3, 7], .product: [11, 2]], using: &rng)
        let part = m(sample.subgraph, inputs: x, tape: Tape.inference, training: false, using: &rng)
        for (type, seeds) in [(NodeType.user, [3, 7]), (.product, [11, 2])] {
            for (k, s) in seeds.enumerated() {
                let local = Int(sample.seedLocalIds[type]![k])
                let a = full[type]!.value.row(s).scalars, b = part[type]!.value.row(local).scalars
                #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 }, "\(type) \(s): \(a) vs \(b)")
            }
        }
    }

    /// Models saved before the pathway existed load with it off.
    @Test func configurationsSavedWithoutThePathwayLoadWithItOff() throws {
        var saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(GNNConfiguration())) as! [String: Any]
        #expect(saved["idPropagationLayers"] as? Int == 3)
        saved["idPropagationLayers"] = nil
        let old = try JSONDecoder().decode(GNNConfiguration.self, from: JSONSerialization.data(withJSONObject: saved))
        #expect(old.idPropagationLayers == 0)
        var expected = GNNConfiguration()
        expected.idPropagationLayers = 0
        #expect(old == expected)
    }

    /// Models saved before the propagated ID view and the social pathway
    /// existed fused the raw rows and propagated over interactions only, and still do.
    @Test func configurationsSavedWithoutThePropagatedViewLoadWithTheRawView() throws {
        var saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(GNNConfiguration())) as! [String: Any]
        #expect(saved["propagatedIDView"] as? Bool == true && saved["socialPropagation"] as? Bool == true)
        saved["propagatedIDView"] = nil
        saved["socialPropagation"] = nil
        let old = try JSONDecoder().decode(GNNConfiguration.self, from: JSONSerialization.data(withJSONObject: saved))
        #expect(old == GNNConfiguration(propagatedIDView: false, socialPropagation: false))
    }
    /// A product in `droppedIDs` is embedded as a cold product is: no ID view
    /// and no collaborative term, so its output is what the model gives it
    /// with the pathway off and its ID unavailable; other nodes keep theirs.
    @Test func droppedIDsZeroTheIDViewAndTheCollaborativeTerm() throws {
        let g = try graph()
        for propagatedView in [true, false] {
            let m = model(g, layers: 0, propagationLayers: 2, propagatedView: propagatedView)
            var dropped = try inputs(g, propagation: true)
            dropped.droppedIDs = [.product: [2]]
            var reference = try inputs(g, propagation: false)
            reference.idAvailable[.product]![2] = false
            var rng = SeededGenerator(seed: 8)
            let got = m(g.fullSubgraph(), inputs: dropped, tape: Tape.inference, training: false, using: &rng)
            let expected = m(g.fullSubgraph(), inputs: reference, tape: Tape.inference, training: false, using: &rng)
            #expect(got[.product]!.value.row(2).scalars.elementsEqual(expected[.product]!.value.row(2).scalars) { abs($0 - $1) < 1e-6 })
            let plain = m(g.fullSubgraph(), inputs: try inputs(g, propagation: true), tape: Tape.inference, training: false,
                          using: &rng)
            #expect(got[.product]!.value.row(2).scalars != plain[.product]!.value.row(2).scalars, "product 2 has an ID and buyers")
            for p in [0, 1, 3, 4, 5] {
                #expect(got[.product]!.value.row(p).scalars == plain[.product]!.value.row(p).scalars, "product \(p)")
            }
        }
    }

    /// SimGCL's noisy view: with one layer, the view differs from the clean
    /// pathway by half the layer's noise (the mean over k = 0, 1), and that
    /// noise has length ε in every row and lies in the clean row's orthant.
    /// With ε = 0 the view is the clean pathway.
    @Test func perturbedViewAddsNoiseOfLengthEpsilonInTheRowsOrthant() {
        let users = 4, items = 5, d = 6, epsilon: Float = 0.3
        let adjacency = Adjacency(rowCount: users, sources: sources, targets: targets)
        let propagation = IDPropagation(interactions: adjacency, productCount: items)
        let u = random([users, d], seed: 5), p = random([items, d], seed: 6)
        let clean = propagation(users: u, products: p, layers: 1, tape: Tape.inference)
        var rng = SeededGenerator(seed: 9)
        let noisy = propagation.perturbed(users: u, products: p, layers: 1, epsilon: epsilon, tape: Tape.inference,
                                          using: &rng)
        for (ego, mean, view) in [(u, clean.users, noisy.users), (p, clean.products, noisy.products)] {
            for r in 0..<ego.value.rowCount {
                let layer = (0..<d).map { 2 * mean.value.row(r).scalars[$0] - ego.value.row(r).scalars[$0] }
                let noise = (0..<d).map { 2 * (view.value.row(r).scalars[$0] - mean.value.row(r).scalars[$0]) }
                let length = noise.reduce(0) { $0 + $1 * $1 }.squareRoot()
                #expect(abs(length - epsilon) < 1e-4, "row \(r): noise length \(length)")
                #expect(zip(noise, layer).allSatisfy { $0 * $1 >= 0 }, "row \(r): noise leaves the orthant")
            }
        }
        rng = SeededGenerator(seed: 9)
        let none = propagation.perturbed(users: u, products: p, layers: 2, epsilon: 0, tape: Tape.inference, using: &rng)
        let twoLayers = propagation(users: u, products: p, layers: 2, tape: Tape.inference)
        #expect(none.users.value.scalars == twoLayers.users.value.scalars)
        #expect(none.products.value.scalars == twoLayers.products.value.scalars)
    }

    /// Gradients of the noisy view (the noise a constant: the same draw in
    /// every evaluation). The noise follows sign(x), which jumps where a
    /// coordinate of a layer crosses zero; the step is 1e-3 instead of the
    /// default 1e-2 so that no coordinate of these inputs crosses zero within
    /// ±h, and the backward must equal the clean pathway's (the noise adds
    /// no gradient).
    @Test func perturbedGradients() {
        let adjacency = Adjacency(rowCount: 4, sources: sources, targets: targets)
        let links = Adjacency(rowCount: 4, sources: [0, 2], targets: [1, 3])
        let propagation = IDPropagation(interactions: adjacency, productCount: 5, userLinks: links)
        let u = random([4, 3], seed: 7), p = random([5, 3], seed: 8)
        let mismatches = GradientCheck.check(inputs: [u, p], step: 1e-3) { tape, v in
            var rng = SeededGenerator(seed: 12)
            let out = propagation.perturbed(users: v[0], products: v[1], layers: 2, epsilon: 0.05, tape: tape, using: &rng)
            return tape.concatenateColumns([tape.prefixRows(out.products, 4), out.users])
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")

        func gradients(_ view: (Tape, Variable, Variable) -> (users: Variable, products: Variable)) -> [Float] {
            let a = Variable(u.value.copy(), requiresGrad: true), b = Variable(p.value.copy(), requiresGrad: true)
            let tape = Tape()
            let out = view(tape, a, b)
            let weights = Variable(Tensor((0..<(out.users.value.count)).map { Float($0 % 5) - 2 }, shape: out.users.value.shape))
            let productWeights = Variable(Tensor((0..<(out.products.value.count)).map { Float($0 % 3) - 1 },
                                                 shape: out.products.value.shape))
            let loss = tape.add(tape.sum(tape.mul(out.users, weights)), tape.sum(tape.mul(out.products, productWeights)))
            tape.backward(loss)
            return a.grad!.scalars + b.grad!.scalars
        }
        let clean = gradients { tape, a, b in propagation(users: a, products: b, layers: 2, tape: tape) }
        let noisy = gradients { tape, a, b in
            var rng = SeededGenerator(seed: 12)
            return propagation.perturbed(users: a, products: b, layers: 2, epsilon: 0.05, tape: tape, using: &rng)
        }
        #expect(zip(clean, noisy).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
