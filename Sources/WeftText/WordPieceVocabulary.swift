import Foundation

/// A BERT `vocab.txt`: one token per line, the line number (from 0) is its id.
public struct WordPieceVocabulary: Sendable {
    /// (V) token of each id.
    public let tokens: [String]
    /// Where the vocabulary came from, for error messages.
    public let source: String
    /// Marks a piece that continues a word.
    public let continuingSubwordPrefix: String
    private let ids: [String: Int32]
    let trie: PieceTrie
    let wholeWords: WholePieceTable

    /// Reads `vocab.txt`. Trailing whitespace (and `\r`) of each line is ignored,
    /// as Hugging Face's loader does; a duplicate token keeps its last id.
    public init(contentsOfFile path: String, continuingSubwordPrefix: String = "##") throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizerError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw TokenizerError.unreadableFile(path: path, reason: "it is a directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        var lines = [String]()
        var lineStart = data.startIndex
        var lineNumber = 1
        for index in data.indices where data[index] == UInt8(ascii: "\n") {
            lines.append(try Self.decodeLine(data[lineStart ..< index], path: path, line: lineNumber))
            lineStart = index + 1
            lineNumber += 1
        }
        if lineStart < data.endIndex {
            lines.append(try Self.decodeLine(data[lineStart...], path: path, line: lineNumber))
        }
        try self.init(tokens: lines, source: path, continuingSubwordPrefix: continuingSubwordPrefix)
    }

    /// A vocabulary whose token `i` has id `i`.
    public init(tokens: [String], source: String = "vocabulary",
                continuingSubwordPrefix: String = "##") throws
    {
        guard !tokens.isEmpty else {
            throw TokenizerError.invalidVocabulary(path: source, line: 1, reason: "the vocabulary is empty")
        }
        guard tokens.count <= Int(Int32.max) else {
            throw TokenizerError.invalidVocabulary(path: source, line: tokens.count,
                                                   reason: "more tokens than 32-bit ids can hold")
        }
        self.tokens = tokens
        self.source = source
        self.continuingSubwordPrefix = continuingSubwordPrefix
        var ids = [String: Int32](minimumCapacity: tokens.count)
        var pieces = [(bytes: [UInt8], root: Int32, id: Int32)]()
        pieces.reserveCapacity(tokens.count)
        let prefix = Array(continuingSubwordPrefix.utf8)
        for (index, token) in tokens.enumerated() {
            let id = Int32(index)
            ids[token] = id
            let bytes = Array(token.utf8)
            if !prefix.isEmpty && bytes.count > prefix.count && bytes.starts(with: prefix) {
                pieces.append((Array(bytes[prefix.count...]), PieceTrie.continuation, id))
            } else {
                pieces.append((bytes, PieceTrie.wordStart, id))
            }
        }
        self.ids = ids
        guard let trie = PieceTrie(pieces: pieces) else {
            throw TokenizerError.invalidVocabulary(
                path: source, line: tokens.count,
                reason: "the tokens have more than \(PieceTrie.maximumNodeCount) distinct prefixes")
        }
        self.trie = trie
        wholeWords = WholePieceTable(pieces: pieces.filter { $0.root == PieceTrie.wordStart }
            .map { ($0.bytes, $0.id) })
    }

    public var count: Int { tokens.count }

    /// The id of `token`, or nil when the vocabulary lacks it.
    public func id(of token: String) -> Int32? { ids[token] }

    /// The token of `id`, or nil when `id` is out of range.
    public func token(of id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }

    private static func decodeLine(_ bytes: Data, path: String, line: Int) throws -> String {
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw TokenizerError.invalidVocabulary(path: path, line: line, reason: "not valid UTF-8")
        }
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isWhitespace {
            end = text.index(before: end)
        }
        return String(text[..<end])
    }
}
