import Foundation
import Testing
@testable import WeftGraph

/// The GNN's text prior: products' outputs end with β w · x̂_p and users'
/// with a 1, so every user–product score adds β w · x̂_p.
struct TextPriorTests {
    func graph() throws -> HeteroGraph {
        try HeteroGraph(nodeCounts: [.user: 3, .product: 4, .category: 2], edges: [
            EdgeSet(.interacted, sources: [0, 0, 1, 2], destinations: [0, 1, 1, 2]),
            EdgeSet(.inCategory, sources: [0, 1, 2, 3], destinations: [0, 0, 1, 1]),
        ])
    }

    func model(_ g: HeteroGraph, textPrior: Bool) -> WeftGNN {
        var rng = SeededGenerator(seed: 3)
        let configuration = GNNConfiguration(dimension: 4, layers: 1, heads: 2, idDropout: 0.5,
                                             textDimensions: [.product: 3], idPropagationLayers: 2,
                                             textSimilarity: false, textPrior: textPrior)
        return WeftGNN(configuration: configuration, nodeCounts: g.nodeCounts, relations: g.relations, using: &rng)
    }

    func inputs(_ g: HeteroGraph) throws -> WeftGNN.Inputs {
        var rng = SeededGenerator(seed: 4)
        let text = Tensor.randomNormal([4, 3], using: &rng)
        for k in 0..<3 { text[3, k] = 0 }   // product 3 has no text: no prior
        return WeftGNN.Inputs(text: [.product: text], idAvailable: [.product: [true, true, true, false]],
                              idPropagation: try IDPropagation(graph: g))
    }

    /// Every score is the prior-free score plus β w · x_p / ‖x_p‖, the same for every user.
    @Test func scoresAddTheProductsTextPrior() throws {
        let g = try graph()
        let with = model(g, textPrior: true), without = model(g, textPrior: false)
        let prior = try #require(with.textPrior)
        #expect(prior.weight.value.scalars == [0, 0, 0], "the prior starts neutral")
        prior.weight.value[0, 0] = 0.7
        prior.weight.value[0, 1] = -1.2
        prior.weight.value[0, 2] = 0.4
        #expect(with.textPriorScale!.value[0, 0] == 0.1)
        with.textPriorScale!.value[0, 0] = 1.5
        let x = try inputs(g)
        var rng = SeededGenerator(seed: 7)
        let a = with(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        let b = without(g.fullSubgraph(), inputs: x, tape: Tape.inference, training: false, using: &rng)
        #expect(a[.user]!.value.shape == [3, 5] && a[.product]!.value.shape == [4, 5] && b[.user]!.value.shape == [3, 4])
        let scoresWith = a[.user]!.value.matmul(a[.product]!.value, transposeOther: true)
        let scoresWithout = b[.user]!.value.matmul(b[.product]!.value, transposeOther: true)
        let text = x.text[.product]!
        for p in 0..<4 {
            let row = text.row(p).scalars
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let expected = norm > 0 ? 1.5 * zip(row, [0.7, -1.2, 0.4] as [Float]).reduce(0) { $0 + $1.0 * $1.1 } / norm : 0
            for u in 0..<3 {
                #expect(abs(scoresWith[u, p] - scoresWithout[u, p] - expected) < 1e-4,
                        "(\(u), \(p)): \(scoresWith[u, p]) − \(scoresWithout[u, p]) vs \(expected)")
            }
        }
        #expect(with.namedParameters().count == without.namedParameters().count + 2)
        #expect(Set(with.namedParameters().map(\.name)).isSuperset(of: ["text_prior.weight", "text_prior.scale"]))
    }

    @Test func gradients() throws {
        let g = try graph()
        let m = model(g, textPrior: true)
        var rng = SeededGenerator(seed: 9)
        m.textPrior!.weight.value = Tensor.randomNormal([1, 3], using: &rng)
        let x = try inputs(g)
        let checked = [m.textPriorScale!, m.textPrior!.weight, m.idEmbeddings[.user]!.weight,
                       m.textProjections[.product]!.weight]
        let mismatches = GradientCheck.check(inputs: checked, maxElements: 24) { tape, _ in
            var rng = SeededGenerator(seed: 8)  // the same ID-dropout masks in every evaluation
            let out = m(g.fullSubgraph(), inputs: x, tape: tape, training: true, using: &rng)
            return tape.matmul(out[.user]!, out[.product]!, transposeB: true)   // (U, P) scores
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// Models saved before the prior existed decode without it.
    @Test func olderConfigurationsHaveNoPrior() throws {
        let saved = #"{"dimension": 8, "layers": 1, "heads": 2, "idDropout": 0.3, "degreeNormalized": true, "textDimensions": []}"#
        let configuration = try JSONDecoder().decode(GNNConfiguration.self, from: Data(saved.utf8))
        #expect(!configuration.textPrior)
    }
}
