import Foundation
import WeftNN

/// What a pretraining run reads and how it trains; written to the output
/// folder as `run.json` and into every checkpoint, and compared on resume.
public struct PretrainingRunConfiguration: Sendable, Codable, Equatable {
    /// Files, folders or zips of text, one document per line.
    public var corpusPaths: [String]
    /// Files or folders under `corpusPaths` left out.
    public var excluding: [String]
    public var heldOut: HeldOutSplit
    public var tokenizerFile: String
    public var preset: ModelPreset
    /// Post-LN (BERT) or pre-LN layers; runs from before this setting existed are post-LN.
    public var layerNormPlacement: LayerNormPlacement
    /// A model folder (with a masked-LM head, of the preset's shape) whose weights the run starts
    /// from instead of a random initialisation; nil for a run from scratch. The optimizer starts fresh.
    /// This is how a short-sequence first phase hands over to a full-length second phase.
    public var initialModel: String?
    public var options: PretrainingOptions

    public init(corpusPaths: [String], excluding: [String] = [], heldOut: HeldOutSplit, tokenizerFile: String,
                preset: ModelPreset, layerNormPlacement: LayerNormPlacement = .post, initialModel: String? = nil,
                options: PretrainingOptions) {
        self.corpusPaths = corpusPaths
        self.excluding = excluding
        self.heldOut = heldOut
        self.tokenizerFile = tokenizerFile
        self.preset = preset
        self.layerNormPlacement = layerNormPlacement
        self.initialModel = initialModel
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case corpusPaths, excluding, heldOut, tokenizerFile, preset, layerNormPlacement, initialModel, options
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        corpusPaths = try c.decode([String].self, forKey: .corpusPaths)
        excluding = try c.decode([String].self, forKey: .excluding)
        heldOut = try c.decode(HeldOutSplit.self, forKey: .heldOut)
        tokenizerFile = try c.decode(String.self, forKey: .tokenizerFile)
        preset = try c.decode(ModelPreset.self, forKey: .preset)
        layerNormPlacement = try c.decodeIfPresent(LayerNormPlacement.self, forKey: .layerNormPlacement) ?? .post
        initialModel = try c.decodeIfPresent(String.self, forKey: .initialModel)
        options = try c.decode(PretrainingOptions.self, forKey: .options)
    }

    /// Fields that differ from `other`, by option name. The step count may
    /// change on resume (the schedule is then re-planned), so it is not compared.
    func differences(from other: PretrainingRunConfiguration) -> [String] {
        var names: [String] = []
        if corpusPaths != other.corpusPaths { names.append("--corpus") }
        if excluding != other.excluding { names.append("--exclude") }
        if heldOut != other.heldOut { names.append("--held-out") }
        if tokenizerFile != other.tokenizerFile { names.append("--tokenizer") }
        if preset != other.preset { names.append("--preset") }
        if initialModel != other.initialModel { names.append("--init (\(other.initialModel ?? "none"))") }
        if layerNormPlacement != other.layerNormPlacement { names.append("--layer-norm (\(other.layerNormPlacement.rawValue))") }
        let a = options, b = other.options
        if a.batchSize != b.batchSize { names.append("--batch-size (\(b.batchSize))") }
        if a.maximumLength != b.maximumLength { names.append("--max-length (\(b.maximumLength))") }
        if a.gradientAccumulation != b.gradientAccumulation { names.append("--grad-accum (\(b.gradientAccumulation))") }
        if a.peakLearningRate != b.peakLearningRate { names.append("--lr (\(b.peakLearningRate))") }
        if a.warmupSteps != b.warmupSteps { names.append("--warmup (\(b.warmupSteps))") }
        if a.seed != b.seed { names.append("--seed (\(b.seed))") }
        var sameSteps = a
        sameSteps.steps = b.steps
        if sameSteps != b && names.isEmpty { names.append("optimizer settings") }
        return names
    }
}

/// `trainer-state.json` of a pretraining checkpoint.
public struct PretrainingCheckpointState: Sendable, Codable, Equatable {
    public var configuration: PretrainingRunConfiguration
    public var corpusFingerprint: String
    public var progress: PretrainingProgress
}

