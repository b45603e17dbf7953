import Foundation

/// BERT's basic tokenization, as Hugging Face `tokenizers` runs it for
/// `BertTokenizer` (`BertNormalizer` then `BertPreTokenizer`):
///
/// 1. clean: drop NUL, U+FFFD and control characters (categories Cc, Cf, Co;
///    tab, newline and carriage return count as whitespace), turn every
///    White_Space character into a word break;
/// 2. isolate CJK ideographs as one-character words;
/// 3. strip accents (NFD, then drop nonspacing marks, Mn) and lower-case;
/// 4. split on whitespace, and isolate each punctuation character (Unicode P*
///    categories plus every ASCII symbol: `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`).
///
/// General categories (control, mark, punctuation) are taken as of Unicode 8.0,
/// the version of the tables `tokenizers` uses, and the result was checked
/// against `tokenizers` 0.23.3 for every code point ("a" + scalar + "b").
///
/// Words come out as UTF-8 bytes in a reused buffer, never as `String`s: the
/// text is scanned once, byte by byte for ASCII, and non-ASCII scalars look up
/// a cached per-scalar rule, which is how this keeps up with the encoder.
/// Every step works on single scalars except NFD's canonical reordering of
/// combining marks, which only matters between two kept (non-Mn) marks of
/// different combining class, a case that does not occur in practice.
public struct BasicTokenizer: Sendable {
    /// One word handed to `forEachWord`'s body.
    public struct Word {
        /// The normalized UTF-8 bytes; valid only during the call.
        public var bytes: UnsafeBufferPointer<UInt8>
        /// Unicode scalars in `bytes` (what BERT's 100-character word limit counts).
        public var scalarCount: Int
        /// Index into `protectedTokens` when the text held that token verbatim.
        public var protectedTokenIndex: Int?
    }

    public let lowercases: Bool
    public let stripsAccents: Bool
    public let splitsChineseCharacters: Bool
    public let cleansText: Bool
    /// Strings matched verbatim in the raw text, before any normalization, and
    /// reported as whole words (Hugging Face does this for `[CLS]`, `[MASK]`, ...).
    public let protectedTokens: [[UInt8]]

    /// (128) for ASCII bytes: what the byte does (`ByteClass`).
    private let asciiClasses: [ByteClass]
    /// (128) for ASCII bytes: the byte after lower-casing.
    private let asciiMapped: [UInt8]
    /// (256) true for bytes that start a protected token.
    private let protectedFirstBytes: [Bool]
    private let rules: ScalarRuleCache

    /// `stripsAccents` defaults to `lowercases`, as in Hugging Face's BertNormalizer.
    public init(lowercases: Bool = true, stripsAccents: Bool? = nil,
                splitsChineseCharacters: Bool = true, cleansText: Bool = true,
                protectedTokens: [String] = [])
    {
        self.lowercases = lowercases
        self.stripsAccents = stripsAccents ?? lowercases
        self.splitsChineseCharacters = splitsChineseCharacters
        self.cleansText = cleansText
        self.protectedTokens = protectedTokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
        var classes = [ByteClass](repeating: .word, count: 128)
        var mapped = [UInt8](repeating: 0, count: 128)
        for byte in 0 ..< 128 {
            let scalar = Unicode.Scalar(UInt8(byte))
            mapped[byte] = UInt8(byte)
            if lowercases, (65 ... 90).contains(byte) { mapped[byte] = UInt8(byte + 32) }
            // Cleaning runs before splitting, so VT and FF (Cc and White_Space) vanish.
            if cleansText && (byte == 0 || BasicTokenizer.isControl(scalar)) {
                classes[byte] = .dropped
            } else if BasicTokenizer.isWhitespace(scalar) {
                classes[byte] = .whitespace
            } else if BasicTokenizer.isPunctuation(scalar) {
                classes[byte] = .punctuation
            }
        }
        asciiClasses = classes
        asciiMapped = mapped
        var firstBytes = [Bool](repeating: false, count: 256)
        for token in self.protectedTokens { firstBytes[Int(token[0])] = true }
        protectedFirstBytes = firstBytes
        rules = ScalarRuleCache(lowercases: lowercases, stripsAccents: self.stripsAccents,
                                splitsChineseCharacters: splitsChineseCharacters,
                                cleansText: cleansText)
    }

    /// The words of `text` as strings (for tests and inspection; `forEachWord` is the fast path).
    public func words(in text: String) -> [String] {
        var words = [String]()
        forEachWord(in: text) { word in
            if let index = word.protectedTokenIndex {
                words.append(String(decoding: protectedTokens[index], as: UTF8.self))
            } else {
                words.append(String(decoding: word.bytes, as: UTF8.self))
            }
        }
        return words
    }

