/// When validation-based training stops: after `patience` evaluations
/// without a better score *and* `patienceSteps` optimiser steps since the
/// best one.
///
/// Patience counted in evaluations alone (epochs) means very different
/// amounts of training on different data. On the full Beauty data an epoch
/// is 38 Adam steps, so 50 epochs are 1,900 steps; on an Amazon 2018 cut of
/// 1,600 training pairs an epoch is one step, so 50 epochs are 50 steps, in
/// which Adam moves no coordinate by much more than 50 × the learning rate
/// (0.05 at 1e-3). There, validation curves have early plateaus while the
/// training loss is still falling, and a 50-step patience stopped LightGCN
/// at epochs 66–184 with its training loss still 0.28–0.53 (BPR starts at
/// ln 2 ≈ 0.69), and some Weft runs at less than half the validation score
/// the same setting reached on another seed (docs/RESULTS.md, "Early stopping counted in
/// optimiser steps"). The step floor changes nothing where an epoch holds at least
/// `patienceSteps / patience` steps (LastFM: 19, full Beauty: 38–39, full
/// Ciao: 56–66).
public struct EarlyStopping: Sendable, Equatable {
    /// 500 steps, under the 950 that 50 epochs give on LastFM: only data
    /// with fewer than 10 steps per epoch at patience 50 (under about 41,000
    /// training pairs at batch 4096) train longer than before.
    public static let defaultPatienceSteps = 500

    /// Best validation score so far (−∞ before the first evaluation).
    public private(set) var best = -Double.infinity
    public private(set) var bestEpoch = 0
    /// Evaluations and optimiser steps since the best one.
    public private(set) var evaluationsSinceBest = 0
    public private(set) var stepsSinceBest = 0

    public init() {}

    /// A run's state as a checkpoint recorded it.
    public init(best: Double, bestEpoch: Int, evaluationsSinceBest: Int, stepsSinceBest: Int) {
        self.best = best
        self.bestEpoch = bestEpoch
        self.evaluationsSinceBest = evaluationsSinceBest
        self.stepsSinceBest = stepsSinceBest
    }

    /// Counts optimiser steps taken since the last evaluation.
    public mutating func stepped(_ steps: Int) { stepsSinceBest += steps }

    /// Records an evaluation; true when it is a new best (the caller keeps
    /// those weights).
    public mutating func evaluated(_ score: Double, epoch: Int) -> Bool {
        guard score > best else {
            evaluationsSinceBest += 1
            return false
        }
        best = score
        bestEpoch = epoch
        evaluationsSinceBest = 0
        stepsSinceBest = 0
        return true
    }

    /// Training should stop: `patience` evaluations and `patienceSteps`
    /// steps have passed since the best one (the limits are the training
    /// options', so a resumed run uses its own).
    public func exhausted(patience: Int, patienceSteps: Int) -> Bool {
        evaluationsSinceBest >= patience && stepsSinceBest >= patienceSteps
    }
}