/// A whole pretraining run in an output folder:
///
///     OUT/run.json                 the configuration
///     OUT/corpus-cache/            tokenized training and held-out streams (reused by later runs)
///     OUT/checkpoints/step-…/      resumable checkpoints (the newest two are kept)
///     OUT/train-log.jsonl          one JSON object per step, evaluation and checkpoint
///     OUT/model/                   the final model folder, with summary.json
///
/// `run` stops cleanly when `shouldStop` turns true (a signal): it writes a
/// checkpoint first, and a later run with `resume` continues from it.
public final class PretrainingSession {
    public struct Schedule: Sendable {
        /// Steps between checkpoints (0: only at the end and on a stop).
        public var checkpointEvery = 500
        /// Steps between held-out evaluations (0: only at the end).
        public var evaluateEvery = 500
        /// Held-out sequences evaluated each time.
        public var evaluationSequences = 256
        /// Seeds the held-out masking.
        public var evaluationSeed: UInt64 = 1234
        /// Complete checkpoints kept.
        public var keepCheckpoints = 2

        public init() {}
    }

    public enum Event {
        case tokenizing(PretrainingCorpus.Progress)
        case corpusReady(trainingTokens: Int, heldOutTokens: Int, trainingSequences: Int, fromCache: Bool)
        case started(step: Int, resumedFrom: URL?, parameterCount: Int)
        /// A resumed run was given another step count: the learning-rate schedule now ends there.
        case replanned(fromSteps: Int, toSteps: Int)
        case stepped(PretrainingStepReport, PretrainingProgress)
        case evaluated(step: Int, MaskedPredictionTally)
        case checkpointed(step: Int, URL)
    }

    public enum Outcome: Equatable {
        /// The run reached its last step; the model folder.
        case completed(model: URL)
        /// Stopped early; the checkpoint to resume from.
        case interrupted(checkpoint: URL)
    }

    public let configuration: PretrainingRunConfiguration
    public let outputDirectory: URL
    public let schedule: Schedule
    public let resume: Bool

    public var checkpointsDirectory: URL { outputDirectory.appendingPathComponent("checkpoints") }
    public var modelDirectory: URL { outputDirectory.appendingPathComponent("model") }
    public var logURL: URL { outputDirectory.appendingPathComponent("train-log.jsonl") }

    public init(configuration: PretrainingRunConfiguration, outputDirectory: URL, schedule: Schedule = Schedule(),
                resume: Bool) {
        self.configuration = configuration
        self.outputDirectory = outputDirectory
        self.schedule = schedule
        self.resume = resume
    }

    public func run(shouldStop: () -> Bool = { false }, onEvent: (Event) -> Void = { _ in }) throws -> Outcome {
        let options = configuration.options
        let tokenizerURL = URL(fileURLWithPath: configuration.tokenizerFile)
        let tokenizer = try TokenizerLoader.load(path: configuration.tokenizerFile)
        let config = configuration.preset.config(vocabularySize: tokenizer.vocabularySize,
                                                 paddingTokenId: Int(tokenizer.specialTokenIds.padding ?? 0),
                                                 layerNormPlacement: configuration.layerNormPlacement)
        try options.validate(for: config)
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.unwritableFile(file: outputDirectory.path, reason: error.localizedDescription)
        }
        TrainingCheckpoint.removeUnfinished(in: checkpointsDirectory)
        TrainingCheckpoint.removeUnfinished(in: outputDirectory)

        var restored: (url: URL, state: PretrainingCheckpointState)?
        if resume {
            guard let latest = TrainingCheckpoint.latest(in: checkpointsDirectory) else {
                throw TrainingError.incompatibleCheckpoint(
                    directory: checkpointsDirectory.path, reason: "there is no checkpoint to resume; run without --resume")
            }
            let state = try TrainingCheckpoint.loadState(PretrainingCheckpointState.self, from: latest)
            let differences = configuration.differences(from: state.configuration)
            guard differences.isEmpty else {
                throw TrainingError.incompatibleCheckpoint(
                    directory: latest.path, reason: "it was made with other settings: \(differences.joined(separator: ", "))")
            }
            if state.progress.step > options.steps {
                throw TrainingError.invalidOption(
                    name: "--steps", reason: "the checkpoint is already at step \(state.progress.step), past \(options.steps)")
            }
            restored = (latest, state)
        } else if let existing = TrainingCheckpoint.latest(in: checkpointsDirectory) {
            throw TrainingError.invalidOption(
                name: "--out", reason: "\(outputDirectory.path) already holds checkpoint \(existing.lastPathComponent); "
                    + "pass --resume to continue it or choose another folder")
        }

