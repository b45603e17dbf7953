import ArgumentParser

/// `weft tokenizer ...`: train SentencePiece models and encode text.
struct TokenizerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train a SentencePiece tokenizer, or encode text with a vocab.txt or .model tokenizer.",
        subcommands: [TokenizerTrainCommand.self, TokenizerEncodeCommand.self, TokenizerStatsCommand.self]
    )
}
