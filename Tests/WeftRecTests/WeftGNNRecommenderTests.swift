import Foundation
import Testing
@testable import WeftRec

struct WeftGNNRecommenderTests {
    func options() -> Evaluation.Options {
        var o = Evaluation.Options()
        o.gnn = GNNConfiguration(dimension: 16, layers: 2, heads: 2, idDropout: 0.3)
        o.gnnTraining.learningRate = 0.01
        o.gnnTraining.batchSize = 64
        o.gnnTraining.fanouts = [5, 3]
        o.gnnTraining.maximumEpochs = 15
        o.gnnTraining.patience = 4
        return o
    }

    func context(_ d: Dataset, _ s: InteractionSplit, text: Tensor?, nodeText: [NodeType: Tensor] = [:]) throws -> TrainingContext {
        let v = RankingEvaluator(split: s, phase: .validation, seed: 1)
        return TrainingContext(dataset: d, split: s, graph: try d.graph(interactions: s.train), productText: text,
                               nodeText: nodeText, seed: 3, validate: { v.evaluate($0).metrics["ndcg@10"] ?? 0 })
    }

    @Test(arguments: GNNTrainingOptions.Objective.allCases)
    func learnsPlantedGroupsWarm(objective: GNNTrainingOptions.Objective) throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 15, productsPerGroup: 12, perUser: 8)
        let s = InteractionSplit.make(d, protocol: .random811, seed: 1)
        var o = options()
        o.gnnTraining.objective = objective
        o.gnnTraining.temperature = 0.2
        let model = try Evaluation.makeModel("weft-gnn", options: o)
        try model.fit(context(d, s, text: nil))
        let recall = RankingEvaluator(split: s, phase: .test, seed: 1).evaluate(model).metrics["recall@10"]!
        #expect(recall > 0.9, "weft-gnn recall@10 \(recall)")
    }

    /// Cold products have no interactions in training; the GNN must place
    /// them from their text and category edges, like text-kNN and far above
    /// popularity.
    @Test func ranksColdProductsFromTextAndCategories() throws {
        let d = Fixtures.clustered(groups: 4, usersPerGroup: 10, productsPerGroup: 25, perUser: 12)
        var o = options()
        o.evaluationProtocol = .cold
        o.models = ["popularity", "weft-gnn"]
        o.productText = HashedTextFeatures.embed(d.products.map(\.text), dimension: 32)
        o.textEncoder = { HashedTextFeatures.embed($0, dimension: 32) }
        let report = try Evaluation.run(dataset: d, options: o)
        let popularity = report.models[0].metrics!, gnn = report.models[1].metrics!
        #expect(gnn["auc"]! > 0.9, "weft-gnn \(gnn)")
        #expect(gnn["ndcg@10"]! > popularity["ndcg@10"]! + 0.2, "weft-gnn \(gnn), popularity \(popularity)")
    }

    /// The text prior's row is the ridge fit on this split's training counts
    /// and stays fixed while its scale β trains.
    @Test func textPriorIsFittedOnTrainingCountsAndHeldFixed() throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 10, productsPerGroup: 10, perUser: 6)
        let s = InteractionSplit.make(d, protocol: .cold, seed: 2)
        let text = HashedTextFeatures.embed(d.products.map(\.text), dimension: 16)
        var o = options()
        o.gnn.textPrior = true
        let model = try #require(try Evaluation.makeModel("weft+tl+gnn", options: o) as? WeftGNNRecommender)
        try model.fit(context(d, s, text: text))
        var counts = [Int](repeating: 0, count: d.productCount)
        for p in s.train.products { counts[Int(p)] += 1 }
        #expect(s.coldProducts.allSatisfy { counts[Int($0)] == 0 })
        let expected = TextPopularityPrior.fit(text: text, interactions: counts)
        let prior = try #require(model.model?.textPrior)
        #expect(prior.weight.value.scalars == expected && expected.contains { $0 != 0 })
        #expect(model.model!.textPriorScale!.value[0, 0] != 0.1, "β trains")
    }

    /// The inductive path agrees with the full-graph path: a product added
    /// after training gets the embedding the full graph gives it (with the
    /// text-neighbour term too: its neighbours are found when it is added).
    @Test(arguments: [0, 3])
    func addedProductIsEmbeddedAsTheFullGraphWould(textNeighbors: Int) throws {
        let d = Fixtures.clustered(groups: 2, usersPerGroup: 10, productsPerGroup: 8, perUser: 5)
        let s = InteractionSplit.make(d, protocol: .warm, seed: 1)
        let text = HashedTextFeatures.embed(d.products.map(\.text), dimension: 16)
        var o = options()
        o.gnn.textNeighbors = textNeighbors
        let model = try #require(try Evaluation.makeModel("weft-gnn", options: o) as? WeftGNNRecommender)
        try model.fit(context(d, s, text: text))
        #expect((model.inputs.textNeighbors != nil) == (textNeighbors > 0))
        let newText = Array(text.row(0).scalars)
        let id = try model.addProduct(text: newText, edges: [(.inCategory, 0), (.byBrand, 0)])
        #expect(id == d.productCount)
        if textNeighbors > 0 {
            #expect(model.inputs.textNeighbors?.neighbors(of: id).count == textNeighbors)
            #expect(model.inputs.textNeighbors?.neighbors(of: id).contains(0) == true, "its text is product 0's")
        }
        let inductive = model.productEmbeddings.row(id).scalars
        #expect(model.scores(users: [0]).shape == [1, d.productCount + 1])
        #expect(model.userScores(product: id).count == d.userCount)
        model.refresh()  // the full graph, now with the new node merged
        let full = model.productEmbeddings.row(id).scalars
        #expect(zip(inductive, full).allSatisfy { abs($0 - $1) < 1e-4 }, "\(inductive) vs \(full)")
        // It sits with the group its text and category name, not the other one.
        let scores = model.userScores(product: id).scalars
        let inGroup = scores[0..<10].reduce(0, +) / 10, outGroup = scores[10..<20].reduce(0, +) / 10
        #expect(inGroup > outGroup)
    }
}