        let corpora = try PretrainingCorpus.prepare(
            paths: configuration.corpusPaths, excluding: configuration.excluding, heldOut: configuration.heldOut,
            tokenizer: tokenizer, tokenizerFile: tokenizerURL,
            cacheDirectory: outputDirectory.appendingPathComponent("corpus-cache"),
            progress: { onEvent(.tokenizing($0)) })
        if let restored, restored.state.corpusFingerprint != corpora.fingerprint {
            throw TrainingError.incompatibleCheckpoint(
                directory: restored.url.path, reason: "the corpus or tokenizer files changed since it was written")
        }
        onEvent(.corpusReady(trainingTokens: corpora.training.tokens.count, heldOutTokens: corpora.heldOut.tokens.count,
                             trainingSequences: corpora.training.sequenceCount(length: options.maximumLength),
                             fromCache: corpora.fromCache))

        let encoder: TransformerEncoder
        if let restored {
            encoder = try EncoderCheckpoint.load(from: restored.url).encoder
            guard encoder.config == config else {
                throw TrainingError.incompatibleCheckpoint(directory: restored.url.path,
                                                           reason: "its config.json is not the \(configuration.preset) preset")
            }
        } else if let initialModel = configuration.initialModel {
            encoder = try Self.initialEncoder(from: initialModel, config: config, preset: configuration.preset)
            try writeJSON(configuration, to: outputDirectory.appendingPathComponent("run.json"))
        } else {
            encoder = try TransformerEncoder(config: config, languageModelHead: true, seed: options.seed)
            try writeJSON(configuration, to: outputDirectory.appendingPathComponent("run.json"))
        }
        let trainer = try MaskedLanguageModelTrainer(encoder: encoder, corpus: corpora.training,
                                                     specialTokenIds: tokenizer.specialTokenIds, options: options)
        if let restored {
            let moments = try TrainingCheckpoint.optimizerMoments(from: restored.url)
            try trainer.restore(progress: restored.state.progress) { name in
                moments.contains(name) ? try moments.tensor(named: name) : nil
            }
        }
        let evaluationMasker = try TokenMasker(specialTokenIds: tokenizer.specialTokenIds,
                                               vocabularySize: config.vocabularySize, policy: .evaluation)
        let pooling = PoolingSettings(mode: .mean, normalize: true, maximumLength: options.maximumLength)
        let log = try TrainingLog(url: logURL)
        onEvent(.started(step: trainer.progress.step, resumedFrom: restored?.url, parameterCount: encoder.parameterCount))
        if let restored, restored.state.configuration.options.steps != options.steps {
            onEvent(.replanned(fromSteps: restored.state.configuration.options.steps, toSteps: options.steps))
            log.write(["event": "replanned", "from_steps": restored.state.configuration.options.steps, "to_steps": options.steps])
        }
        log.write(["event": "start", "step": trainer.progress.step, "resumed_from": restored?.url.lastPathComponent ?? "",
                   "parameters": encoder.parameterCount])

        var lastCheckpointStep = restored?.state.progress.step ?? -1
        func checkpoint() throws -> URL {
            let state = PretrainingCheckpointState(configuration: configuration, corpusFingerprint: corpora.fingerprint,
                                                   progress: trainer.progress)
            let url = try TrainingCheckpoint.save(encoder: encoder, optimizer: trainer.optimizer, state: state,
                                                  step: trainer.progress.step, pooling: pooling,
                                                  tokenizerFile: tokenizerURL, in: checkpointsDirectory,
                                                  keep: schedule.keepCheckpoints)
            lastCheckpointStep = trainer.progress.step
            onEvent(.checkpointed(step: trainer.progress.step, url))
            log.write(["event": "checkpoint", "step": trainer.progress.step, "folder": url.lastPathComponent])
            return url
        }
        func evaluate() throws -> MaskedPredictionTally? {
            guard !corpora.heldOut.tokens.isEmpty else { return nil }
            let tally = try MaskedLanguageModelEvaluator.evaluate(
                encoder, corpus: corpora.heldOut, maximumLength: options.maximumLength, masker: evaluationMasker,
                seed: schedule.evaluationSeed, maximumSequences: schedule.evaluationSequences,
                batchSize: options.batchSize)
            onEvent(.evaluated(step: trainer.progress.step, tally))
            log.write(["event": "evaluation", "step": trainer.progress.step, "masked_accuracy": tally.accuracy,
                       "perplexity": tally.perplexity, "predictions": tally.predictions])
            return tally
        }

