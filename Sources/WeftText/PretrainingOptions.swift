import WeftNN

/// The settings of a masked-LM pretraining run that decide its result; a
/// checkpoint stores them, and a resumed run must use the same ones.
public struct PretrainingOptions: Sendable, Codable, Equatable {
    /// Optimizer steps in the whole run.
    public var steps: Int = 10_000
    /// Sequences per micro-batch (B).
    public var batchSize: Int = 32
    /// Tokens per packed sequence, `[CLS]` and `[SEP]` included (T).
    public var maximumLength: Int = 128
    /// Micro-batches whose gradients are summed (and averaged) before each step.
    public var gradientAccumulation: Int = 1
    /// Learning rate at the end of warm-up.
    public var peakLearningRate: Float = 5e-4
    /// Steps of linear warm-up from 0.
    public var warmupSteps: Int = 500
    /// Decay after warm-up, to 0 at the last step.
    public var decay: LearningRateSchedule.Decay = .linear
    /// AdamW's decoupled weight decay (not applied to biases and LayerNorm weights).
    public var weightDecay: Float = 0.01
    /// AdamW's β₂: RoBERTa's 0.98 is steadier than BERT's 0.999 with small batches.
    public var beta2: Float = 0.98
    /// AdamW's ε.
    public var epsilon: Float = 1e-6
    /// Global gradient-norm clipping threshold.
    public var maximumGradientNorm: Float = 1
    /// Seeds initialisation, data order, masking and dropout.
    public var seed: UInt64 = 0
    /// Masking during training.
    public var masking: MaskingPolicy = .training

    public init() {}

    /// Micro-batch tokens per step at most: B · T · accumulation.
    public var tokensPerStep: Int { batchSize * maximumLength * gradientAccumulation }

    public var schedule: LearningRateSchedule {
        LearningRateSchedule(peak: peakLearningRate, warmupSteps: min(warmupSteps, steps), totalSteps: steps,
                             decay: decay)
    }

    public func validate(for config: BertConfig) throws(TrainingError) {
        func bad(_ name: String, _ reason: String) -> TrainingError { .invalidOption(name: name, reason: reason) }
        if steps <= 0 { throw bad("--steps", "must be positive, got \(steps)") }
        if batchSize <= 0 { throw bad("--batch-size", "must be positive, got \(batchSize)") }
        if maximumLength < 3 { throw bad("--max-length", "must leave room for text between [CLS] and [SEP], got \(maximumLength)") }
        if maximumLength > config.maximumPositionCount {
            throw bad("--max-length", "\(maximumLength) exceeds the model's \(config.maximumPositionCount) positions")
        }
        if gradientAccumulation <= 0 { throw bad("--grad-accum", "must be positive, got \(gradientAccumulation)") }
        if !(peakLearningRate > 0) { throw bad("--lr", "must be positive, got \(peakLearningRate)") }
        if warmupSteps < 0 { throw bad("--warmup", "must not be negative, got \(warmupSteps)") }
        if !(weightDecay >= 0) { throw bad("--weight-decay", "must not be negative, got \(weightDecay)") }
        if !(maximumGradientNorm > 0) { throw bad("--clip-norm", "must be positive, got \(maximumGradientNorm)") }
        if !(beta2 > 0 && beta2 < 1) { throw bad("beta2", "must be in (0, 1), got \(beta2)") }
        try masking.validate()
    }
}
