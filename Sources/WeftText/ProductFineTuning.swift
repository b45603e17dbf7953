import Foundation
import WeftNN

/// Fine-tuning an encoder on product text, in two phases:
///
/// 1. domain-adaptive masked-LM training on the text of the training
///    products (titles, descriptions, reviews) and any extra domain text;
/// 2. contrastive sentence-embedding training (`ContrastiveFineTuner`) on
///    real pairs of the training products.
///
/// Products are split by a hash of their id; the held-out ones (their text,
/// reviews and links) take no part in either phase and are used only for
/// the retrieval evaluation, run before, between and after the phases.
public final class ProductFineTuning {
    public struct Configuration: Sendable {
        public var datasetDirectories: [URL]
        /// Extra text files or folders for the masked-LM phase (one document per line).
        public var extraTextPaths: [String] = []
        public var heldOutFraction = 0.2
        public var languageModelSteps = 500
        public var languageModel = PretrainingOptions()
        public var contrastive = ContrastiveOptions()
        /// Dropout during fine-tuning (the presets pretrain without it).
        public var dropout: Float = 0.1
        public var recallCutoff = 10

        public init(datasetDirectories: [URL]) {
            self.datasetDirectories = datasetDirectories
            languageModel.steps = languageModelSteps
            languageModel.peakLearningRate = 1e-4
            languageModel.warmupSteps = 50
        }
    }

    /// Where a run writes its checkpoints and what goes into them.
    public struct Checkpointing: Sendable {
        public var directory: URL
        /// Optimizer steps between checkpoints within a phase (0: only the one
        /// at the boundary between the phases).
        public var every: Int
        public var pooling: PoolingSettings
        public var tokenizerFile: URL?
        /// The run's settings: stored in every checkpoint and compared on resume.
        public var settings: [String: String]
        /// Checkpoints kept (the newest).
        public var keep = 2

        public init(directory: URL, every: Int, pooling: PoolingSettings, tokenizerFile: URL?, settings: [String: String]) {
            self.directory = directory
            self.every = every
            self.pooling = pooling
            self.tokenizerFile = tokenizerFile
            self.settings = settings
        }
    }

    /// `trainer-state.json` of a fine-tuning checkpoint: the phase and its
    /// data position and generator, the retrieval figures measured so far,
    /// and the settings. The weights and the phase's optimizer moments are
    /// beside it (`TrainingCheckpoint`).
    public struct CheckpointState: Sendable, Codable, Equatable {
        public enum Phase: String, Sendable, Codable { case languageModel = "masked_language_model", contrastive }
        public var phase: Phase
        public var languageModel: PretrainingProgress?
        public var contrastive: ContrastiveFineTuner.Progress?
        public var retrieval: [String: RetrievalReport]
        public var seconds: Double
        public var settings: [String: String]
    }

    public enum Event {
        case loaded(products: Int, trainingProducts: Int, heldOutProducts: Int, pairs: [TextPair.Kind: Int], languageModelTokens: Int)
        case resumed(from: URL, phase: CheckpointState.Phase, step: Int)
        case checkpoint(URL)
        case evaluated(phase: String, RetrievalReport)
        case languageModelStep(PretrainingStepReport)
        case contrastiveStep(step: Int, loss: Float, accuracy: Double, learningRate: Float, pairs: Int)
    }

    /// Everything the run measured, written as `finetune-report.json`.
    public struct Report: Sendable, Codable {
        public var products: Int
        public var trainingProducts: Int
        public var heldOutProducts: Int
        public var pairs: [String: Int]
        public var languageModelTokens: Int
        public var languageModelSteps: Int
        public var contrastiveSteps: Int
        public var seconds: Double
        public var retrieval: [String: RetrievalReport]
        enum CodingKeys: String, CodingKey {
            case products, pairs, seconds, retrieval
            case trainingProducts = "training_products"
            case heldOutProducts = "held_out_products"
            case languageModelTokens = "language_model_tokens"
            case languageModelSteps = "language_model_steps"
            case contrastiveSteps = "contrastive_steps"
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) { self.configuration = configuration }

