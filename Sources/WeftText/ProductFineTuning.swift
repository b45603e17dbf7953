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

    public enum Event {
        case loaded(products: Int, trainingProducts: Int, heldOutProducts: Int, pairs: [TextPair.Kind: Int], languageModelTokens: Int)
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
    public func run(encoder: TransformerEncoder, tokenizer: any Tokenizer,
                    onEvent: (Event) -> Void = { _ in }) throws -> Report {
        let start = Date()
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

        var retrieval: [String: RetrievalReport] = [:]
        func evaluate(_ phase: String) throws {
            let pooling = PoolingSettings(mode: .mean, normalize: true, maximumLength: configuration.contrastive.maximumLength)
            let embedder = try TextEmbedder(encoder: encoder, tokenizer: tokenizer, pooling: pooling, batchSize: 32)
            let report = try RetrievalEvaluator.evaluate(embedder, dataset: dataset, products: heldOut,
                                                         k: configuration.recallCutoff)
            retrieval[phase] = report
            onEvent(.evaluated(phase: phase, report))
        }
        try evaluate("before")

        var lmOptions = configuration.languageModel
        lmOptions.steps = configuration.languageModelSteps
        if configuration.languageModelSteps > 0 {
            guard encoder.languageModelHead != nil else {
                throw TrainingError.invalidOption(name: "--mlm-steps", reason: "the model has no masked-LM head; pass --mlm-steps 0")
            }
            let trainer = try MaskedLanguageModelTrainer(encoder: encoder, corpus: corpus,
                                                         specialTokenIds: tokenizer.specialTokenIds, options: lmOptions)
            while !trainer.isFinished { onEvent(.languageModelStep(try trainer.step())) }
            for p in encoder.parameters { p.grad = nil }
            try evaluate("after_masked_language_model")
        }

        if configuration.contrastive.steps > 0 {
            let tuner = try ContrastiveFineTuner(encoder: encoder, tokenizer: tokenizer, pairs: pairs,
                                                 options: configuration.contrastive)
            while tuner.step < configuration.contrastive.steps {
                let (loss, accuracy) = try tuner.trainStep()
                onEvent(.contrastiveStep(step: tuner.step, loss: loss, accuracy: accuracy,
                                         learningRate: tuner.optimizer.learningRate, pairs: configuration.contrastive.batchSize))
            }
            try evaluate("after_contrastive")
        }
        return Report(products: dataset.products.count, trainingProducts: training.count, heldOutProducts: heldOut.count,
                      pairs: Dictionary(grouping: pairs, by: \.kind.rawValue).mapValues(\.count),
                      languageModelTokens: corpus.tokens.count, languageModelSteps: configuration.languageModelSteps,
                      contrastiveSteps: configuration.contrastive.steps, seconds: Date().timeIntervalSince(start),
                      retrieval: retrieval)
    }
}
