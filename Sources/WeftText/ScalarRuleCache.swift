import Foundation

/// What BERT's normalization and pre-tokenization make of one non-ASCII
/// scalar: a list of segments, e.g. "É" → [word "e"], "—" → [punctuation "—"],
/// "中" → [whitespace, punctuation-like isolated "中", whitespace], U+200B → [].
struct ScalarRule: Sendable {
    struct Segment: Sendable {
        var kind: ByteClass
        /// UTF-8 of the normalized scalars (empty for whitespace).
        var bytes: [UInt8]
        var scalarCount: Int
    }

    var segments: [Segment]
}

/// Computes `ScalarRule`s on first use and keeps them; shared by threads.
///
/// Normalizing one scalar costs a Foundation NFD call, so rules are cached;
/// the cache stops growing at `capacity` entries so hostile input cannot
/// exhaust memory (rules past it are computed every time).
final class ScalarRuleCache: @unchecked Sendable {
    private let lowercases: Bool
    private let stripsAccents: Bool
    private let splitsChineseCharacters: Bool
    private let cleansText: Bool
    private let capacity = 1 << 16
    private let lock = NSLock()
    private var rules: [UInt32: ScalarRule] = [:]

    init(lowercases: Bool, stripsAccents: Bool, splitsChineseCharacters: Bool, cleansText: Bool) {
        self.lowercases = lowercases
        self.stripsAccents = stripsAccents
        self.splitsChineseCharacters = splitsChineseCharacters
        self.cleansText = cleansText
    }

    func rule(for scalar: Unicode.Scalar) -> ScalarRule {
        lock.lock()
        if let rule = rules[scalar.value] {
            lock.unlock()
            return rule
        }
        lock.unlock()
        let rule = makeRule(for: scalar)
        lock.lock()
        if rules.count < capacity { rules[scalar.value] = rule }
        lock.unlock()
        return rule
    }

    private func makeRule(for scalar: Unicode.Scalar) -> ScalarRule {
        if cleansText {
            if scalar.value == 0 || scalar.value == 0xFFFD || BasicTokenizer.isControl(scalar) {
                return ScalarRule(segments: [])
            }
        }
        if BasicTokenizer.isWhitespace(scalar) {
            return ScalarRule(segments: [.init(kind: .whitespace, bytes: [], scalarCount: 0)])
        }
        let normalized = normalize(scalar)
        if splitsChineseCharacters && BasicTokenizer.isChineseCharacter(scalar) {
            // Padded with spaces, so it is a word of its own.
            let bytes = normalized.flatMap { Array(String($0).utf8) }
            return ScalarRule(segments: [
                .init(kind: .whitespace, bytes: [], scalarCount: 0),
                .init(kind: .word, bytes: bytes, scalarCount: normalized.count),
                .init(kind: .whitespace, bytes: [], scalarCount: 0),
            ])
        }
        var segments = [ScalarRule.Segment]()
        for output in normalized {
            let bytes = Array(String(output).utf8)
            if BasicTokenizer.isWhitespace(output) {
                segments.append(.init(kind: .whitespace, bytes: [], scalarCount: 0))
            } else if BasicTokenizer.isPunctuation(output) {
                segments.append(.init(kind: .punctuation, bytes: bytes, scalarCount: 1))
            } else if let last = segments.last, last.kind == .word {
                segments[segments.count - 1].bytes += bytes
                segments[segments.count - 1].scalarCount = last.scalarCount + 1
            } else {
                segments.append(.init(kind: .word, bytes: bytes, scalarCount: 1))
            }
        }
        return ScalarRule(segments: segments)
    }

    /// NFD without nonspacing marks (when stripping accents), then lower-case.
    private func normalize(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        var scalars = [scalar]
        if stripsAccents {
            scalars = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { BasicTokenizer.categoryAsHuggingFaceSeesIt($0) != .nonspacingMark }
        }
        if lowercases {
            scalars = scalars.flatMap { Array($0.properties.lowercaseMapping.unicodeScalars) }
        }
        return scalars
    }
}
