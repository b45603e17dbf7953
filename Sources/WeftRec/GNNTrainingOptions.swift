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
    /// Learning rate of the ID embeddings.
    public var learningRate: Float = 1e-3
    /// The transforms' (attention, messages, update, text projection, gate)
    /// learning rate as a multiple of `learningRate`.
    public var transformLearningRateScale: Float = 1
    /// Training pairs per step.
    public var batchSize = 4096
    /// Neighbours drawn per relation at each hop (one entry per layer; −1: all).
    public var fanouts = [10, 5]
    public var maximumEpochs = 200
    /// Validation evaluations without a better NDCG@10 before stopping.
    public var patience = 10
    /// Optimiser steps without a better validation NDCG@10 before stopping,
    /// on top of `patience` (0: `patience` alone). See `EarlyStopping`.
    public var patienceSteps = EarlyStopping.defaultPatienceSteps
    public var evaluateEvery = 1
    /// AdamW's decoupled weight decay (0: plain Adam).
    public var weightDecay: Float = 0
    /// Leave each batch's own (user, product) edges out of its subgraph, so
    /// the model cannot read the answer off the graph. LightGCN keeps them.
    public var excludeBatchEdges = true
    /// Global gradient-norm clip (0: none).
    public var gradientClip: Float = 5
    /// λ of LightGCN's L2 term on the batch's ID embeddings under BPR:
    /// λ/(2B) Σ_batch (‖e_u‖² + ‖e_i‖² + ‖e_j‖²). 1e-3, ten times
    /// LightGCN's: the choice of validation NDCG@10 on LastFM (1e-4 / 3e-4 /
    /// 1e-3 / 3e-3: 0.1785 / 0.1805 / 0.1834 / 0.1774), level on the Amazon
    /// cuts (docs/RESULTS.md).
    public var regularization: Float = 1e-3
    /// λ of the contrastive regulariser on the collaborative pathway
    /// (SimGCL): two noisy views of the propagated ID embeddings, and an
    /// InfoNCE loss that asks each batch user (and positive product) to
    /// find its own other view among the batch's; 0: off.
    public var contrastiveWeight: Float = 0
    /// ε, the length of the noise added to every propagated row of a view.
    public var contrastiveNoise: Float = 0.1
    /// τ of the contrastive InfoNCE (cosine / τ).
    public var contrastiveTemperature: Float = 0.2
    /// Probability that a product of a BPR batch (positive or negative) is
    /// trained as a cold product: its ID view and collaborative term are
    /// zero and every one of its interaction edges is left out of the
    /// batch's sampled subgraph, so the attention layers see it as they see
    /// a product nobody has bought (ID dropout alone leaves its buyers among
    /// its neighbours). 0: off.
    public var coldSimulation: Float = 0

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case objective, temperature, learningRate, transformLearningRateScale, batchSize, fanouts, maximumEpochs,
             patience, patienceSteps, evaluateEvery, weightDecay, excludeBatchEdges, gradientClip, regularization,
             contrastiveWeight, contrastiveNoise, contrastiveTemperature, coldSimulation
    }

    /// Settings saved before a field existed read as that field's default
    /// (`regularization` and `patienceSteps` as 0, which those models
    /// trained with).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        objective = try c.decodeIfPresent(Objective.self, forKey: .objective) ?? objective
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? temperature
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? learningRate
        transformLearningRateScale = try c.decodeIfPresent(Float.self, forKey: .transformLearningRateScale)
            ?? transformLearningRateScale
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        fanouts = try c.decodeIfPresent([Int].self, forKey: .fanouts) ?? fanouts
        maximumEpochs = try c.decodeIfPresent(Int.self, forKey: .maximumEpochs) ?? maximumEpochs
        patience = try c.decodeIfPresent(Int.self, forKey: .patience) ?? patience
        // Written before it existed: those models stopped on `patience` alone.
        patienceSteps = try c.decodeIfPresent(Int.self, forKey: .patienceSteps) ?? 0
        evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? evaluateEvery
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? weightDecay
        excludeBatchEdges = try c.decodeIfPresent(Bool.self, forKey: .excludeBatchEdges) ?? excludeBatchEdges
        gradientClip = try c.decodeIfPresent(Float.self, forKey: .gradientClip) ?? gradientClip
        regularization = try c.decodeIfPresent(Float.self, forKey: .regularization) ?? 0
        contrastiveWeight = try c.decodeIfPresent(Float.self, forKey: .contrastiveWeight) ?? contrastiveWeight
        contrastiveNoise = try c.decodeIfPresent(Float.self, forKey: .contrastiveNoise) ?? contrastiveNoise
        contrastiveTemperature = try c.decodeIfPresent(Float.self, forKey: .contrastiveTemperature)
            ?? contrastiveTemperature
        coldSimulation = try c.decodeIfPresent(Float.self, forKey: .coldSimulation) ?? coldSimulation
    }
}
