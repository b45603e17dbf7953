import ArgumentParser
import Foundation
import WeftText

/// `weft tokenizer stats`: how finely a tokenizer cuts a text.
struct TokenizerStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Pieces per whitespace-separated word, unknown rate and bytes per piece on some text.",
        discussion: """
            Reads lines like `weft tokenizer train` does (WikiExtractor markup and blank lines
            skipped) and counts the tokenizer's ids without [CLS]/[SEP]. Example:
              weft tokenizer stats --tokenizer tokenizers/weft-general-16k.model \\
                --input english_text/modern_english/wikipedia/wiki_31
            """
    )

    @Option(name: .long, help: "A WordPiece vocab.txt, a SentencePiece .model, or a folder holding one.")
    var tokenizer: String

    @Option(name: .long, parsing: .upToNextOption, help: "Text files, folders or .zip archives.")
    var input: [String]

    func run() async throws {
        let loaded = try TokenizerLoader.load(path: tokenizer)
        let unknown = loaded.specialTokenIds.unknown
        let corpus = try TextCorpus(paths: input)
        var lines = 0, words = 0, pieces = 0, unknowns = 0, bytes = 0
        try corpus.forEachLine { line in
            let ids = try loaded.contentIds(line)
            lines += 1
            words += line.split(whereSeparator: \.isWhitespace).count
            pieces += ids.count
            unknowns += ids.lazy.filter { $0 == unknown }.count
            bytes += line.utf8.count
            return true
        }
        guard words > 0 else { throw TokenizerCommandError("--input holds no words") }
        let summary: [String: Any] = [
            "tokenizer": tokenizer, "lines": lines, "words": words, "pieces": pieces,
            "pieces_per_word": Double(pieces) / Double(words),
            "unknown_rate": Double(unknowns) / Double(max(pieces, 1)),
            "bytes_per_piece": Double(bytes) / Double(max(pieces, 1)),
        ]
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
