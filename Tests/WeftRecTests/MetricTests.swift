import Foundation
import Testing
@testable import WeftRec

struct MetricTests {
    @Test func recallAndNDCGOnAHandMadeRanking() {
        let ranked: [Int32] = [5, 1, 7, 2, 9]
        let positives: Set<Int32> = [1, 9, 4]
        #expect(RankingMetrics.recall(ranked: ranked, positives: positives, k: 2) == 1.0 / 3)
        #expect(RankingMetrics.recall(ranked: ranked, positives: positives, k: 5) == 2.0 / 3)
        // hits at ranks 2 and 5: DCG = 1/log2(3) + 1/log2(6); ideal (3 positives, K = 5) = 1 + 1/log2(3) + 1/2.
        let dcg = 1 / log2(3.0) + 1 / log2(6.0), ideal = 1 + 1 / log2(3.0) + 0.5
        #expect(abs(RankingMetrics.ndcg(ranked: ranked, positives: positives, k: 5) - dcg / ideal) < 1e-12)
        // K = 2: ideal is 2 hits (min(|positives|, K)).
        #expect(abs(RankingMetrics.ndcg(ranked: ranked, positives: positives, k: 2) - (1 / log2(3.0)) / (1 + 1 / log2(3.0))) < 1e-12)
        #expect(RankingMetrics.ndcg(ranked: [4, 1, 9], positives: positives, k: 3) == 1)
    }

    @Test func topKSkipsExcludedItemsAndBreaksTiesByIndex() {
        let scores: [Float] = [0.5, 0.9, 0.5, 0.1, 0.9, 0.7]
        let top = scores.withUnsafeBufferPointer { RankingMetrics.topK(scores: $0.baseAddress!, count: 6, k: 4) { $0 != 4 } }
        #expect(top == [1, 5, 0, 2])
        let all = scores.withUnsafeBufferPointer { RankingMetrics.topK(scores: $0.baseAddress!, count: 6, k: 10) { _ in true } }
        #expect(all == [1, 4, 5, 0, 2, 3])
    }

    @Test func coverageAndGini() {
        #expect(CatalogMetrics.coverage(lists: [[0, 1], [1, 2]], catalogSize: 6) == 0.5)
        // Everyone gets the same item of a 4-item catalogue: counts [0, 0, 0, 3] → G = (4 − 4 − 1 + 8)·3 / (4·3)... = 3/4.
        #expect(abs(CatalogMetrics.gini(lists: [[2], [2], [2]], catalogSize: 4) - 0.75) < 1e-12)
        #expect(CatalogMetrics.gini(lists: [[0], [1], [2], [3]], catalogSize: 4) == 0)
        // counts [1, 3] over 2 items: (2·1 − 3)·1 + (2·2 − 3)·3 = 2; / (4 · 2) = 0.25.
        #expect(abs(CatalogMetrics.gini(lists: [[0, 1], [1], [1]], catalogSize: 2) - 0.25) < 1e-12)
    }

    @Test func pairClassificationAndAUC() {
        let pos: [Float] = [0.9, 0.8, 0.3], neg: [Float] = [0.7, 0.2, 0.1]
        // 9 pairs, positive wins 8 (0.3 loses to 0.7).
        #expect(abs(PairClassification.auc(positives: pos, negatives: neg)! - 8.0 / 9) < 1e-12)
        #expect(PairClassification.auc(positives: [0.5], negatives: [0.5]) == 0.5)
        // Threshold 0.8: TP 2, FP 0, FN 1 → F1 0.8; 0.3: TP 3, FP 1 → F1 6/7 ≈ 0.857 (best).
        #expect(PairClassification.bestThreshold(positives: pos, negatives: neg) == 0.3)
        let c = PairClassification.classify(positives: pos, negatives: neg, threshold: 0.3)
        #expect(c.precision == 0.75 && c.recall == 1 && abs(c.f1 - 6.0 / 7) < 1e-12)
        #expect(PairClassification.bestThreshold(positives: [], negatives: neg) == nil)
    }

