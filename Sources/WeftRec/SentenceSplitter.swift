import Foundation

/// Splits text into sentences that are verbatim substrings of it: cuts
/// after `.`, `!` or `?` followed by white space, and at line breaks;
/// trims white space; drops pieces without three letters or digits.
public enum SentenceSplitter {
    public static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var start = text.startIndex
        var i = text.startIndex
        func emit(_ end: String.Index) {
            let piece = text[start..<end].trimmingCharacters(in: .whitespacesAndNewlines)
            if piece.unicodeScalars.filter({ CharacterSet.alphanumerics.contains($0) }).count >= 3 { out.append(piece) }
        }
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c.isNewline {
                emit(i)
                start = next
            } else if c == "." || c == "!" || c == "?", next == text.endIndex || text[next].isWhitespace {
                emit(next)
                start = next
            }
            i = next
        }
        if start < text.endIndex { emit(text.endIndex) }
        return out
    }
}
