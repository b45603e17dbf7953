import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft mlm-eval`: masked accuracy and perplexity of a model folder on a text.
struct MLMEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlm-eval",
        abstract: "Masked-LM accuracy and perplexity of a model on a text, with a masking fixed by a seed.",
        discussion: """
            The text (a file, folder or zip; one document per line; WikiExtractor <doc> lines skipped) is \
            tokenized with the model's tokenizer and packed into sequences of --max-length as in pretraining. \
            15% of the tokens of each sequence are chosen by a generator seeded from --seed and the sequence \
            number, and all are replaced by [MASK]. Prints one JSON object: masked_accuracy (fraction predicted \
            right), perplexity (exp of the mean cross-entropy at the masked tokens), tokens (of the text, \
            special tokens included), predictions, sequences.
            """)

    @Option(help: "Model folder with a masked-LM head (config.json, model.safetensors, spm.model or vocab.txt).")
    var model: String

    @Option(help: "Text file, folder or zip archive.")
    var input: String

    @Option(help: "Seed of the masking (default: 0).")
    var seed: UInt64 = 0

    @Option(help: "Tokens per sequence including [CLS] and [SEP] (default: the model's pooling max_length, else 128).")
    var maxLength: Int?

    @Option(help: "Sequences per batch (default: 32).")
    var batchSize: Int = 32

    @Option(help: "Evaluate at most this many sequences (default: all).")
    var maxSequences: Int?

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let maxSequences, maxSequences < 1 { throw ValidationError("--max-sequences must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        let folder = URL(fileURLWithPath: model)
        let loaded = try EncoderCheckpoint.load(from: folder)
        guard loaded.encoder.languageModelHead != nil else {
            throw TrainingError.invalidOption(name: "--model", reason: "\(model) has no masked-LM head (cls.predictions.*)")
        }
        guard let tokenizerFile = loaded.tokenizerFile else {
            throw EncoderError.missingFile(directory: model, file: "spm.model or vocab.txt")
        }
        let tokenizer = try TokenizerLoader.load(path: tokenizerFile.path)
        let positions = loaded.encoder.config.maximumPositionCount
        let length = maxLength ?? min(loaded.pooling.maximumLength ?? 128, positions)
        guard length >= 3 && length <= positions else {
            throw ValidationError("--max-length must be in 3...\(positions), got \(length)")
        }
        let prepared = try PretrainingCorpus.prepare(paths: [input], heldOut: .none, tokenizer: tokenizer,
                                                     tokenizerFile: tokenizerFile, cacheDirectory: nil)
        let masker = try TokenMasker(specialTokenIds: tokenizer.specialTokenIds,
                                     vocabularySize: loaded.encoder.config.vocabularySize, policy: .evaluation,
                                     tokenizerName: tokenizerFile.path)
        let sequences = min(prepared.training.sequenceCount(length: length), maxSequences ?? .max)
        let tally = try MaskedLanguageModelEvaluator.evaluate(
            loaded.encoder, corpus: prepared.training, maximumLength: length, masker: masker, seed: seed,
            maximumSequences: sequences, batchSize: batchSize)
        BenchTiming.printJSON([
            "masked_accuracy": BenchTiming.round(tally.accuracy, 4),
            "perplexity": tally.perplexity.isFinite ? BenchTiming.round(tally.perplexity, 3) : NSNull(),
            "tokens": tally.tokens, "predictions": tally.predictions, "sequences": sequences,
            "max_length": length, "seed": seed,
        ])
    }
}