    /// Calls `body` for every word of `text`, in order.
    public func forEachWord(in text: String, _ body: (Word) -> Void) {
        var text = text
        text.withUTF8 { input in
            var word = ByteBuffer()
            defer { word.deallocate() }
            var scalarCount = 0

            func flush() {
                guard word.count > 0 else { return }
                body(Word(bytes: word.contents, scalarCount: scalarCount, protectedTokenIndex: nil))
                word.removeAll()
                scalarCount = 0
            }

            func emitAlone(_ bytes: UnsafeBufferPointer<UInt8>, scalarCount: Int) {
                flush()
                body(Word(bytes: bytes, scalarCount: scalarCount, protectedTokenIndex: nil))
            }

            let count = input.count
            var position = 0
            while position < count {
                let byte = input[position]
                if protectedFirstBytes[Int(byte)],
                   let (index, length) = matchProtectedToken(in: input, at: position)
                {
                    flush()
                    body(Word(bytes: UnsafeBufferPointer(start: nil, count: 0), scalarCount: 0,
                              protectedTokenIndex: index))
                    position += length
                    continue
                }
                if byte < 0x80 {
                    switch asciiClasses[Int(byte)] {
                    case .word:
                        word.append(asciiMapped[Int(byte)])
                        scalarCount += 1
                    case .whitespace:
                        flush()
                    case .punctuation:
                        var single = asciiMapped[Int(byte)]
                        withUnsafePointer(to: &single) { pointer in
                            emitAlone(UnsafeBufferPointer(start: pointer, count: 1), scalarCount: 1)
                        }
                    case .dropped:
                        break
                    }
                    position += 1
                    continue
                }
                let (scalar, length) = Self.decodeScalar(input, at: position)
                position += length
                let rule = rules.rule(for: scalar)
                for segment in rule.segments {
                    switch segment.kind {
                    case .word:
                        segment.bytes.withUnsafeBufferPointer { word.append(contentsOf: $0) }
                        scalarCount += segment.scalarCount
                    case .whitespace:
                        flush()
                    case .punctuation:
                        segment.bytes.withUnsafeBufferPointer {
                            emitAlone($0, scalarCount: segment.scalarCount)
                        }
                    case .dropped:
                        break
                    }
                }
            }
            flush()
        }
    }

    /// The longest protected token starting at `position`, as (index, byte length).
    private func matchProtectedToken(in input: UnsafeBufferPointer<UInt8>, at position: Int)
        -> (Int, Int)?
    {
        var best: (Int, Int)?
        for (index, token) in protectedTokens.enumerated()
        where token.count <= input.count - position && token.count > (best?.1 ?? 0) {
            var matches = true
            for offset in 0 ..< token.count where input[position + offset] != token[offset] {
                matches = false
                break
            }
            if matches { best = (index, token.count) }
        }
        return best
    }

    /// Decodes the scalar at `position` of valid UTF-8 (Swift strings always are).
    @inline(__always)
    private static func decodeScalar(_ input: UnsafeBufferPointer<UInt8>, at position: Int)
        -> (Unicode.Scalar, Int)
    {
        let lead = UInt32(input[position])
        let value: UInt32
        let length: Int
        if lead < 0xE0 {
            value = (lead & 0x1F) << 6 | UInt32(input[position + 1] & 0x3F)
            length = 2
        } else if lead < 0xF0 {
            value = (lead & 0x0F) << 12 | UInt32(input[position + 1] & 0x3F) << 6
                | UInt32(input[position + 2] & 0x3F)
            length = 3
        } else {
            value = (lead & 0x07) << 18 | UInt32(input[position + 1] & 0x3F) << 12
                | UInt32(input[position + 2] & 0x3F) << 6 | UInt32(input[position + 3] & 0x3F)
            length = 4
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    // MARK: - Character classes (Hugging Face tokenizers' definitions)

    /// Tab, newline, carriage return and the Unicode White_Space property (Rust's `char::is_whitespace`).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    /// Categories Cc, Cf, Co and Cs, except tab, newline and carriage return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch categoryAsHuggingFaceSeesIt(scalar) {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// `tokenizers` takes general categories from the `unicode_categories`
    /// crate, whose tables stop at Unicode 8.0: a scalar assigned later is
    /// unassigned (Cn) to it, so it is neither control, punctuation nor a mark.
    /// Seven scalars kept their Unicode 8.0 category in that crate but changed it since.
    static func categoryAsHuggingFaceSeesIt(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        switch scalar.value {
        case 0x166D, 0x111C9: return .otherPunctuation
        case 0x1734, 0x1171E: return .nonspacingMark
        case 0x1885, 0x1886: return .otherLetter
        case 0xA9BD: return .spacingMark
        default: break
        }
        guard let age = scalar.properties.age, age.major < 8 || (age.major == 8 && age.minor == 0)
        else { return .unassigned }
        return scalar.properties.generalCategory
    }

    /// Every ASCII symbol and the Unicode punctuation categories (P*).
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33 ... 47).contains(value) || (58 ... 64).contains(value) || (91 ... 96).contains(value)
            || (123 ... 126).contains(value)
        {
            return true
        }
        switch categoryAsHuggingFaceSeesIt(scalar) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ideograph blocks BERT isolates (not Hangul, Hiragana or Katakana).
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00 ... 0x9FFF, 0x3400 ... 0x4DBF, 0x20000 ... 0x2A6DF, 0x2A700 ... 0x2B73F,
             0x2B740 ... 0x2B81F, 0x2B920 ... 0x2CEAF, 0xF900 ... 0xFAFF, 0x2F800 ... 0x2FA1F:
            return true
        default:
            return false
        }
    }
}

/// What one input byte or normalized scalar does to the word being built.
enum ByteClass: UInt8, Sendable {
    case word, whitespace, punctuation, dropped
}

/// A growable byte buffer that is cheaper than `[UInt8].append` in the hot loop.
private struct ByteBuffer {
    private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    private var capacity = 64
    private(set) var count = 0

    var contents: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: capacity * 2) }
        storage[count] = byte
        count += 1
    }

    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        if count + bytes.count > capacity { grow(to: max(capacity * 2, count + bytes.count)) }
        for byte in bytes {
            storage[count] = byte
            count += 1
        }
    }

    mutating func removeAll() { count = 0 }

    private mutating func grow(to newCapacity: Int) {
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = newCapacity
    }

    func deallocate() { storage.deallocate() }
}
