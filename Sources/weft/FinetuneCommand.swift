import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft finetune`: domain-adaptive masked-LM training, then contrastive
/// sentence-embedding training, on product text in the dataset format.
struct FinetuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune an encoder on product text: domain masked-LM, then contrastive pairs with in-batch negatives.",
        discussion: """
            Data: dataset folders (products.jsonl with title/description, interactions.jsonl with review texts, \
            optionally product_links.jsonl with also_bought links). Products are split by a hash of their id; \
            --held-out-fraction of them (with their reviews and links) are never trained on and serve the \
            retrieval evaluation: Recall@10 of a review finding its product's text, and of a review finding \
            another review of its product, among the held-out products of its dataset. It runs before \
            training, after the masked-LM phase and at the end.
            Phase 1 (--mlm-steps): masked-LM on the training products' titles, descriptions and reviews, plus \
            --text files. Phase 2 (--contrastive-steps): pairs (product text, one of its reviews), (review, \
            another review of the product), (product, also-bought product); loss ½[CE(S, I) + CE(Sᵀ, I)] with \
            S = cos(first, second) / --temperature over the batch, no batch holding two pairs of one product.
            Writes OUT: a model folder (mean pooling, normalised) with finetune-report.json; the report is \
            also the last line of standard output.
            Example: weft finetune --model models/weft-small --data data/amazon2018-gift-cards \
            data/amazon2018-magazines --text ../shared/data/finance_text --out /work/runs/weft-small-products
            """)

    @Option(help: "Model folder to start from (with a masked-LM head for --mlm-steps > 0).")
    var model: String?

    @Flag(help: "Start from random weights instead of --model (the baseline without pretraining); needs --preset and --tokenizer.")
    var randomInit = false

    @Option(help: "Model size with --random-init.")
    var preset: ModelPreset?

    @Option(help: "Layer normalisation with --preset: post (BERT) or pre (default: post).")
    var layerNorm: LayerNormPlacement = .post

    @Option(help: "Tokenizer file with --random-init.")
    var tokenizer: String?

    @Option(parsing: .upToNextOption, help: "Dataset folders.")
    var data: [String]

    @Option(parsing: .upToNextOption, help: "Extra domain text for the masked-LM phase: files, folders or zips (default: none).")
    var text: [String] = []

    @Option(help: "Output model folder (not needed with --eval-only).")
    var out: String?

    @Flag(help: "Only run the held-out retrieval evaluation of --model (e.g. an imported sentence-transformers model); train and write nothing.")
    var evalOnly = false

    @Option(help: "Masked-LM steps (default: 500; 0 skips the phase).")
    var mlmSteps: Int = 500

    @Option(help: "Masked-LM peak learning rate (default: 0.0001).")
    var mlmLr: Float = 1e-4

    @Option(help: "Contrastive steps (default: 1000; 0 skips the phase).")
    var contrastiveSteps: Int = 1000

    @Option(help: "Contrastive peak learning rate (default: 0.0001).")
    var lr: Float = 1e-4

    @Option(help: "Softmax temperature of the contrastive loss (default: 0.05).")
    var temperature: Float = 0.05

    @Option(help: "Sequences per masked-LM batch and pairs per contrastive batch (default: 32).")
    var batchSize: Int = 32

    @Option(help: "Tokens per text, [CLS] and [SEP] included (default: 128, at most the model's positions).")
    var maxLength: Int?

    @Option(help: "Share of products held out for evaluation (default: 0.2).")
    var heldOutFraction: Double = 0.2

    @Option(help: "Dropout while fine-tuning (default: 0.1).")
    var dropout: Float = 0.1

    @Option(help: "Seed of data order, masking and dropout (default: 0).")
    var seed: UInt64 = 0

    @Option(help: "Steps between checkpoints within each phase, written to OUT/checkpoints (also one between the phases; 0: only that one). A finished run replaces OUT, checkpoints included (default: 100).")
    var checkpointEvery: Int = 100

    @Flag(help: "Continue the run whose checkpoints are in OUT/checkpoints (same settings); it ends as an uninterrupted run would.")
    var resume = false

    @Option(help: "Steps between progress lines when standard error is not a terminal (default: 50).")
    var logEvery: Int = 50

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func validate() throws {
        if randomInit == (model != nil) { throw ValidationError("give either --model or --random-init") }
        if randomInit && (preset == nil || tokenizer == nil) { throw ValidationError("--random-init needs --preset and --tokenizer") }
        if data.isEmpty { throw ValidationError("--data needs at least one dataset folder") }
        if out == nil && !evalOnly { throw ValidationError("--out is required unless --eval-only is given") }
        if !(heldOutFraction > 0 && heldOutFraction < 1) {
            throw ValidationError("--held-out-fraction must be in (0, 1), got \(heldOutFraction)")
        }
        if mlmSteps < 0 || contrastiveSteps < 0 { throw ValidationError("step counts must not be negative") }
        if !(dropout >= 0 && dropout < 1) { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if checkpointEvery < 0 { throw ValidationError("--checkpoint-every must not be negative, got \(checkpointEvery)") }
        if resume && (out == nil || evalOnly) { throw ValidationError("--resume needs --out (and no --eval-only)") }
    }

    /// What a checkpoint must have been made with to be resumed by this command.
    var settings: [String: String] {
        var s = ["data": data.joined(separator: ","), "text": text.joined(separator: ","),
                 "held_out_fraction": "\(heldOutFraction)", "mlm_steps": "\(mlmSteps)", "mlm_lr": "\(mlmLr)",
                 "contrastive_steps": "\(contrastiveSteps)", "lr": "\(lr)", "temperature": "\(temperature)",
                 "batch_size": "\(batchSize)", "max_length": maxLength.map { "\($0)" } ?? "default",
                 "dropout": "\(dropout)", "seed": "\(seed)"]
        if let model { s["model"] = model } else {
            s["random_init"] = "\(preset?.rawValue ?? "?") \(layerNorm.rawValue) \(tokenizer ?? "?")"
        }
        return s
    }

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        let checkpoints = out.map { URL(fileURLWithPath: $0).appendingPathComponent("checkpoints") }
        var resumeFrom: URL?
        if let checkpoints, !evalOnly {
            TrainingCheckpoint.removeUnfinished(in: checkpoints)
            let latest = TrainingCheckpoint.latest(in: checkpoints)
            if resume {
                guard let latest else {
                    throw ValidationError("--resume: \(checkpoints.path) holds no checkpoint; run without --resume")
                }
                resumeFrom = latest
            } else if let latest {
                throw ValidationError("\(checkpoints.path) holds checkpoint \(latest.lastPathComponent) of an unfinished run; "
                                      + "pass --resume to continue it, or remove it")
            }
        }
        var start: TransformerEncoder
        let tokenizerURL: URL
        if let model {
            let loaded = try EncoderCheckpoint.load(from: URL(fileURLWithPath: model))
            guard let file = loaded.tokenizerFile else {
                throw EncoderError.missingFile(directory: model, file: "spm.model or vocab.txt")
            }
            start = loaded.encoder
            tokenizerURL = file
        } else {
            tokenizerURL = URL(fileURLWithPath: tokenizer!)
            let loadedTokenizer = try TokenizerLoader.load(path: tokenizerURL.path)
            start = try TransformerEncoder(
                config: preset!.config(vocabularySize: loadedTokenizer.vocabularySize,
                                       paddingTokenId: Int(loadedTokenizer.specialTokenIds.padding ?? 0),
                                       layerNormPlacement: layerNorm),
                seed: seed)
        }
        // Resuming: the checkpoint's weights; the tokenizer file stays the original one
        // (checkpoint folders are pruned while the run goes on).
        if let resumeFrom { start = try EncoderCheckpoint.load(from: resumeFrom).encoder }
        let tokenizer = try TokenizerLoader.load(path: tokenizerURL.path)
        let encoder = try ProductFineTuning.withDropout(start, probability: dropout)
        let length = maxLength ?? min(128, encoder.config.maximumPositionCount)

        var configuration = ProductFineTuning.Configuration(datasetDirectories: data.map { URL(fileURLWithPath: $0) })
        configuration.extraTextPaths = text
        configuration.heldOutFraction = heldOutFraction
        configuration.languageModelSteps = evalOnly ? 0 : mlmSteps
        configuration.languageModel.batchSize = batchSize
        configuration.languageModel.maximumLength = length
        configuration.languageModel.peakLearningRate = mlmLr
        configuration.languageModel.warmupSteps = min(100, mlmSteps / 10)
        configuration.languageModel.seed = seed
        configuration.contrastive.steps = evalOnly ? 0 : contrastiveSteps
        configuration.contrastive.batchSize = batchSize
        configuration.contrastive.maximumLength = length
        configuration.contrastive.peakLearningRate = lr
        configuration.contrastive.warmupSteps = min(100, contrastiveSteps / 10)
        configuration.contrastive.temperature = temperature
        configuration.contrastive.seed = seed
        configuration.dropout = dropout

        let log = TrainingProgressDisplay(command: "weft finetune", totalSteps: 0, logEvery: logEvery)
        let mlmDisplay = TrainingProgressDisplay(command: "weft finetune (masked LM)", totalSteps: mlmSteps, logEvery: logEvery)
        let contrastiveDisplay = TrainingProgressDisplay(command: "weft finetune (contrastive)", totalSteps: contrastiveSteps,
                                                         logEvery: logEvery, accuracyLabel: "in-batch acc", unit: "pairs")
        let run = ProductFineTuning(configuration: configuration)
        let checkpointing = checkpoints.map {
            ProductFineTuning.Checkpointing(directory: $0, every: checkpointEvery,
                                            pooling: PoolingSettings(mode: .mean, normalize: true, maximumLength: length),
                                            tokenizerFile: tokenizerURL, settings: settings)
        }
        let report = try run.run(encoder: encoder, tokenizer: tokenizer, checkpointing: evalOnly ? nil : checkpointing,
                                 resumeFrom: resumeFrom) { event in
            switch event {
            case let .resumed(url, phase, step):
                log.message("resumed from \(url.path) (\(phase.rawValue) step \(step))")
            case let .checkpoint(url):
                log.message("checkpoint \(url.path)")
            case let .loaded(products, training, heldOut, pairs, tokens):
                let described = pairs.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue) \(pairs[$0]!)" }
                log.message("\(products) products (\(training) training, \(heldOut) held out); pairs: "
                                   + described.joined(separator: ", ") + "; \(tokens) masked-LM tokens")
            case let .evaluated(phase, r):
                mlmDisplay.finish()
                contrastiveDisplay.finish()
                for (name, figures) in [("all", r)] + (r.datasets ?? [:]).sorted(by: { $0.key < $1.key }) {
                    log.message(String(format: "%@, %@: Recall@%d review→product %.3f (%d queries), review→review %.3f (%d queries)",
                                       phase, name, figures.k, figures.reviewToProductRecall, figures.reviewToProductQueries,
                                       figures.reviewToReviewRecall, figures.reviewToReviewQueries))
                }
            case let .languageModelStep(report):
                mlmDisplay.step(report.step, loss: report.loss, accuracy: report.maskedAccuracy, tokens: report.tokens,
                                learningRate: report.learningRate)
            case let .contrastiveStep(step, loss, accuracy, learningRate, pairs):
                contrastiveDisplay.step(step, loss: Double(loss), accuracy: accuracy, tokens: pairs,
                                        learningRate: learningRate)
            }
        }
        let encoderJSON = JSONEncoder()
        guard let out, !evalOnly else {
            encoderJSON.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoderJSON.encode(report), as: UTF8.self))
            return
        }
        let folder = URL(fileURLWithPath: out)
        encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys]
        let reportData = try encoderJSON.encode(report)
        try TrainingCheckpoint.replaceModelFolder(
            encoder, at: folder, pooling: PoolingSettings(mode: .mean, normalize: true, maximumLength: length),
            tokenizerFile: tokenizerURL, extraFiles: ["finetune-report.json": reportData])
        log.message("model written to \(folder.path)")
        encoderJSON.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoderJSON.encode(report), as: UTF8.self))
    }
}
