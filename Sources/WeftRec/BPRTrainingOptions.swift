/// Settings of BPR training for the embedding baselines. Defaults follow
/// the LightGCN paper and RecBole-GNN's LastFM runs: dimension 64, Adam
/// with learning rate 1e-3, batch 4096, L2 1e-4 on the batch's ego
/// embeddings, validation NDCG@10 after every epoch, stop after 50
/// evaluations without improvement and keep the best epoch.
public struct BPRTrainingOptions: Sendable, Codable, Equatable {
    public var dimension = 64
    public var learningRate: Float = 1e-3
    public var batchSize = 4096
    /// λ in λ/(2B) · Σ_batch (‖e_u‖² + ‖e_i‖² + ‖e_j‖²).
    public var regularization: Float = 1e-4
    public var maximumEpochs = 1000
    /// Evaluations without a better validation NDCG@10 before stopping.
    public var patience = 50
    public var evaluateEvery = 1

    public init() {}
}
