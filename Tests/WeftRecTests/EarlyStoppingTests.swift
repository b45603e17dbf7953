import Foundation
import Testing
@testable import WeftCore
@testable import WeftRec

struct EarlyStoppingTests {
    /// Stops only once both counts have run out since the best evaluation,
    /// and a new best resets both.
    @Test func needsBothEvaluationsAndStepsSinceTheBest() {
        var s = EarlyStopping()
        func done(_ s: EarlyStopping) -> Bool { s.exhausted(patience: 2, patienceSteps: 5) }
        s.stepped(1)
        let first = s.evaluated(0.10, epoch: 1)
        #expect(first)
        for epoch in 2...3 {
            s.stepped(1)
            let better = s.evaluated(0.05, epoch: epoch)
            #expect(!better)
        }
        // Two evaluations without a better score, but two steps of five.
        #expect(s.evaluationsSinceBest == 2 && s.stepsSinceBest == 2 && !done(s))
        s.stepped(1)
        let newBest = s.evaluated(0.2, epoch: 4)
        #expect(newBest)
        #expect(s.best == 0.2 && s.bestEpoch == 4 && s.evaluationsSinceBest == 0 && s.stepsSinceBest == 0)
        for epoch in 5...9 {
            #expect(!done(s))
            s.stepped(1)
            _ = s.evaluated(0.2, epoch: epoch)  // equal is not better
        }
        #expect(done(s) && s.bestEpoch == 4)

        // With many steps per epoch the evaluation count decides, as before the step floor.
        var big = EarlyStopping()
        big.stepped(40)
        _ = big.evaluated(0.3, epoch: 1)
        big.stepped(40)
        _ = big.evaluated(0.1, epoch: 2)
        #expect(!done(big))
        big.stepped(40)
        _ = big.evaluated(0.1, epoch: 3)
        #expect(done(big))

        // patienceSteps 0: patience alone.
        var old = EarlyStopping()
        _ = old.evaluated(0.3, epoch: 1)
        _ = old.evaluated(0.2, epoch: 2)
        #expect(old.exhausted(patience: 1, patienceSteps: 0))
    }

    /// A checkpoint written before the step count existed resumes with 0
    /// steps since the best, and the new fields round-trip.
    @Test func countersReadOldCheckpointsAndRoundTrip() throws {
        let generator = SeededGenerator(seed: 3)
        let g = String(data: try JSONEncoder().encode(generator), encoding: .utf8)!
        let old = #"{"epoch":7,"best":0.25,"bestEpoch":5,"sinceBest":2,"stopped":false,"generator":\#(g),"epochSeconds":[0.1],"optimizerSteps":[7]}"#
        let counters = try JSONDecoder().decode(GNNTrainingProgress.Counters.self, from: Data(old.utf8))
        #expect(counters.epoch == 7 && counters.stopping.best == 0.25 && counters.stopping.bestEpoch == 5)
        #expect(counters.stopping.evaluationsSinceBest == 2 && counters.stopping.stepsSinceBest == 0)
        #expect(counters.generator == generator && counters.optimizerSteps == [7])

        var stopping = EarlyStopping()
        stopping.stepped(3)
        _ = stopping.evaluated(0.5, epoch: 1)
        stopping.stepped(6)
        _ = stopping.evaluated(0.4, epoch: 2)
        let fresh = GNNTrainingProgress.Counters(epoch: 2, stopping: stopping, stopped: false, generator: generator,
                                                 epochSeconds: [0.2, 0.3], optimizerSteps: [9])
        let back = try JSONDecoder().decode(GNNTrainingProgress.Counters.self,
                                            from: try JSONEncoder().encode(fresh))
        #expect(back == fresh)

        // Before the first evaluation (evaluateEvery > 1) best is −∞, which JSON cannot hold.
        let unevaluated = GNNTrainingProgress.Counters(
            epoch: 1, stopping: EarlyStopping(), stopped: false, generator: generator,
            epochSeconds: [0.2], optimizerSteps: [1])
        let decoded = try JSONDecoder().decode(GNNTrainingProgress.Counters.self,
                                               from: try JSONEncoder().encode(unevaluated))
        #expect(decoded.stopping.best == -Double.infinity)
    }

    /// End to end on data of one step per epoch: with the step floor BPR-MF
    /// trains at least `patienceSteps` epochs past its best one; without it,
    /// `patience` epochs.
    @Test func bprTrainingHonoursTheStepFloor() throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 10, productsPerGroup: 8, perUser: 6)
        let s = InteractionSplit.make(d, protocol: .random811, seed: 1)
        let v = RankingEvaluator(split: s, phase: .validation, seed: 1)
        let context = TrainingContext(dataset: d, split: s, graph: try d.graph(interactions: s.train), productText: nil,
                                      seed: 5, validate: { v.evaluate($0).metrics["ndcg@10"] ?? 0 })
        var runs: [Int] = []
        for steps in [0, 40] {
            var options = Evaluation.Options()
            options.bpr.dimension = 8
            options.bpr.batchSize = 4096  // every training pair in one batch: one step per epoch
            options.bpr.maximumEpochs = 300
            options.bpr.patience = 3
            options.bpr.patienceSteps = steps
            let model = try #require(try Evaluation.makeModel("bpr-mf", options: options) as? BPREmbeddingModel)
            try model.fit(context)
            runs.append(model.epochSeconds.count)
        }
        // Without the floor it stops 3 epochs after some best epoch; with it, at least 40 after one.
        #expect(runs[1] >= 41, "\(runs)")
        #expect(runs[1] > runs[0], "\(runs)")
    }
}
