import Foundation
import Testing
@testable import WeftGraph

/// The product–product text graph and the GNN's text-neighbour term:
/// output_p += mean over p's K nearest trained products by text of p̄_q.
struct TextNeighborsTests {
    /// Six products in the plane: 0–2 point one way, 3–4 the other, 5 has no text.
    func text() -> Tensor {
        Tensor([1, 0, 2, 0.2, 1, 0.3, 0, 1, -0.1, 3, 0, 0] as [Float], shape: [6, 2])
    }

    @Test func nearestCandidatesByCosineNeverSelf() {
        let all = [Bool](repeating: true, count: 6)
        let graph = TextNeighbors.build(text: text(), candidates: all, k: 2, block: 4)   // two blocks of rows
        #expect(graph.rowCount == 6)
        #expect(Array(graph.neighbors(of: 0)) == [1, 2])
        #expect(Array(graph.neighbors(of: 3)) == [2, 4], "4 is nearest, then 2 (the one tilted towards it)")
        #expect(graph.neighbors(of: 5).isEmpty, "no text, no neighbours")
        for p in 0..<6 { #expect(!graph.neighbors(of: p).contains(Int32(p))) }
        // Only products with a trained ID are neighbours; 2 and 5 are not candidates here.
        let some = TextNeighbors.build(text: text(), candidates: [true, true, false, true, true, false], k: 2)
        #expect(Array(some.neighbors(of: 0)) == [1, 3], "3 (cosine 0) before 4 (cosine −0.03)")
        #expect(Array(some.neighbors(of: 2)) == [0, 1], "a product without an ID still gets neighbours")
        // More neighbours asked for than there are candidates: all of them.
        let wide = TextNeighbors.build(text: text(), candidates: all, k: 10)
        #expect(wide.neighbors(of: 0).count == 4)
    }

    @Test func aNewVectorGetsTheNeighboursBuildWouldGiveIt() {
        let all = [Bool](repeating: true, count: 6)
        #expect(TextNeighbors.nearest(to: [2, 0.05], text: text(), candidates: all, k: 2) == [0, 1])
        #expect(TextNeighbors.nearest(to: [0, 0], text: text(), candidates: all, k: 2).isEmpty)
        #expect(TextNeighbors.nearest(to: [0, 1], text: text(), candidates: [true, true, true, false, true, true], k: 1) == [4])
    }

    func graph() throws -> HeteroGraph {
        try HeteroGraph(nodeCounts: [.user: 3, .product: 6, .category: 2], edges: [
            EdgeSet(.interacted, sources: [0, 0, 1, 2, 2], destinations: [0, 1, 1, 3, 4]),
            EdgeSet(.inCategory, sources: [0, 1, 2, 3, 4, 5], destinations: [0, 0, 0, 1, 1, 1]),
        ])
    }

    func model(_ g: HeteroGraph, neighbors: Int) -> WeftGNN {
        var rng = SeededGenerator(seed: 3)
        let configuration = GNNConfiguration(dimension: 4, layers: 1, heads: 2, idDropout: 0.5,
                                             textDimensions: [.product: 2], idPropagationLayers: 2,
                                             textSimilarity: false, textNeighbors: neighbors)
        return WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
    }

    func inputs(_ g: HeteroGraph) throws -> WeftGNN.Inputs {
        let available = [true, true, false, true, true, false]   // 2 and 5 are cold
        return WeftGNN.Inputs(text: [.product: text()], idAvailable: [.product: available],
                              idPropagation: try IDPropagation(graph: g),
                              textNeighbors: TextNeighbors.build(text: text(), candidates: available, k: 2))
    }

    /// Each product's output is the term-free output plus the mean p̄ of its
    /// neighbours; users' outputs do not change. A cold product gets it too.
    @Test func productsAddTheirTextNeighboursCollaborativeMean() throws {
        let g = try graph()
        let with = model(g, neighbors: 2), without = model(g, neighbors: 0)
        #expect(with.namedParameters().count == without.namedParameters().count, "no parameters of its own")
        let x = try inputs(g)
        var rng = SeededGenerator(seed: 7)
        let a = with(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        let b = without(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        #expect(a[.user]!.value.scalars == b[.user]!.value.scalars)
        let (propagation, users, products) = try #require(with.collaborativeEgo(inputs: x, tape: Tape.inference))
        let pBar = propagation(users: users, products: products, layers: 2, tape: Tape.inference).products.value
        let neighbors = try #require(x.textNeighbors)
        for p in 0..<6 {
            let list = neighbors.neighbors(of: p).map(Int.init)
            for c in 0..<4 {
                let mean = list.isEmpty ? 0 : list.reduce(Float(0)) { $0 + pBar[$1, c] } / Float(list.count)
                #expect(abs(a[.product]!.value[p, c] - b[.product]!.value[p, c] - mean) < 1e-5, "(\(p), \(c))")
            }
        }
        #expect((0..<4).contains { a[.product]!.value[2, $0] != b[.product]!.value[2, $0] },
                "cold product 2 gets a collaborative term from its neighbours")
    }

    @Test func gradients() throws {
        let g = try graph()
        let m = model(g, neighbors: 2)
        let x = try inputs(g)
        let checked = [m.idEmbeddings[.user]!.weight, m.idEmbeddings[.product]!.weight, m.textProjections[.product]!.weight]
        let mismatches = GradientCheck.check(inputs: checked, maxElements: 24) { tape, _ in
            var rng = SeededGenerator(seed: 8)  // the same ID-dropout masks in every evaluation
            let out = m(g.fullSubgraph(), inputs: x, tape: tape, training: true, using: &rng)
            return tape.matmul(out[.user]!, out[.product]!, transposeB: true)   // (U, P) scores
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// Models saved before the term existed decode without it.
    @Test func olderConfigurationsHaveNoTextNeighbours() throws {
        let saved = #"{"dimension": 8, "layers": 1, "heads": 2, "idDropout": 0.3, "degreeNormalized": true, "textDimensions": []}"#
        #expect(try JSONDecoder().decode(GNNConfiguration.self, from: Data(saved.utf8)).textNeighbors == 0)
        let round = try JSONDecoder().decode(GNNConfiguration.self,
                                             from: try JSONEncoder().encode(GNNConfiguration(textNeighbors: 7)))
        #expect(round.textNeighbors == 7)
    }
}
