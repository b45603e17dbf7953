import Foundation
import WeftNN

/// Where a pretraining run is: everything besides the weights and the
/// optimizer's moments that the next step depends on.
public struct PretrainingProgress: Sendable, Codable, Equatable {
    /// Optimizer steps taken.
    public var step = 0
    /// Passes over the training sequences begun (the data order of epoch e is a permutation seeded by (seed, e)).
    public var epoch = 0
    /// Sequences of the current epoch already used.
    public var positionInEpoch = 0
    /// Draws masking and dropout.
    public var generator: SeededGenerator
    /// Real tokens fed to the encoder so far.
    public var tokensSeen = 0
    /// Seconds spent training, summed over resumed runs.
    public var trainingSeconds: Double = 0

    public init(seed: UInt64) {
        generator = SeededGenerator(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
}

/// One optimizer step's figures.
public struct PretrainingStepReport: Sendable {
    /// The step just taken (1-based).
    public let step: Int
    /// Mean masked-LM cross-entropy over the step's micro-batches.
    public let loss: Double
    /// Fraction of masked tokens predicted right.
    public let maskedAccuracy: Double
    public let learningRate: Float
    /// Global gradient norm before clipping.
    public let gradientNorm: Float
    /// Real tokens in the step's batches.
    public let tokens: Int
    /// Masked tokens predicted.
    public let predictions: Int
}

/// Masked-LM pretraining of a `TransformerEncoder` on a packed corpus:
/// AdamW with warm-up and decay, global-norm clipping, gradient accumulation,
/// and the head's logits only at the chosen positions.
///
/// Every random choice comes from `options.seed` and `progress`, so a run
/// restored from a checkpoint (weights, moments, `progress`) continues
/// exactly as the uninterrupted run would have.
public final class MaskedLanguageModelTrainer {
    public let encoder: TransformerEncoder
    public let corpus: PretrainingCorpus
    public let options: PretrainingOptions
    public let masker: TokenMasker
    public let optimizer: AdamW
    public private(set) var progress: PretrainingProgress
    private let schedule: LearningRateSchedule
    private let sequenceCount: Int
    private var order: [Int] = []

    public init(encoder: TransformerEncoder, corpus: PretrainingCorpus, specialTokenIds: SpecialTokenIds,
                options: PretrainingOptions) throws {
        guard encoder.languageModelHead != nil else {
            throw TrainingError.invalidOption(name: "model", reason: "the encoder has no masked-language-model head")
        }
        try options.validate(for: encoder.config)
        self.encoder = encoder
        self.corpus = corpus
        self.options = options
        masker = try TokenMasker(specialTokenIds: specialTokenIds, vocabularySize: encoder.config.vocabularySize,
                                 policy: options.masking)
        optimizer = AdamW(parameters: encoder.namedParameters(), learningRate: options.peakLearningRate,
                          beta2: options.beta2, eps: options.epsilon, weightDecay: options.weightDecay)
        schedule = options.schedule
        sequenceCount = corpus.sequenceCount(length: options.maximumLength)
        guard sequenceCount > 0 else { throw TrainingError.insufficientData(reason: "the training corpus is empty") }
        progress = PretrainingProgress(seed: options.seed)
        order = epochOrder(0)
    }

    /// Continues from a checkpoint's progress and optimizer moments (`lookup` by moment name).
    public func restore(progress: PretrainingProgress, moments lookup: (String) throws -> Tensor?) throws {
        try optimizer.loadMoments(lookup, step: progress.step)
        self.progress = progress
        order = epochOrder(progress.epoch)
    }

    public var isFinished: Bool { progress.step >= options.steps }

    /// The data order of `epoch`: a permutation of the sequences seeded by (seed, epoch).
    private func epochOrder(_ epoch: Int) -> [Int] {
        var rng = SeededGenerator(seed: options.seed &+ 0xA076_1D64_78BD_642F &* UInt64(epoch + 1))
        return rng.permutation(sequenceCount)
    }

    private func nextSequences(_ count: Int) -> [[Int32]] {
        (0..<count).map { _ in
            if progress.positionInEpoch == order.count {
                progress.epoch += 1
                progress.positionInEpoch = 0
                order = epochOrder(progress.epoch)
            }
            let index = order[progress.positionInEpoch]
            progress.positionInEpoch += 1
            return corpus.sequence(index, length: options.maximumLength)
        }
    }

    /// One optimizer step over `gradientAccumulation` micro-batches.
    @discardableResult
    public func step() throws -> PretrainingStepReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let k = options.gradientAccumulation
        let seed = Tensor([1 / Float(k)], shape: [1])
        var loss = 0.0, correct = 0, predictions = 0, tokens = 0
        for _ in 0..<k {
            let batch = try masker.makeBatch(nextSequences(options.batchSize), using: &progress.generator)
            let tape = Tape()
            let (l, _, hits) = try encoder.maskedLanguageModelLoss(batch, tape: tape, training: true,
                                                                   using: &progress.generator)
            loss += Double(l.value.data[0])
            correct += hits
            predictions += batch.labels.count
            tokens += batch.tokenCount
            tape.backward(l, seed: seed)
        }
        let parameters = encoder.parameters
        let norm = clipGradientNorm(parameters, maxNorm: options.maximumGradientNorm)
        let rate = schedule.learningRate(at: progress.step)
        optimizer.learningRate = rate
        optimizer.update()
        for p in parameters { p.zeroGrad() }
        progress.step += 1
        progress.tokensSeen += tokens
        progress.trainingSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return PretrainingStepReport(step: progress.step, loss: loss / Double(k),
                                     maskedAccuracy: predictions > 0 ? Double(correct) / Double(predictions) : 0,
                                     learningRate: rate, gradientNorm: norm, tokens: tokens, predictions: predictions)
    }
}

/// Masked accuracy and perplexity of an encoder on packed text, with a
/// masking fixed by a seed (each sequence masked by its own generator, so the
/// result does not depend on the batch size).
public enum MaskedLanguageModelEvaluator {
    public static func evaluate(_ encoder: TransformerEncoder, corpus: PretrainingCorpus, maximumLength: Int,
                                masker: TokenMasker, seed: UInt64, maximumSequences: Int? = nil,
                                batchSize: Int = 32) throws -> MaskedPredictionTally {
        let count = min(corpus.sequenceCount(length: maximumLength), maximumSequences ?? .max)
        var tally = MaskedPredictionTally()
        var rng = SeededGenerator(seed: 0)
        var first = 0
        while first < count {
            let end = min(count, first + batchSize)
            let sequences = (first..<end).map { corpus.sequence($0, length: maximumLength) }
            let batch = try masker.makeDeterministicBatch(sequences, seed: seed, firstIndex: first)
            if !batch.positions.isEmpty {
                let (loss, _, correct) = try encoder.maskedLanguageModelLoss(batch, tape: .inference, training: false,
                                                                             using: &rng)
                tally.add(predictions: batch.labels.count, correct: correct, meanLoss: loss.value.data[0],
                          tokens: batch.tokenCount)
            } else {
                tally.tokens += batch.tokenCount
            }
            first = end
        }
        return tally
    }
}
