/// Bad input to `weft tokenizer ...`, named by file and line.
struct TokenizerCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
