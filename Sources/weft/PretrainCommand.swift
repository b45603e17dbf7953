import ArgumentParser
import Foundation
import WeftCore
import WeftNN
import WeftText

extension ModelPreset: ExpressibleByArgument {}
extension LayerNormPlacement: ExpressibleByArgument {}
extension LearningRateSchedule.Decay: ExpressibleByArgument {}

/// `weft pretrain`: masked-LM pretraining of an encoder from scratch.
struct PretrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain an encoder with a masked-language-model objective on plain text.",
        discussion: """
            Text: files, folders or zip archives, one document or paragraph per line (WikiExtractor <doc> lines \
            are skipped). The text is tokenized once and cached in OUT/corpus-cache. Sequences are packed to \
            --max-length ([CLS] text [SEP], crossing document boundaries); 15% of tokens are chosen for \
            prediction (80% [MASK], 10% random, 10% kept) and the head computes logits only at them.
            OUT receives run.json, train-log.jsonl, checkpoints/step-* (every --checkpoint-every steps and on \
            SIGINT/SIGTERM, each written to a temporary folder and renamed into place) and, at the end, model/. \
            --resume continues from the newest checkpoint exactly as the uninterrupted run would have.
            Example: weft pretrain --corpus ../shared/data/english_text --held-out \
            ../shared/data/english_text/modern_english/wikipedia/wiki_31 --tokenizer \
            tokenizers/weft-general-16k.model --preset small --out /work/runs/weft-small --steps 20000
            """)

    @Option(parsing: .upToNextOption, help: "Text files, folders or zip archives to train on.")
    var corpus: [String]

    @Option(parsing: .upToNextOption, help: "Files or folders under --corpus to leave out (default: none).")
    var exclude: [String] = []

    @Option(parsing: .upToNextOption,
            help: "Files or folders held out for evaluation (removed from the training text). Default: a --held-out-fraction of the lines.")
    var heldOut: [String] = []

    @Option(help: "Fraction of lines held out (chosen by a hash of the line) when --held-out is not given (default: 0.005; 0 for none).")
    var heldOutFraction: Double = 0.005

    @Option(help: "SentencePiece model (.model) or WordPiece vocabulary (.txt) with [CLS], [SEP], [MASK] and [PAD].")
    var tokenizer: String

    @Option(help: "Model size: tiny (tests) or small (4 layers, hidden 256, 4 heads, FFN 1024).")
    var preset: ModelPreset

    @Option(help: "Where each layer normalises: post (BERT) or pre (LayerNorm on each sub-layer's input plus a final one; trains faster from scratch) (default: post).")
    var layerNorm: LayerNormPlacement = .post

    @Option(help: "Start from this model folder's weights (same preset, --layer-norm and tokenizer; with its masked-LM head) instead of random ones, e.g. the model of a short-sequence first phase. The optimizer starts fresh.")
    var initialModel: String?

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Optimizer steps (default: 10000).")
    var steps: Int?

    @Option(help: "Sequences per micro-batch (default: 32).")
    var batchSize: Int?

    @Option(help: "Tokens per packed sequence including [CLS] and [SEP] (default: 128, at most the preset's positions).")
    var maxLength: Int?

    @Option(help: "Micro-batches accumulated per optimizer step (default: 1).")
    var gradAccum: Int?

    @Option(help: "Peak learning rate (default: 0.0005).")
    var lr: Float?

    @Option(help: "Warm-up steps (default: 500, or a tenth of --steps if that is fewer).")
    var warmup: Int?

    @Option(help: "Decay after warm-up: linear, cosine or constant (default: linear).")
    var decay: LearningRateSchedule.Decay?

    @Option(help: "AdamW weight decay (default: 0.01).")
    var weightDecay: Float?

    @Option(help: "Gradient-norm clipping threshold (default: 1.0).")
    var clipNorm: Float?

    @Option(help: "Seed of initialisation, data order, masking and dropout (default: 0).")
    var seed: UInt64?

    @Option(help: "Steps between checkpoints (default: 500; 0: only at the end and on a signal).")
    var checkpointEvery: Int = 500

    @Option(help: "Steps between held-out evaluations (default: 500; 0: only at the end).")
    var evalEvery: Int = 500

    @Option(help: "Held-out sequences per evaluation (default: 256).")
    var evalSequences: Int = 256

    @Option(help: "Checkpoints kept (default: 2).")
    var keepCheckpoints: Int = 2

    @Option(help: "Steps between progress lines when standard error is not a terminal (default: 50).")
    var logEvery: Int = 50

    @Flag(help: "Continue from the newest checkpoint in --out (the options must be those of the original run, except --steps, which re-plans the learning-rate decay).")
    var resume = false

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func validate() throws {
        if corpus.isEmpty { throw ValidationError("--corpus needs at least one file or folder") }
        if !(heldOutFraction >= 0 && heldOutFraction < 1) {
            throw ValidationError("--held-out-fraction must be in [0, 1), got \(heldOutFraction)")
        }
        for (name, value) in [("--checkpoint-every", checkpointEvery), ("--eval-every", evalEvery)] where value < 0 {
            throw ValidationError("\(name) must not be negative, got \(value)")
        }
        if evalSequences < 1 { throw ValidationError("--eval-sequences must be at least 1") }
        if keepCheckpoints < 1 { throw ValidationError("--keep-checkpoints must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    var options: PretrainingOptions {
        var o = PretrainingOptions()
        if let steps { o.steps = steps }
        if let batchSize { o.batchSize = batchSize }
        o.maximumLength = maxLength ?? min(128, preset.config(vocabularySize: 8).maximumPositionCount)
        if let gradAccum { o.gradientAccumulation = gradAccum }
        if let lr { o.peakLearningRate = lr }
        o.warmupSteps = warmup ?? min(500, o.steps / 10)
        if let decay { o.decay = decay }
        if let weightDecay { o.weightDecay = weightDecay }
        if let clipNorm { o.maximumGradientNorm = clipNorm }
        if let seed { o.seed = seed }
        return o
    }

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        let split: HeldOutSplit = !heldOut.isEmpty ? .files(heldOut) : heldOutFraction > 0 ? .fraction(heldOutFraction) : .none
        let configuration = PretrainingRunConfiguration(
            corpusPaths: corpus, excluding: exclude, heldOut: split, tokenizerFile: tokenizer, preset: preset,
            layerNormPlacement: layerNorm, initialModel: initialModel, options: options)
        var schedule = PretrainingSession.Schedule()
        schedule.checkpointEvery = checkpointEvery
        schedule.evaluateEvery = evalEvery
        schedule.evaluationSequences = evalSequences
        schedule.keepCheckpoints = keepCheckpoints
        let session = PretrainingSession(configuration: configuration, outputDirectory: URL(fileURLWithPath: out),
                                         schedule: schedule, resume: resume)
        let stop = StopSignal()
        let display = TrainingProgressDisplay(command: "weft pretrain", totalSteps: configuration.options.steps,
                                              logEvery: logEvery)
        var lastTokenizing = Date.distantPast
        let outcome = try session.run(shouldStop: { stop.isRequested }) { event in
            switch event {
            case .tokenizing(let p):
                if Date().timeIntervalSince(lastTokenizing) > 5 {
                    display.message("tokenizing \(p.part) text: \(p.lines) lines, \(p.tokens) tokens")
                    lastTokenizing = Date()
                }
            case let .corpusReady(trainingTokens, heldOutTokens, sequences, fromCache):
                display.message("corpus \(fromCache ? "read from cache" : "tokenized"): \(trainingTokens) training "
                                + "tokens (\(sequences) sequences), \(heldOutTokens) held-out tokens")
            case let .started(step, resumedFrom, parameters):
                if let resumedFrom {
                    display.message("resumed from \(resumedFrom.path) at step \(step)")
                } else {
                    display.message("\(preset.rawValue) model, \(parameters) parameters, \(configuration.options.steps) steps")
                }
            case let .stepped(report, _):
                display.step(report.step, loss: report.loss, accuracy: report.maskedAccuracy, tokens: report.tokens,
                             learningRate: report.learningRate)
            case let .replanned(from, to):
                display.message("the checkpoint's run had \(from) steps; the learning-rate schedule now ends at step \(to)")
            case let .evaluated(step, tally):
                display.message(String(format: "step %d held-out: masked accuracy %.4f, perplexity %.2f (%d predictions)",
                                       step, tally.accuracy, tally.perplexity, tally.predictions))
            case let .checkpointed(step, url):
                display.message("step \(step): checkpoint \(url.path)")
            }
        }
        display.finish()
        switch outcome {
        case .completed(let model):
            display.message("finished: model in \(model.path)")
        case .interrupted(let checkpoint):
            display.message("stopped by \(StopSignal.name(stop.receivedSignal ?? SIGINT)); resume with the same command and "
                            + "--resume (checkpoint \(checkpoint.path))")
            throw ExitCode(stop.exitCode)
        }
    }
}