    /// The evaluator on fixed scores: known exclusions, candidates and metrics.
    @Test func rankingEvaluatorExcludesHistoryAndAveragesOverUsers() {
        let s = InteractionSplit(evaluationProtocol: .warm, seed: 1, userCount: 3, productCount: 5,
                                 train: UserProductPairs(users: [0, 0, 1], products: [0, 1, 2]),
                                 validation: UserProductPairs(users: [0], products: [4]),
                                 test: UserProductPairs(users: [0, 1], products: [3, 0]))
        let model = FixedScores([[9, 8, 7, 6, 5], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0]])
        let test = RankingEvaluator(split: s, phase: .test, ks: [1, 2], seed: 1)
        #expect(test.users == [0, 1])
        let r = test.evaluate(model)
        // User 0: items 0, 1 (train) and 4 (validation) excluded → ranking [2, 3]: test item 3 at rank 2.
        // User 1: item 2 excluded → ranking [4, 3, ...]: test item 0 not in the top 2.
        #expect(r.metrics["recall@1"] == 0 && r.metrics["recall@2"] == 0.5)
        #expect(abs(r.metrics["ndcg@2"]! - (1 / log2(3.0)) / 2) < 1e-12)
        #expect(r.metrics["coverage@2"] == 3.0 / 5)  // items 2, 3, 4
        #expect(r.positiveScores.count == 2 && r.negativeScores.count == 2)
        #expect(r.positiveScores == [6, 1])
        let validation = RankingEvaluator(split: s, phase: .validation, ks: [1], seed: 1)
        // Validation of user 0 excludes only training items: ranking [2, 3, 4] → item 4 is third.
        #expect(validation.evaluate(model).metrics["recall@1"] == 0)
        #expect(validation.evaluate(FixedScores([[0, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])).metrics["recall@1"] == 1)
    }

    /// Slices: the same ranking, only the slice's positives, averaged over
    /// the users who have one there; a slice nobody has gets no figures.
    @Test func slicesCountOnlyTheirPositivesAndTheirUsers() {
        let s = InteractionSplit(evaluationProtocol: .warm, seed: 1, userCount: 3, productCount: 5,
                                 train: UserProductPairs(users: [0, 0, 1], products: [0, 1, 2]),
                                 validation: UserProductPairs(users: [0], products: [4]),
                                 test: UserProductPairs(users: [0, 0, 1], products: [2, 3, 0]))
        let model = FixedScores([[9, 8, 7, 6, 5], [1, 2, 3, 4, 5], [0, 0, 0, 0, 0]])
        let test = RankingEvaluator(split: s, phase: .test, ks: [1, 2], seed: 1)
        test.slices = [("three", [false, false, false, true, false]), ("zero-or-two", [true, false, true, false, false]),
                       ("nobody", [false, true, false, false, true])]
        let r = test.evaluate(model)
        // User 0 ranks [2, 3] (0, 1 train, 4 validation): both test items in the top 2; user 1 ranks [4, 3].
        #expect(r.metrics["recall@2"] == 0.5)                 // user 0: 2/2, user 1: 0/1
        #expect(r.sliceUsers == ["three": 1, "zero-or-two": 2, "nobody": 0])
        #expect(r.metrics["three/recall@1"] == 0 && r.metrics["three/recall@2"] == 1)   // item 3 at rank 2
        #expect(abs(r.metrics["three/ndcg@2"]! - 1 / log2(3.0)) < 1e-12)
        #expect(r.metrics["zero-or-two/recall@1"] == 0.5)     // user 0: item 2 first; user 1: item 0 missed
        #expect(r.metrics["nobody/recall@1"] == nil)
    }

    @Test func sampledNegativesAreCandidatesTheUserNeverTouched() {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 8, productsPerGroup: 10, perUser: 6)
        let s = InteractionSplit.make(d, protocol: .cold, seed: 2)
        let e = RankingEvaluator(split: s, phase: .test, seed: 2)
        let everything = Set(d.interactions.map { [$0.user, $0.product] })
        let candidates = Set(s.testCandidates!)
        for u in e.users {
            for k in Int(e.positives.offsets[Int(u)])..<Int(e.positives.offsets[Int(u) + 1]) where e.negatives[k] >= 0 {
                #expect(candidates.contains(e.negatives[k]))
                #expect(!everything.contains([u, e.negatives[k]]))
            }
        }
    }
}