        while !trainer.isFinished {
            if shouldStop() {
                let url = trainer.progress.step == lastCheckpointStep
                    ? TrainingCheckpoint.latest(in: checkpointsDirectory)! : try checkpoint()
                log.write(["event": "interrupted", "step": trainer.progress.step])
                return .interrupted(checkpoint: url)
            }
            let report = try trainer.step()
            onEvent(.stepped(report, trainer.progress))
            log.write(["event": "step", "step": report.step, "loss": report.loss, "masked_accuracy": report.maskedAccuracy,
                       "learning_rate": Double(report.learningRate), "gradient_norm": Double(report.gradientNorm),
                       "tokens_seen": trainer.progress.tokensSeen, "seconds": trainer.progress.trainingSeconds])
            let step = report.step
            if schedule.evaluateEvery > 0 && step % schedule.evaluateEvery == 0 && step < options.steps {
                _ = try evaluate()
            }
            if schedule.checkpointEvery > 0 && step % schedule.checkpointEvery == 0 && step < options.steps {
                _ = try checkpoint()
            }
        }
        let final = try evaluate()
        if lastCheckpointStep != trainer.progress.step { _ = try checkpoint() }
        var summary: [String: Any] = [
            "preset": configuration.preset.rawValue, "steps": trainer.progress.step,
            "tokens_seen": trainer.progress.tokensSeen, "training_seconds": trainer.progress.trainingSeconds,
            "training_tokens_in_corpus": corpora.training.tokens.count,
            "held_out_tokens_in_corpus": corpora.heldOut.tokens.count,
            "parameters": encoder.parameterCount, "non_embedding_parameters": config.nonEmbeddingParameterCount,
        ]
        if let final {
            summary["held_out_masked_accuracy"] = final.accuracy
            summary["held_out_perplexity"] = final.perplexity
            summary["held_out_predictions"] = final.predictions
        }
        let summaryData = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        try TrainingCheckpoint.replaceModelFolder(encoder, at: modelDirectory, pooling: pooling,
                                                  tokenizerFile: tokenizerURL,
                                                  extraFiles: ["summary.json": summaryData])
        log.write(["event": "finished", "step": trainer.progress.step])
        return .completed(model: modelDirectory)
    }

    /// The `--init` model, checked to be the run's shape (preset, placement, tokenizer size) and to have a head.
    static func initialEncoder(from path: String, config: BertConfig, preset: ModelPreset) throws -> TransformerEncoder {
        let loaded = try EncoderCheckpoint.load(from: URL(fileURLWithPath: path))
        var expected = config, found = loaded.encoder.config
        // Dropout is a training setting, not part of the shape.
        found.hiddenDropoutProbability = expected.hiddenDropoutProbability
        found.attentionDropoutProbability = expected.attentionDropoutProbability
        expected.initializerRange = found.initializerRange
        guard found == expected else {
            throw TrainingError.invalidOption(
                name: "--init", reason: "\(path) is not the \(preset.rawValue) preset with \(config.layerNormPlacement.rawValue)-LN "
                    + "layers and \(config.vocabularySize) ids (it has \(found.layerCount) layers, hidden \(found.hiddenSize), "
                    + "\(found.layerNormPlacement.rawValue)-LN, \(found.vocabularySize) ids)")
        }
        guard loaded.encoder.languageModelHead != nil else {
            throw TrainingError.invalidOption(name: "--init", reason: "\(path) has no masked-language-model head (cls.predictions.*)")
        }
        return loaded.encoder
    }

    private func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(value).write(to: url, options: .atomic) } catch {
            throw TrainingError.unwritableFile(file: url.path, reason: error.localizedDescription)
        }
    }
}

/// Appends one JSON object per line to a log file.
final class TrainingLog {
    private let handle: FileHandle
    let url: URL

    init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw TrainingError.unwritableFile(file: url.path, reason: error.localizedDescription)
        }
    }

    deinit { try? handle.close() }

    func write(_ fields: [String: Any]) {
        var fields = fields
        fields["time"] = Date().timeIntervalSince1970.rounded()
        for (key, value) in fields {
            if let d = value as? Double, !d.isFinite { fields[key] = String(d) }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }
}
