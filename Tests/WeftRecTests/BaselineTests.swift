import Foundation
import Testing
@testable import WeftRec

struct BaselineTests {
    func context(_ d: Dataset, _ s: InteractionSplit, text: Tensor? = nil,
                 validation: RankingEvaluator? = nil) throws -> TrainingContext {
        let v = validation ?? RankingEvaluator(split: s, phase: .validation, seed: 1)
        return TrainingContext(dataset: d, split: s, graph: try d.graph(interactions: s.train), productText: text, seed: 5,
                               validate: { v.evaluate($0).metrics["ndcg@10"] ?? 0 })
    }

    @Test func popularityRanksByTrainingCount() throws {
        var d = Dataset(name: "t")
        for i in 0..<4 { d.addProduct(id: "p\(i)") }
        for u in 0..<3 { d.addUser(id: "u\(u)") }
        d.interactions = [.init(user: 0, product: 2, timestamp: 1), .init(user: 1, product: 2, timestamp: 1),
                          .init(user: 2, product: 1, timestamp: 1)]
        let s = InteractionSplit(evaluationProtocol: .warm, seed: 1, userCount: 3, productCount: 4,
                                 train: UserProductPairs(users: [0, 1, 2], products: [2, 2, 1]),
                                 validation: UserProductPairs(), test: UserProductPairs())
        let m = PopularityRecommender()
        try m.fit(context(d, s))
        #expect(m.scores(users: [1, 0]).scalars == [0, 1, 2, 0, 0, 1, 2, 0])
    }

    /// LightGCN's propagation against a dense computation of
    /// E = (1/(K+1)) Σ_k Âᵏ E⁰ with Â built from the degree formula.
    @Test func lightGCNPropagationMatchesDenseMatrixPowers() throws {
        let users = 3, items = 4, d = 2
        let ui = Adjacency(rowCount: users, sources: [0, 0, 1, 2, 2], targets: [0, 1, 1, 1, 3])
        let n = users + items
        var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var degree = [Double](repeating: 0, count: n)
        for u in 0..<users { for i in ui.neighbors(of: u) { degree[u] += 1; degree[users + Int(i)] += 1 } }
        for u in 0..<users {
            for i in ui.neighbors(of: u) {
                let v = 1 / (degree[u] * degree[users + Int(i)]).squareRoot()
                a[u][users + Int(i)] = v
                a[users + Int(i)][u] = v
            }
        }
        var rng = SeededGenerator(seed: 3)
        let e0 = Tensor.randomNormal([n, d], using: &rng)
        var layer = (0..<n).map { r in (0..<d).map { Double(e0[r, $0]) } }
        var total = layer
        for _ in 0..<3 {
            layer = (0..<n).map { r in (0..<d).map { c in (0..<n).reduce(0.0) { $0 + a[r][$1] * layer[$1][c] } } }
            for r in 0..<n { for c in 0..<d { total[r][c] += layer[r][c] } }
        }
        let model = LightGCN(layers: 3)
        model.setAdjacency(SparseMatrix.normalizedBipartite(userItems: ui, itemCount: items))
        let out = model.propagate(Variable(e0), tape: Tape.inference).value
        for r in 0..<n { for c in 0..<d { #expect(abs(Double(out[r, c]) - total[r][c] / 4) < 1e-5) } }
    }

    /// The whole BPR objective (propagation, gathers, log-sigmoid, L2) against central differences.
    @Test func bprLossGradientThroughLightGCN() throws {
        let ui = Adjacency(rowCount: 3, sources: [0, 0, 1, 2, 2], targets: [0, 1, 1, 1, 3])
        var options = BPRTrainingOptions()
        options.regularization = 0.5
        let model = LightGCN(layers: 2, options: options)
        model.setAdjacency(SparseMatrix.normalizedBipartite(userItems: ui, itemCount: 4))
        var rng = SeededGenerator(seed: 4)
        let table = Variable(Tensor.randomNormal([7, 3], using: &rng), requiresGrad: true)
        let mismatches = GradientCheck.check(inputs: [table]) { tape, v in
            model.bprLossForTest(table: v[0], users: [0, 2, 1], positives: [1, 3, 1], negatives: [2, 0, 3], userCount: 3,
                                 tape: tape)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// On data where taste groups are disjoint, the collaborative models
    /// must rank held-out in-group products far better than popularity.
    @Test(arguments: ["bpr-mf", "lightgcn"])
    func embeddingModelsLearnPlantedGroups(name: String) throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 15, productsPerGroup: 12, perUser: 8)
        let s = InteractionSplit.make(d, protocol: .random811, seed: 1)
        var options = Evaluation.Options()
        options.bpr.dimension = 16
        options.bpr.learningRate = 0.05
        options.bpr.batchSize = 64
        options.bpr.maximumEpochs = 40
        options.bpr.patience = 10
        let test = RankingEvaluator(split: s, phase: .test, seed: 1)
        let model = try Evaluation.makeModel(name, options: options)
        try model.fit(context(d, s))
        let popularity = PopularityRecommender()
        try popularity.fit(context(d, s))
        let learned = test.evaluate(model).metrics["recall@10"]!
        let baseline = test.evaluate(popularity).metrics["recall@10"]!
        // In-group products are 12 of 36, a user has seen ~6 of them: the ≤ 6 unseen in-group
        // products hold every test item, so a model that knows the groups gets recall@10 = 1.
        #expect(learned > 0.9, "\(name) recall@10 \(learned)")
        #expect(learned > baseline + 0.2, "\(name) \(learned) vs popularity \(baseline)")
    }

    @Test func textNearestNeighborsScoresByCosineToTheHistoryMean() throws {
        var d = Dataset(name: "t")
        for i in 0..<3 { d.addProduct(id: "p\(i)") }
        d.addUser(id: "a")
        d.addUser(id: "b")
        let text = Tensor([1, 0, 0, 2, 3, 4], shape: [3, 2])
        let s = InteractionSplit(evaluationProtocol: .warm, seed: 1, userCount: 2, productCount: 3,
                                 train: UserProductPairs(users: [0, 0], products: [0, 1]),
                                 validation: UserProductPairs(), test: UserProductPairs())
        let m = TextNearestNeighbors()
        try m.fit(context(d, s, text: text))
        let scores = m.scores(users: [0, 1]).scalars
        // mean of unit rows (1,0) and (0,1) → (1,1)/√2; cos with (1,0), (0,1), (0.6, 0.8).
        let r = 1 / Float(2).squareRoot()
        #expect(abs(scores[0] - r) < 1e-6 && abs(scores[1] - r) < 1e-6 && abs(scores[2] - 1.4 * r) < 1e-6)
        #expect(scores[3...5].allSatisfy { $0 == 0 })  // user b has no history
        #expect(throws: RecommenderUnavailable.self) { try TextNearestNeighbors().fit(context(d, s)) }
    }
}

extension BPREmbeddingModel {
    /// The training loss on an explicit table, for gradient checks.
    func bprLossForTest(table: Variable, users: [Int32], positives: [Int32], negatives: [Int32], userCount: Int,
                        tape: Tape) -> Variable {
        setStateForTest(table: table, userCount: userCount)
        return bprLoss(users, positives, negatives, tape: tape)
    }
}
