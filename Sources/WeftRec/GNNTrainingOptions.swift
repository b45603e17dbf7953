/// Settings of `WeftGNNRecommender` training.
public struct GNNTrainingOptions: Sendable, Codable, Equatable {
    public var learningRate: Float = 1e-3
    /// BPR triplets per step.
    public var batchSize = 1024
    /// Neighbours drawn per relation at each hop (one entry per layer; −1: all).
    public var fanouts = [10, 5]
    public var maximumEpochs = 200
    /// Validation evaluations without a better NDCG@10 before stopping.
    public var patience = 10
    public var evaluateEvery = 1
    /// AdamW's decoupled weight decay (0: plain Adam).
    public var weightDecay: Float = 0
    /// Global gradient-norm clip (0: none).
    public var gradientClip: Float = 5

    public init() {}
}
