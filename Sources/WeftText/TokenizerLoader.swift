import Foundation

/// Opens the tokenizer stored at a path, whichever kind it is.
public enum TokenizerLoader {
    /// `vocab.txt` (any `.txt`) → `WordPieceTokenizer` (uncased unless
    /// `lowercases` is false); any other file → `SentencePieceProcessor`; a
    /// folder → its `spm.model` or else its `vocab.txt`, as checkpoints keep them.
    public static func load(path: String, lowercases: Bool = true) throws -> any Tokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizerError.fileNotFound(path: path)
        }
        if isDirectory.boolValue {
            let folder = URL(fileURLWithPath: path)
            for name in ["spm.model", "vocab.txt"] {
                let candidate = folder.appendingPathComponent(name).path
                if FileManager.default.fileExists(atPath: candidate) {
                    return try load(path: candidate, lowercases: lowercases)
                }
            }
            throw TokenizerError.unreadableFile(
                path: path, reason: "the folder has neither spm.model nor vocab.txt")
        }
        if path.lowercased().hasSuffix(".txt") {
            return try WordPieceTokenizer(vocabularyFile: path, lowercases: lowercases)
        }
        return try SentencePieceProcessor(contentsOfFile: path)
    }
}
