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
        #expect(abs((saved["regularization"] as? Double ?? 0) - 1e-3) < 1e-9)
        saved["regularization"] = nil
        let old = try JSONDecoder().decode(GNNTrainingOptions.self, from: JSONSerialization.data(withJSONObject: saved))
        var expected = GNNTrainingOptions()
        expected.regularization = 0
        #expect(old == expected)
    }
    /// InfoNCE: −(1/n) Σ_i log softmax_j(cos(a_i, b_j) / τ)[i], against a
    /// direct computation, and its gradients.
    @Test func infoNCEValueAndGradients() {
        var rng = SeededGenerator(seed: 21)
        let a = Variable(Tensor.randomNormal([4, 3], using: &rng), requiresGrad: true)
        let b = Variable(Tensor.randomNormal([4, 3], using: &rng), requiresGrad: true)
        let tau: Float = 0.3
        let got = WeftGNNRecommender.infoNCE(a, b, temperature: tau, tape: Tape.inference).value.scalar
        func unit(_ t: Tensor, _ r: Int) -> [Float] {
            let x = t.row(r).scalars, n = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return x.map { $0 / n }
        }
        var expected: Float = 0
        for i in 0..<4 {
            let logits = (0..<4).map { j in zip(unit(a.value, i), unit(b.value, j)).reduce(0) { $0 + $1.0 * $1.1 } / tau }
            expected -= logits[i] - log(logits.map { exp($0) }.reduce(0, +))
        }
        expected /= 4
        #expect(abs(got - expected) < 1e-5, "\(got) vs \(expected)")
        let mismatches = GradientCheck.check(inputs: [a, b]) { tape, v in
            WeftGNNRecommender.infoNCE(v[0], v[1], temperature: tau, tape: tape)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// With the contrastive regulariser the batch loss is BPR plus λ times
    /// the two views' InfoNCE over the batch's distinct users and products;
    /// training with it stays seeded (two runs agree bit for bit) and still
    /// learns the planted groups.
    @Test func contrastiveRegulariserAddsItsWeightedLossAndTrainsReproducibly() throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 12, productsPerGroup: 10, perUser: 7)
        let s = InteractionSplit.make(d, protocol: .random811, seed: 2)
        var o = options(propagationLayers: 2)
        o.gnnTraining.contrastiveWeight = 0.5
        o.gnnTraining.contrastiveNoise = 0.1
        let first = WeftGNNRecommender(configuration: o.gnn, options: o.gnnTraining)
        try first.fit(context(d, s, text: nil))
        let second = WeftGNNRecommender(configuration: o.gnn, options: o.gnnTraining)
        try second.fit(context(d, s, text: nil))
        #expect(first.userEmbeddings.scalars == second.userEmbeddings.scalars)
        #expect(first.productEmbeddings.scalars == second.productEmbeddings.scalars)
        let ndcg = RankingEvaluator(split: s, phase: .test, seed: 1).evaluate(first).metrics["ndcg@20"]!
        #expect(ndcg > 0.5, "ndcg@20 \(ndcg)")

        // The contrastive term is the two views' InfoNCE, recomputed here from the same draws.
        let users: [Int32] = [0, 3, 0, 7], positives: [Int32] = [1, 2, 1, 8]
        var rng = SeededGenerator(seed: 5)
        let term = try #require(first.contrastiveLoss(users, positives, tape: Tape.inference, rng: &rng)).value.scalar
        rng = SeededGenerator(seed: 5)
        let gnn = try #require(first.model)
        let v1 = try #require(gnn.perturbedCollaborativeView(inputs: first.inputs, epsilon: 0.1, tape: Tape.inference, using: &rng))
        let v2 = try #require(gnn.perturbedCollaborativeView(inputs: first.inputs, epsilon: 0.1, tape: Tape.inference, using: &rng))
        let t = Tape.inference
        let expected = WeftGNNRecommender.infoNCE(t.gatherRows(v1.users, ids: [0, 3, 7]), t.gatherRows(v2.users, ids: [0, 3, 7]),
                                                  temperature: 0.2, tape: t).value.scalar
            + WeftGNNRecommender.infoNCE(t.gatherRows(v1.products, ids: [1, 2, 8]), t.gatherRows(v2.products, ids: [1, 2, 8]),
                                         temperature: 0.2, tape: t).value.scalar
        #expect(abs(term - expected) < 1e-5, "\(term) vs \(expected)")
        // Two views of different draws differ, so the term is not the trivial log n of identical views.
        #expect(v1.users.value.scalars != v2.users.value.scalars)
    }

    /// Cold simulation leaves every training interaction of a simulated cold
    /// product out of the batch's subgraph (besides the batch's own edges),
    /// and a model trained with it ranks cold products from text and
    /// categories far above chance.
    @Test func coldSimulationHidesTheProductsBuyersAndStillRanksColdProducts() throws {
        let d = Fixtures.clustered(groups: 4, usersPerGroup: 10, productsPerGroup: 25, perUser: 12)
        var o = options(propagationLayers: 2)
        o.evaluationProtocol = .cold
        o.gnnTraining.coldSimulation = 0.5
        o.gnnTraining.maximumEpochs = 15
        o.models = ["weft+tl+gnn"]
        o.productText = HashedTextFeatures.embed(d.products.map(\.text), dimension: 32)
        o.textEncoder = { HashedTextFeatures.embed($0, dimension: 32) }
        let report = try Evaluation.run(dataset: d, options: o)
        let metrics = try #require(report.models[0].metrics)
        #expect(metrics["auc"]! > 0.9, "\(metrics)")

        let s = InteractionSplit.make(d, protocol: .warm, seed: 1)
        var short = options(propagationLayers: 2)
        short.gnnTraining.coldSimulation = 0.5
        short.gnnTraining.maximumEpochs = 1
        let model = WeftGNNRecommender(configuration: short.gnn, options: short.gnnTraining)
        try model.fit(context(d, s, text: nil))
        let train = s.train.adjacency(userCount: s.userCount)
        let cold: Set<Int32> = [3, 40]
        var expected = Set<Int64>()
        for u in 0..<train.rowCount { for p in train.neighbors(of: u) where cold.contains(p) { expected.insert(Int64(u) << 32 | Int64(p)) } }
        #expect(!expected.isEmpty)
        let excluded = model.excludedEdges([7], [5], coldProducts: cold)
        #expect(excluded[.interacted] == expected.union([Int64(7) << 32 | 5]))
        #expect(excluded[Relation.interacted.reversed]?.count == expected.count + 1)
        #expect(model.excludedEdges([7], [5])[.interacted] == [Int64(7) << 32 | 5])
    }

    /// Training options saved before the contrastive regulariser and cold simulation existed load with both off.
    @Test func optionsSavedWithoutContrastiveWeightLoadWithItOff() throws {
        var options = GNNTrainingOptions()
        options.contrastiveWeight = 0.3
        var saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as! [String: Any]
        #expect(abs((saved["contrastiveWeight"] as? Double ?? 0) - 0.3) < 1e-6)
        saved["contrastiveWeight"] = nil
        saved["contrastiveNoise"] = nil
        saved["contrastiveTemperature"] = nil
        saved["coldSimulation"] = nil
        let old = try JSONDecoder().decode(GNNTrainingOptions.self, from: JSONSerialization.data(withJSONObject: saved))
        #expect(old == GNNTrainingOptions())
    }
}
