/// BERT's WordPiece tokenizer, giving the ids of Hugging Face's
/// `BertTokenizer` (`tokenizers`' BertNormalizer + BertPreTokenizer +
/// WordPiece + `[CLS] … [SEP]`): `BasicTokenizer` splits the text into
/// normalized words, then each word becomes its longest vocabulary prefix,
/// then `##`-prefixed longest pieces of the rest. A word with more than
/// `maximumCharactersPerWord` characters, or with a remainder no piece
/// starts, becomes one `[UNK]`.
///
/// Special tokens typed verbatim in the text (`[CLS]`, `[SEP]`, `[PAD]`,
/// `[MASK]`, `[UNK]`) become their ids, as in Hugging Face.
public struct WordPieceTokenizer: Tokenizer {
    public let vocabulary: WordPieceVocabulary
    public let basicTokenizer: BasicTokenizer
    public let maximumCharactersPerWord: Int
    public let specialTokenIds: SpecialTokenIds
    /// Ids of `basicTokenizer.protectedTokens`, index for index.
    private let protectedTokenIds: [Int32]
    /// The ids `decode` leaves out (all special tokens, as Hugging Face's
    /// `decode(skip_special_tokens=True)` does).
    private let skippedWhenDecoding: Set<Int32>

    /// Loads a BERT `vocab.txt`. Uncased models (all-MiniLM-L6-v2,
    /// bert-base-uncased) lower-case and strip accents; pass `lowercases: false` for cased ones.
    public init(vocabularyFile path: String, lowercases: Bool = true) throws {
        try self.init(vocabulary: WordPieceVocabulary(contentsOfFile: path), lowercases: lowercases)
    }

    /// `[UNK]` must be in the vocabulary; `[PAD]`, `[CLS]`, `[SEP]` and `[MASK]` are used when present.
    public init(vocabulary: WordPieceVocabulary, lowercases: Bool = true, stripsAccents: Bool? = nil,
                splitsChineseCharacters: Bool = true, maximumCharactersPerWord: Int = 100,
                unknownToken: String = "[UNK]") throws
    {
        guard let unknown = vocabulary.id(of: unknownToken) else {
            throw TokenizerError.missingSpecialToken(token: unknownToken, path: vocabulary.source)
        }
        guard maximumCharactersPerWord > 0 else {
            throw TokenizerError.invalidArgument(
                reason: "maximum characters per word must be positive, got \(maximumCharactersPerWord)")
        }
        self.vocabulary = vocabulary
        self.maximumCharactersPerWord = maximumCharactersPerWord
        specialTokenIds = SpecialTokenIds(
            padding: vocabulary.id(of: "[PAD]"), unknown: unknown,
            classification: vocabulary.id(of: "[CLS]"), separator: vocabulary.id(of: "[SEP]"),
            mask: vocabulary.id(of: "[MASK]"))
        let protected = ["[PAD]", unknownToken, "[CLS]", "[SEP]", "[MASK]"]
            .filter { vocabulary.id(of: $0) != nil }
        protectedTokenIds = protected.map { vocabulary.id(of: $0)! }
        skippedWhenDecoding = Set(protectedTokenIds)
        basicTokenizer = BasicTokenizer(lowercases: lowercases, stripsAccents: stripsAccents,
                                        splitsChineseCharacters: splitsChineseCharacters,
                                        protectedTokens: protected)
    }

    public var vocabularySize: Int { vocabulary.count }

    public func piece(forId id: Int32) -> String? { vocabulary.token(of: id) }

    public func contentIds(_ text: String) -> [Int32] {
        var ids = [Int32]()
        ids.reserveCapacity(text.utf8.count / 4 + 4)
        let unknown = specialTokenIds.unknown
        let trie = vocabulary.trie
        let wholeWords = vocabulary.wholeWords
        basicTokenizer.forEachWord(in: text) { word in
            if let index = word.protectedTokenIndex {
                ids.append(protectedTokenIds[index])
                return
            }
            if word.scalarCount > maximumCharactersPerWord {
                ids.append(unknown)
                return
            }
            if let id = wholeWords.id(of: word.bytes) {
                ids.append(id)
                return
            }
            let firstPiece = ids.count
            var start = 0
            var root = PieceTrie.wordStart
            while start < word.bytes.count {
                guard let match = trie.longestMatch(in: word.bytes, from: start, root: root) else {
                    ids.removeSubrange(firstPiece...)
                    ids.append(unknown)
                    return
                }
                ids.append(match.id)
                start = match.end
                root = PieceTrie.continuation
            }
        }
        return ids
    }

    /// The WordPiece tokens of `text` (`["un", "##aff", "##able"]`), without `[CLS]`/`[SEP]`.
    public func tokenize(_ text: String) -> [String] {
        contentIds(text).map { vocabulary.tokens[Int($0)] }
    }

    /// Hugging Face's WordPiece decoding: special tokens skipped, `##` pieces
    /// glued to the previous one, other tokens preceded by a space, and each
    /// token then cleaned of a space before punctuation or a contraction
    /// (token by token, as `tokenizers` does).
    public func decode(_ ids: [Int32]) throws -> String {
        // Bytes, not Characters: "##" + a combining mark is one Character to
        // Swift, which would hide the prefix from `hasPrefix`.
        let prefix = Array(vocabulary.continuingSubwordPrefix.utf8)
        var text = [UInt8]()
        var first = true
        for id in ids {
            guard let token = vocabulary.token(of: id) else {
                throw TokenizerError.idOutOfRange(id: id, vocabularySize: vocabulary.count)
            }
            if skippedWhenDecoding.contains(id) { continue }
            var piece = Array(token.utf8)
            if !first {
                if !prefix.isEmpty && piece.starts(with: prefix) {
                    piece.removeFirst(prefix.count)
                } else {
                    piece.insert(UInt8(ascii: " "), at: 0)
                }
            }
            text += Self.cleanUpTokenizationSpaces(piece)
            first = false
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let cleanUpReplacements: [([UInt8], [UInt8])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
        (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    /// `tokenizers`' WordPiece decoder clean-up, replacement for replacement,
    /// each replacing every non-overlapping occurrence from the left.
    static func cleanUpTokenizationSpaces(_ piece: [UInt8]) -> [UInt8] {
        guard piece.contains(UInt8(ascii: " ")) else { return piece }
        var result = piece
        for (pattern, replacement) in cleanUpReplacements {
            var output = [UInt8]()
            output.reserveCapacity(result.count)
            var index = 0
            while index < result.count {
                if result.count - index >= pattern.count,
                   result[index ..< index + pattern.count].elementsEqual(pattern)
                {
                    output += replacement
                    index += pattern.count
                } else {
                    output.append(result[index])
                    index += 1
                }
            }
            result = output
        }
        return result
    }
}
