import Foundation

/// Shared machinery of the ID-embedding baselines trained with BPR: one
/// table of ego embeddings E⁰ (U + P, D), users first, then products; a
/// model-specific `propagate` from E⁰ to the final embeddings E; and
/// score(u, p) = ⟨E_u, E_{U+p}⟩.
///
/// Loss per batch of B triplets (u, i, j), as the LightGCN paper:
///   L = −(1/B) Σ log σ(⟨E_u, E_i⟩ − ⟨E_u, E_j⟩) + λ/(2B) Σ (‖E⁰_u‖² + ‖E⁰_i‖² + ‖E⁰_j‖²)
/// minimised with Adam.
public class BPREmbeddingModel: Recommender {
    public let name: String
    public let options: BPRTrainingOptions
    /// (U + P, D) ego embeddings.
    public private(set) var table = Variable(Tensor(zeros: [0, 0]), requiresGrad: true, name: "embedding")
    public private(set) var userCount = 0
    public private(set) var productCount = 0
    /// Final embeddings of the best epoch, for scoring: (U + P, D).
    private var final = Tensor(zeros: [0, 0])
    /// Seconds per epoch of the last `fit` (training steps only).
    public private(set) var epochSeconds: [Double] = []

    init(name: String, options: BPRTrainingOptions) {
        self.name = name
        self.options = options
    }

    /// E from E⁰ on `tape`: the identity for matrix factorisation.
    func propagate(_ ego: Variable, tape: Tape) -> Variable { ego }

    /// Called once before training with the training context.
    func prepare(_ context: TrainingContext) throws {}

    public func fit(_ context: TrainingContext) throws {
        try prepare(context)
        userCount = context.split.userCount
        productCount = context.split.productCount
        var rng = SeededGenerator(seed: context.seed)
        let d = options.dimension
        // Xavier-uniform per table (bound √(6 / (rows + D))), as RecBole initialises nn.Embedding.
        let ego = Tensor(uninitialized: [userCount + productCount, d])
        let userBound = (6 / Float(userCount + d)).squareRoot(), itemBound = (6 / Float(productCount + d)).squareRoot()
        for r in 0..<(userCount + productCount) {
            let bound = r < userCount ? userBound : itemBound
            for k in 0..<d { ego.data[r * d + k] = (2 * rng.nextUniform() - 1) * bound }
        }
        table = Variable(ego, requiresGrad: true, name: "embedding")
        let optimizer = AdamW(parameters: [("embedding", table)], learningRate: options.learningRate, weightDecay: 0)
        let sampler = TripletSampler(split: context.split, adjacency: context.trainAdjacency)

        let bestTable = ego.copy()
        var stopping = EarlyStopping()
        epochSeconds = []
        for epoch in 1...options.maximumEpochs {
            let started = Date()
            var lossSum = 0.0, batches = 0
            for batch in sampler.epoch(batchSize: options.batchSize, using: &rng) {
                lossSum += Double(trainingStep(batch.users, batch.positives, batch.negatives))
                batches += 1
                optimizer.update()
                table.zeroGrad()
            }
            stopping.stepped(batches)
            epochSeconds.append(Date().timeIntervalSince(started))
            guard epoch % options.evaluateEvery == 0 || epoch == options.maximumEpochs else { continue }
            refresh()
            let score = context.validate(self)
            context.log(String(format: "%@ epoch %d: loss %.4f, validation ndcg@10 %.4f, %.2f s/epoch", name, epoch,
                               lossSum / Double(Swift.max(batches, 1)), score, epochSeconds.last!))
            if stopping.evaluated(score, epoch: epoch) { bestTable.assign(table.value) }
            if stopping.exhausted(patience: options.patience, patienceSteps: options.patienceSteps) { break }
        }
        table.value.assign(bestTable)
        refresh()
    }

    /// One batch: adds ∂L/∂E⁰ to `table`'s gradient and returns L. Through
    /// the tape here; LightGCN overrides it with a fused step.
    func trainingStep(_ users: [Int32], _ positives: [Int32], _ negatives: [Int32]) -> Float {
        let tape = Tape()
        let loss = bprLoss(users, positives, negatives, tape: tape)
        tape.backward(loss)
        return loss.value.scalar
    }

    /// The BPR loss plus L2 on the batch's ego embeddings (see the type's doc).
    func bprLoss(_ users: [Int32], _ positives: [Int32], _ negatives: [Int32], tape: Tape) -> Variable {
        let offset = Int32(userCount)
        let itemsP = positives.map { $0 + offset }, itemsN = negatives.map { $0 + offset }
        let e = propagate(table, tape: tape)
        let u = tape.gatherRows(e, ids: users)                  // (B, D)
        let p = tape.gatherRows(e, ids: itemsP)                 // (B, D)
        let n = tape.gatherRows(e, ids: itemsN)                 // (B, D)
        let margin = tape.sub(tape.rowDot(u, p), tape.rowDot(u, n))  // (B, 1)
        let ranking = tape.scale(tape.mean(tape.logSigmoid(margin)), -1)
        guard options.regularization > 0 else { return ranking }
        let egoRows = tape.gatherRows(table, ids: users + itemsP + itemsN)  // (3B, D)
        let squares = tape.sum(tape.rowDot(egoRows, egoRows))
        return tape.add(ranking, tape.scale(squares, options.regularization / Float(2 * users.count)))
    }

    /// Recomputes the final embeddings used for scoring.
    func refresh() {
        final = propagate(Variable(table.value), tape: Tape.inference).value
    }

    /// Sets the table and sizes without training (gradient checks use it).
    func setStateForTest(table: Variable, userCount: Int) {
        self.table = table
        self.userCount = userCount
        productCount = table.value.rowCount - userCount
    }

    /// (U, D) user and (P, D) product embeddings used for scoring.
    public var userEmbeddings: Tensor { final.rows(0..<userCount) }
    public var productEmbeddings: Tensor { final.rows(userCount..<(userCount + productCount)) }

    public func scores(users: [Int32]) -> Tensor {
        let d = final.lastDimension
        let chosen = Tensor(uninitialized: [users.count, d])
        users.withUnsafeBufferPointer { ids in
            Kernels.gatherRows(chosen.data, final.data, ids: ids.baseAddress!, count: users.count, cols: d)
        }
        return chosen.matmul(productEmbeddings, transposeOther: true)
    }
}

/// BPR matrix factorisation (Rendle et al. 2009): E = E⁰.
public final class BPRMatrixFactorization: BPREmbeddingModel {
    public init(options: BPRTrainingOptions = BPRTrainingOptions()) { super.init(name: "bpr-mf", options: options) }
}
