import ArgumentParser
import Foundation
import WeftText

/// `weft tokenizer train`: a SentencePiece model with BERT-style specials
/// ([PAD]=0, [UNK]=1, control symbols [CLS]=2, [SEP]=3, [MASK]=4).
struct TokenizerTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a SentencePiece model on text files, folders and zip archives.",
        discussion: """
            Every line is one sentence. WikiExtractor's <doc ...> and </doc> lines and blank
            lines are skipped; folders are read recursively; .zip archives member by member.
            Example:
              weft tokenizer train --input data/english_text --exclude data/english_text/held-out \\
                --output tokenizers/weft-general-16k.model --vocab-size 16000 --sentence-limit 2000000
            """
    )

    @Option(name: .long, parsing: .upToNextOption,
            help: "Text files, folders or .zip archives to train on (one or more).")
    var input: [String]

    @Option(name: .long, parsing: .upToNextOption,
            help: "Files or folders under --input to leave out, e.g. held-out text (default: none).")
    var exclude: [String] = []

    @Option(name: .long, help: "Where to write the model (.model).")
    var output: String

    @Option(name: .long, help: "Pieces in the model, the five specials included (default: 16000).")
    var vocabSize: Int = 16000

    @Option(name: .long, help: "unigram, bpe, word or char (default: unigram).")
    var modelType: String = "unigram"

    @Option(name: .long, help: "Share of characters to cover; rarer ones become [UNK] (default: 0.9995).")
    var characterCoverage: Double = 0.9995

    @Option(name: .long,
            help: "Sentences sampled at random from the input for training; 0 = all (default: 0). Training time grows with it.")
    var sentenceLimit: Int = 0

    @Option(name: .long, help: "Longer sentences (in bytes) are skipped by the trainer (default: 8192).")
    var maxSentenceLength: Int = 8192

    @Option(name: .long, parsing: .upToNextOption,
            help: "Pieces kept whole wherever they appear in text (default: none).")
    var userDefinedSymbols: [String] = []

    @Option(name: .long, help: "Trainer threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Seed of the sentence sampling (default: 42).")
    var seed: UInt32 = 42

    @Option(name: .long,
            help: "More spm_train flags, space-separated, e.g. \"--split_digits=true\" (default: none).")
    var trainerArguments: String = ""

    @Flag(name: .long, help: "Show libsentencepiece's training log.")
    var verbose = false

    func run() async throws {
        guard let type = SentencePieceTrainingOptions.ModelType(rawValue: modelType) else {
            throw ValidationError("--model-type must be unigram, bpe, word or char, not \(modelType)")
        }
        var options = SentencePieceTrainingOptions()
        options.modelType = type
        options.vocabularySize = vocabSize
        options.characterCoverage = characterCoverage
        options.inputSentenceSize = sentenceLimit
        options.maximumSentenceLength = maxSentenceLength
        options.userDefinedSymbols = userDefinedSymbols
        options.threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        options.seed = seed
        options.additionalArguments = trainerArguments.split(separator: " ").map(String.init)

        let corpus = try TextCorpus(paths: input, excluding: exclude)
        guard !corpus.files.isEmpty else { throw TokenizerCommandError("--input holds no files") }
        log("reading \(corpus.files.count) files")
        let started = Date()
        var lines = corpus.makeLineIterator()
        var sentenceCount = 0
        var byteCount = 0
        let model = try SentencePieceTrainer.train(options: options, verbose: verbose) {
            guard let line = try lines.next() else { return nil }
            sentenceCount += 1
            byteCount += line.utf8.count
            return line
        }
        let seconds = Date().timeIntervalSince(started)

        let outputURL = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: outputURL.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try Data(model.serializedModel()).write(to: outputURL, options: .atomic)
        let sampled = sentenceLimit > 0 ? min(sentenceLimit, sentenceCount) : sentenceCount
        log("""
            wrote \(output): \(model.pieceCount) pieces (\(type.rawValue)), trained on \(sampled) of \
            \(sentenceCount) sentences (\(byteCount / 1_000_000) MB read) in \(String(format: "%.1f", seconds)) s
            """)
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("weft tokenizer train: \(message)\n".utf8))
    }
}
