import Testing
@testable import WeftGraph

/// The GNN's text-similarity pathway: outputs end with s · t̂, so every
/// user–product score adds s² cos(t̂_u, t̂_p).
struct TextSimilarityPathwayTests {
    func graph() throws -> HeteroGraph {
        try HeteroGraph(nodeCounts: [.user: 3, .product: 4, .category: 2], edges: [
            EdgeSet(.interacted, sources: [0, 0, 1, 2], destinations: [0, 1, 1, 2]),
            EdgeSet(.inCategory, sources: [0, 1, 2, 3], destinations: [0, 0, 1, 1]),
        ])
    }

    func unit(_ rows: Int, _ width: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor.randomNormal([rows, width], using: &rng)
        for r in 0..<rows {
            let norm = t.row(r).scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for k in 0..<width { t[r, k] /= norm }
        }
        return t
    }

    func model(_ g: HeteroGraph, textSimilarity: Bool) -> WeftGNN {
        var rng = SeededGenerator(seed: 3)
        let configuration = GNNConfiguration(dimension: 4, layers: 1, heads: 2, idDropout: 0.5,
                                             textDimensions: [.product: 3], idPropagationLayers: 2,
                                             textSimilarity: textSimilarity)
        return WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
    }

    func inputs(_ g: HeteroGraph) throws -> WeftGNN.Inputs {
        var rng = SeededGenerator(seed: 4)
        return WeftGNN.Inputs(text: [.product: Tensor.randomNormal([4, 3], using: &rng)],
                              idAvailable: [.product: [true, true, true, false]],
                              idPropagation: try IDPropagation(graph: g),
                              similarityText: [.user: unit(3, 5, seed: 5), .product: unit(4, 5, seed: 6)])
    }

    /// Every score is the pathway-free score plus s² cos(t̂_u, t̂_p).
    @Test func scoresAddScaledTextCosine() throws {
        let g = try graph()
        let with = model(g, textSimilarity: true), without = model(g, textSimilarity: false)
        with.similarityScale!.value[0, 0] = 1.5
        let x = try inputs(g)
        var rng = SeededGenerator(seed: 7)
        let a = with(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        let b = without(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        #expect(a[.user]!.value.shape == [3, 4 + 5] && b[.user]!.value.shape == [3, 4])
        let scoresWith = a[.user]!.value.matmul(a[.product]!.value, transposeOther: true)
        let scoresWithout = b[.user]!.value.matmul(b[.product]!.value, transposeOther: true)
        let cosines = x.similarityText[.user]!.matmul(x.similarityText[.product]!, transposeOther: true)
        for u in 0..<3 {
            for p in 0..<4 {
                let expected = scoresWithout[u, p] + 1.5 * 1.5 * cosines[u, p]
                #expect(abs(scoresWith[u, p] - expected) < 1e-4, "(\(u), \(p)): \(scoresWith[u, p]) vs \(expected)")
            }
        }
        #expect(with.namedParameters().count == without.namedParameters().count + 1)
    }

    @Test func gradients() throws {
        let g = try graph()
        let m = model(g, textSimilarity: true)
        let x = try inputs(g)
        let checked = [m.similarityScale!, m.idEmbeddings[.user]!.weight, m.textProjections[.product]!.weight]
        let mismatches = GradientCheck.check(inputs: checked, maxElements: 24) { tape, _ in
            var rng = SeededGenerator(seed: 8)  // the same ID-dropout masks in every evaluation
            let out = m(g.fullSubgraph(), inputs: x, tape: tape, training: true, using: &rng)
            return tape.matmul(out[.user]!, out[.product]!, transposeB: true)   // (U, P) scores
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }
}
