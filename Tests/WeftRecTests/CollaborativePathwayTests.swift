import Foundation
import Testing
@testable import WeftRec

/// `WeftGNNRecommender` with its collaborative pathway (LightGCN propagation
/// of the ID embeddings) and LightGCN's L2 term, end to end.
struct CollaborativePathwayTests {
    func options(propagationLayers: Int, regularization: Float = 1e-4) -> Evaluation.Options {
        var o = Evaluation.Options()
        o.gnn = GNNConfiguration(dimension: 16, layers: 1, heads: 2, idDropout: 0.1, idPropagationLayers: propagationLayers)
        o.gnnTraining.learningRate = 0.01
        o.gnnTraining.batchSize = 64
        o.gnnTraining.fanouts = [5]
        o.gnnTraining.maximumEpochs = 8
        o.gnnTraining.patience = 8
        o.gnnTraining.regularization = regularization
        return o
    }

    func context(_ d: Dataset, _ s: InteractionSplit, text: Tensor?) throws -> TrainingContext {
        let v = RankingEvaluator(split: s, phase: .validation, seed: 1)
        return TrainingContext(dataset: d, split: s, graph: try d.graph(interactions: s.train), productText: text,
                               seed: 3, validate: { v.evaluate($0).metrics["ndcg@10"] ?? 0 })
    }

    /// The loss is BPR plus λ/(2B) Σ (‖e_u‖² + ‖e_i‖² + ‖e_j‖²) over the batch's ID rows.
    @Test func bprLossAddsLightGCNsL2Term() throws {
        let d = Fixtures.clustered(groups: 2, usersPerGroup: 6, productsPerGroup: 6, perUser: 4)
        let s = InteractionSplit.make(d, protocol: .warm, seed: 1)
        var o = options(propagationLayers: 2, regularization: 0.5)
        o.gnnTraining.maximumEpochs = 1
        let trained = WeftGNNRecommender(configuration: o.gnn, options: o.gnnTraining)
        try trained.fit(context(d, s, text: nil))
        var plainOptions = o.gnnTraining
        plainOptions.regularization = 0
        let plain = WeftGNNRecommender(restoring: trained.model!, graph: trained.graph!, inputs: trained.inputs,
                                       options: plainOptions, userEmbeddings: trained.userEmbeddings,
                                       productEmbeddings: trained.productEmbeddings)
        let users: [Int32] = [0, 3, 7], positives: [Int32] = [1, 2, 8], negatives: [Int32] = [4, 9, 0]
        let sampler = NeighborSampler(graph: trained.graph!, fanout: [5])
        var rng = SeededGenerator(seed: 11)
        let withL2 = trained.bprLoss(users, positives, negatives, sampler: sampler, tape: Tape(), rng: &rng).value.scalar
        rng = SeededGenerator(seed: 11)
        let without = plain.bprLoss(users, positives, negatives, sampler: sampler, tape: Tape(), rng: &rng).value.scalar
        let userTable = trained.model!.idEmbeddings[.user]!.weight.value
        let productTable = trained.model!.idEmbeddings[.product]!.weight.value
        func squared(_ t: Tensor, _ row: Int32) -> Float { t.row(Int(row)).scalars.reduce(0) { $0 + $1 * $1 } }
        let squares = users.reduce(0) { $0 + squared(userTable, $1) }
            + (positives + negatives).reduce(0) { $0 + squared(productTable, $1) }
        #expect(abs((withL2 - without) - 0.5 / 6 * squares) < 1e-4, "\(withL2) − \(without) vs \(0.5 / 6 * squares)")
    }

    /// End to end: the model ranks planted groups well with text that says
    /// nothing (random vectors), with either ID view. With the raw view,
    /// every user's and product's embedding after training is the attention
    /// pathway's output plus LightGCN's propagation of the trained ID
    /// embeddings over the training graph (with the propagated view the two
    /// are not separable: the attention pathway reads the propagation too).
    @Test(arguments: [false, true])
    func trainedEmbeddingsAreAttentionPlusLightGCNPropagation(propagatedView: Bool) throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 12, productsPerGroup: 10, perUser: 7)
        let s = InteractionSplit.make(d, protocol: .random811, seed: 2)
        var rng = SeededGenerator(seed: 4)
        let noise = Tensor.randomNormal([d.productCount, 16], using: &rng)
        var o = options(propagationLayers: 3)
        o.gnn.textSimilarity = false
        o.gnn.propagatedIDView = propagatedView
        let model = WeftGNNRecommender(name: "weft+tl+gnn", configuration: o.gnn, options: o.gnnTraining)
        try model.fit(context(d, s, text: noise))
        let ndcg = RankingEvaluator(split: s, phase: .test, seed: 1).evaluate(model).metrics["ndcg@20"]!
        #expect(ndcg > 0.5, "ndcg@20 \(ndcg)")
        guard !propagatedView else { return }

        let gnn = try #require(model.model), propagation = try #require(model.inputs.idPropagation)
        var withoutPathway = model.inputs
        withoutPathway.idPropagation = nil
        var unused = SeededGenerator(seed: 0)
        let attention = gnn(model.graph!.fullSubgraph(), inputs: withoutPathway, tape: Tape.inference, training: false,
                            using: &unused)
        let seen = model.inputs.idAvailable[.product]!
        let products = gnn.idEmbeddings[.product]!.weight.value.copy()
        for p in 0..<products.rowCount where !seen[p] { products.row(p).fill(0) }
        let lightGCN = propagation(users: Variable(gnn.idEmbeddings[.user]!.weight.value), products: Variable(products),
                                   layers: 3, tape: Tape.inference)
        for (final, parts) in [(model.userEmbeddings, (attention[.user]!.value, lightGCN.users.value)),
                               (model.productEmbeddings, (attention[.product]!.value, lightGCN.products.value))] {
            let expected = zip(parts.0.scalars, parts.1.scalars).map { $0 + $1 }
            #expect(zip(final.scalars, expected).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }

    /// Training options saved before `regularization` existed load with it at 0.
    @Test func optionsSavedWithoutRegularizationLoadWithoutIt() throws {
        var saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(GNNTrainingOptions())) as! [String: Any]
        #expect(abs((saved["regularization"] as? Double ?? 0) - 1e-4) < 1e-9)
        saved["regularization"] = nil
        let old = try JSONDecoder().decode(GNNTrainingOptions.self, from: JSONSerialization.data(withJSONObject: saved))
        var expected = GNNTrainingOptions()
        expected.regularization = 0
        #expect(old == expected)
    }
}