    /// A copy of `encoder` whose dropout is `probability` (same weights, same head).
    public static func withDropout(_ encoder: TransformerEncoder, probability: Float) throws -> TransformerEncoder {
        var config = encoder.config
        config.hiddenDropoutProbability = probability
        config.attentionDropoutProbability = probability
        let copy = try TransformerEncoder.placeholder(config: config, languageModelHead: encoder.languageModelHead != nil)
        let source = Dictionary(uniqueKeysWithValues: encoder.namedParameters().map { ($0.name, $0.parameter) })
        for (name, parameter) in copy.namedParameters() {
            guard let from = source[name] else { throw EncoderError.invalidInput(reason: "no parameter \(name) to copy") }
            parameter.value.assign(from.value)
        }
        return copy
    }

    /// Runs both phases on `encoder` (changed in place) and returns the report.
    ///
    /// With `checkpointing`, a checkpoint is written every `every` steps of
    /// each phase and at the boundary between them (after the masked-LM
    /// phase's evaluation). With `resumeFrom` (one of those checkpoints, whose
    /// weights `encoder` must already hold, e.g. from `EncoderCheckpoint.load`),
    /// the run continues where it stopped and ends as an uninterrupted run would.
    public func run(encoder: TransformerEncoder, tokenizer: any Tokenizer, checkpointing: Checkpointing? = nil,
                    resumeFrom: URL? = nil, onEvent: (Event) -> Void = { _ in }) throws -> Report {
        let start = Date()
        var restored: CheckpointState?
        if let resumeFrom {
            let state = try TrainingCheckpoint.loadState(CheckpointState.self, from: resumeFrom)
            if let settings = checkpointing?.settings, settings != state.settings {
                let keys = Set(settings.keys).union(state.settings.keys).sorted().filter { settings[$0] != state.settings[$0] }
                throw TrainingError.incompatibleCheckpoint(
                    directory: resumeFrom.path,
                    reason: "it was made with other settings: "
                        + keys.map { "\($0) \(state.settings[$0] ?? "unset") (now \(settings[$0] ?? "unset"))" }.joined(separator: ", "))
            }
            restored = state
        }
        let earlierSeconds = restored?.seconds ?? 0
        let dataset = try ProductTextDataset.load(directories: configuration.datasetDirectories)
        guard !dataset.products.isEmpty else { throw TrainingError.insufficientData(reason: "the datasets hold no products") }
        let (training, heldOut) = dataset.split(heldOutFraction: configuration.heldOutFraction)
        let pairs = TextPair.pairs(from: dataset, products: training)
        var texts: [String] = []
        for p in dataset.products where training.contains(p.id) {
            if let text = p.text { texts.append(text) }
            texts += p.reviews
        }
        if !configuration.extraTextPaths.isEmpty {
            try TextCorpus(paths: configuration.extraTextPaths).forEachLine { line in
                texts.append(line)
                return true
            }
        }
        let corpus = try PretrainingCorpus.tokenizing(texts, tokenizer: tokenizer)
        onEvent(.loaded(products: dataset.products.count, trainingProducts: training.count, heldOutProducts: heldOut.count,
                        pairs: Dictionary(grouping: pairs, by: \.kind).mapValues(\.count),
                        languageModelTokens: corpus.tokens.count))

        var retrieval = restored?.retrieval ?? [:]
        func save(_ phase: CheckpointState.Phase, languageModel: PretrainingProgress? = nil,
                  contrastive: ContrastiveFineTuner.Progress? = nil, step: Int, optimizer: AdamW) throws {
            guard let checkpointing else { return }
            let state = CheckpointState(phase: phase, languageModel: languageModel, contrastive: contrastive,
                                        retrieval: retrieval, seconds: earlierSeconds + Date().timeIntervalSince(start),
                                        settings: checkpointing.settings)
            let url = try TrainingCheckpoint.save(encoder: encoder, optimizer: optimizer, state: state, step: step,
                                                  pooling: checkpointing.pooling, tokenizerFile: checkpointing.tokenizerFile,
                                                  in: checkpointing.directory, keep: checkpointing.keep)
            onEvent(.checkpoint(url))
        }
        func due(_ step: Int, of steps: Int) -> Bool {
            guard let every = checkpointing?.every, every > 0 else { return false }
            return step % every == 0 && step < steps
        }
        func moments(_ url: URL) throws -> (String) throws -> Tensor? {
            let file = try TrainingCheckpoint.optimizerMoments(from: url)
            return { name in file.contains(name) ? try file.tensor(named: name) : nil }
        }
        func evaluate(_ phase: String) throws {
            let pooling = PoolingSettings(mode: .mean, normalize: true, maximumLength: configuration.contrastive.maximumLength)
            let embedder = try TextEmbedder(encoder: encoder, tokenizer: tokenizer, pooling: pooling, batchSize: 32)
            let report = try RetrievalEvaluator.evaluate(embedder, dataset: dataset, products: heldOut,
                                                         k: configuration.recallCutoff)
            retrieval[phase] = report
            onEvent(.evaluated(phase: phase, report))
        }
        if retrieval["before"] == nil { try evaluate("before") }

        var lmOptions = configuration.languageModel
        lmOptions.steps = configuration.languageModelSteps
        let lmSteps = configuration.languageModelSteps
        if lmSteps > 0 && restored?.phase != .contrastive {
            guard encoder.languageModelHead != nil else {
                throw TrainingError.invalidOption(name: "--mlm-steps", reason: "the model has no masked-LM head; pass --mlm-steps 0")
            }
            let trainer = try MaskedLanguageModelTrainer(encoder: encoder, corpus: corpus,
                                                         specialTokenIds: tokenizer.specialTokenIds, options: lmOptions)
            if let resumeFrom, let progress = restored?.languageModel {
                try trainer.restore(progress: progress, moments: try moments(resumeFrom))
                onEvent(.resumed(from: resumeFrom, phase: .languageModel, step: progress.step))
            }
            while !trainer.isFinished {
                onEvent(.languageModelStep(try trainer.step()))
                if due(trainer.progress.step, of: lmSteps) {
                    try save(.languageModel, languageModel: trainer.progress, step: trainer.progress.step,
                             optimizer: trainer.optimizer)
                }
            }
            for p in encoder.parameters { p.grad = nil }
            try evaluate("after_masked_language_model")
        }

        let contrastiveSteps = configuration.contrastive.steps
        if contrastiveSteps > 0 {
            let tuner = try ContrastiveFineTuner(encoder: encoder, tokenizer: tokenizer, pairs: pairs,
                                                 options: configuration.contrastive)
            if let resumeFrom, restored?.phase == .contrastive, let progress = restored?.contrastive {
                try tuner.restore(progress: progress, moments: try moments(resumeFrom))
                onEvent(.resumed(from: resumeFrom, phase: .contrastive, step: progress.step))
            } else if lmSteps > 0 {
                // The boundary: a resumed run skips the masked-LM phase and its evaluation.
                try save(.contrastive, contrastive: tuner.progress, step: lmSteps, optimizer: tuner.optimizer)
            }
            while tuner.step < contrastiveSteps {
                let (loss, accuracy) = try tuner.trainStep()
                onEvent(.contrastiveStep(step: tuner.step, loss: loss, accuracy: accuracy,
                                         learningRate: tuner.optimizer.learningRate, pairs: configuration.contrastive.batchSize))
                if due(tuner.step, of: contrastiveSteps) {
                    try save(.contrastive, contrastive: tuner.progress, step: lmSteps + tuner.step, optimizer: tuner.optimizer)
                }
            }
            try evaluate("after_contrastive")
        }
        return Report(products: dataset.products.count, trainingProducts: training.count, heldOutProducts: heldOut.count,
                      pairs: Dictionary(grouping: pairs, by: \.kind.rawValue).mapValues(\.count),
                      languageModelTokens: corpus.tokens.count, languageModelSteps: configuration.languageModelSteps,
                      contrastiveSteps: configuration.contrastive.steps,
                      seconds: earlierSeconds + Date().timeIntervalSince(start), retrieval: retrieval)
    }
}
