/// Settings for `SentencePieceTrainer`, rendered as `spm_train` flags.
///
/// The defaults give a BERT-style Weft model: `[PAD]`=0, `[UNK]`=1, then the
/// control symbols `[CLS]`=2, `[SEP]`=3, `[MASK]`=4, and no `<s>`/`</s>`.
/// Control symbols are never produced by splitting raw text (typing "[CLS]"
/// gives ordinary pieces) but are addressable by id and by `pieceToId`.
public struct SentencePieceTrainingOptions: Sendable, Equatable {
    public enum ModelType: String, Sendable, CaseIterable {
        case unigram, bpe, word, char
    }

    /// Segmentation algorithm (default unigram).
    public var modelType: ModelType = .unigram
    /// Number of pieces in the model, special pieces included.
    public var vocabularySize: Int = 16000
    /// Share of characters the model must cover; rarer characters map to unknown.
    public var characterCoverage: Double = 0.9995
    /// Pieces that are always one token wherever they appear in text.
    public var userDefinedSymbols: [String] = []
    /// Pieces that never come out of text but are addressable by id.
    public var controlSymbols: [String] = ["[CLS]", "[SEP]", "[MASK]"]
    /// Reserved ids and their pieces; -1 disables one (unknown cannot be disabled).
    public var padId: Int32 = 0
    public var padPiece = "[PAD]"
    public var unknownId: Int32 = 1
    public var unknownPiece = "[UNK]"
    public var beginOfSentenceId: Int32 = -1
    public var beginOfSentencePiece = "<s>"
    public var endOfSentenceId: Int32 = -1
    public var endOfSentencePiece = "</s>"
    /// Sentences sampled from the input (0 = all of them).
    public var inputSentenceSize: Int = 0
    /// Sample sentences at random (with `seed`) rather than taking the first ones.
    public var shuffleInputSentence = true
    /// Longer sentences (in bytes) are skipped by the trainer.
    public var maximumSentenceLength: Int = 4192
    /// Longest piece in characters.
    public var maximumPieceLength: Int = 16
    /// Split digits into single-digit pieces.
    public var splitDigits = false
    /// Fall back to byte pieces for unknown characters.
    public var byteFallback = false
    /// Normalization rule: "nmt_nfkc" (default), "nfkc", "nmt_nfkc_cf", "nfkc_cf" or "identity".
    public var normalizationRuleName = "nmt_nfkc"
    /// Trainer threads.
    public var threadCount: Int = 1
    /// Seeds the sentence sampling.
    public var seed: UInt32 = 42
    /// Fail (rather than shrink the vocabulary) when the text cannot fill `vocabularySize`.
    public var hardVocabularyLimit = true
    /// More `--flag=value` arguments, appended last so they override the above.
    public var additionalArguments: [String] = []

    public init() {}

    /// The `spm_train` flags these options stand for.
    public func arguments() throws -> String {
        guard vocabularySize > 0 else {
            throw TokenizerError.invalidArgument(reason: "vocabulary size must be positive, got \(vocabularySize)")
        }
        guard characterCoverage > 0, characterCoverage <= 1 else {
            throw TokenizerError.invalidArgument(
                reason: "character coverage must be in (0, 1], got \(characterCoverage)")
        }
        guard threadCount > 0, maximumSentenceLength > 0, maximumPieceLength > 0, inputSentenceSize >= 0 else {
            throw TokenizerError.invalidArgument(
                reason: "thread count, maximum sentence and piece lengths must be positive and the input sentence size non-negative")
        }
        guard unknownId >= 0 else {
            throw TokenizerError.invalidArgument(reason: "the unknown id cannot be disabled")
        }
        for symbol in userDefinedSymbols + controlSymbols + [padPiece, unknownPiece, beginOfSentencePiece, endOfSentencePiece] {
            try Self.checkFlagValue(symbol, name: "symbol")
        }
        try Self.checkFlagValue(normalizationRuleName, name: "normalization rule name")
        var flags = [
            "--model_type=\(modelType.rawValue)",
            "--vocab_size=\(vocabularySize)",
            "--character_coverage=\(characterCoverage)",
            "--pad_id=\(padId)", "--pad_piece=\(padPiece)",
            "--unk_id=\(unknownId)", "--unk_piece=\(unknownPiece)",
            "--bos_id=\(beginOfSentenceId)", "--bos_piece=\(beginOfSentencePiece)",
            "--eos_id=\(endOfSentenceId)", "--eos_piece=\(endOfSentencePiece)",
            "--input_sentence_size=\(inputSentenceSize)",
            "--shuffle_input_sentence=\(shuffleInputSentence)",
            "--max_sentence_length=\(maximumSentenceLength)",
            "--max_sentencepiece_length=\(maximumPieceLength)",
            "--split_digits=\(splitDigits)",
            "--byte_fallback=\(byteFallback)",
            "--normalization_rule_name=\(normalizationRuleName)",
            "--num_threads=\(threadCount)",
            "--hard_vocab_limit=\(hardVocabularyLimit)",
        ]
        if !userDefinedSymbols.isEmpty {
            flags.append("--user_defined_symbols=\(userDefinedSymbols.joined(separator: ","))")
        }
        if !controlSymbols.isEmpty {
            flags.append("--control_symbols=\(controlSymbols.joined(separator: ","))")
        }
        for argument in additionalArguments {
            guard argument.hasPrefix("--"), !argument.contains(where: \.isWhitespace) else {
                throw TokenizerError.invalidArgument(
                    reason: "additional trainer argument \"\(argument)\" must look like --flag=value without spaces")
            }
            flags.append(argument)
        }
        return flags.joined(separator: " ")
    }

    /// spm_train splits its argument string on whitespace and lists on commas.
    private static func checkFlagValue(_ value: String, name: String) throws {
        guard !value.isEmpty, !value.contains(where: { $0.isWhitespace || $0 == "," }) else {
            throw TokenizerError.invalidArgument(
                reason: "\(name) \"\(value)\" must be non-empty without spaces or commas")
        }
    }
}
