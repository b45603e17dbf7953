/// Settings of `WeftGNNRecommender` training.
public struct GNNTrainingOptions: Sendable, Codable, Equatable {
    public enum Objective: String, Sendable, Codable, Equatable, CaseIterable {
        /// −log σ(⟨z_u, z_i⟩ − ⟨z_u, z_j⟩) with one uniform negative j per positive.
        case bpr
        /// Softmax over the batch's positive products (in-batch negatives) of
        /// cosine similarities divided by `temperature`.
        case sampledSoftmax = "sampled-softmax"
    }

    public var objective = Objective.bpr
    /// τ of the sampled softmax.
    public var temperature: Float = 0.1
    public var learningRate: Float = 1e-3
    /// Training pairs per step.
    public var batchSize = 4096
    /// Neighbours drawn per relation at each hop (one entry per layer; −1: all).
    public var fanouts = [10, 5]
    public var maximumEpochs = 200
    /// Validation evaluations without a better NDCG@10 before stopping.
    public var patience = 10
    public var evaluateEvery = 1
    /// AdamW's decoupled weight decay (0: plain Adam).
    public var weightDecay: Float = 0
    /// Leave each batch's own (user, product) edges out of its subgraph, so
    /// the model cannot read the answer off the graph. LightGCN keeps them.
    public var excludeBatchEdges = true
    /// Global gradient-norm clip (0: none).
    public var gradientClip: Float = 5

    public init() {}
}
