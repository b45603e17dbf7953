/// Settings of BPR training for the embedding baselines. Defaults follow
/// the LightGCN paper and RecBole-GNN's LastFM runs: dimension 64, Adam
/// with learning rate 1e-3, batch 4096, L2 1e-4 on the batch's ego
/// embeddings, validation NDCG@10 after every epoch, stop after 50
/// evaluations and 500 optimiser steps without improvement and keep the
/// best epoch.
public struct BPRTrainingOptions: Sendable, Codable, Equatable {
    public var dimension = 64
    public var learningRate: Float = 1e-3
    public var batchSize = 4096
    /// λ in λ/(2B) · Σ_batch (‖e_u‖² + ‖e_i‖² + ‖e_j‖²).
    public var regularization: Float = 1e-4
    public var maximumEpochs = 1000
    /// Evaluations without a better validation NDCG@10 before stopping.
    public var patience = 50
    /// Optimiser steps without a better validation NDCG@10 before stopping,
    /// on top of `patience` (0: `patience` alone). See `EarlyStopping`.
    public var patienceSteps = EarlyStopping.defaultPatienceSteps
    public var evaluateEvery = 1

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case dimension, learningRate, batchSize, regularization, maximumEpochs, patience, patienceSteps, evaluateEvery
    }

    /// Settings written before `patienceSteps` existed read it as 0: those
    /// models stopped on `patience` alone.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dimension = try c.decodeIfPresent(Int.self, forKey: .dimension) ?? dimension
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? learningRate
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        regularization = try c.decodeIfPresent(Float.self, forKey: .regularization) ?? regularization
        maximumEpochs = try c.decodeIfPresent(Int.self, forKey: .maximumEpochs) ?? maximumEpochs
        patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? patience
        patienceSteps = try c.decodeIfPresent(Int.self, forKey: .patienceSteps) ?? 0
        evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? evaluateEvery
    }
}
