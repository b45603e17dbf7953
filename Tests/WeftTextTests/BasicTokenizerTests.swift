import Foundation
import Testing
@testable import WeftText

@Suite struct BasicTokenizerTests {
    let uncased = BasicTokenizer()

    @Test func lowercasesStripsAccentsAndSplitsPunctuation() {
        #expect(uncased.words(in: "Café CRÈME, s'il vous plaît!") ==
            ["cafe", "creme", ",", "s", "'", "il", "vous", "plait", "!"])
        #expect(uncased.words(in: "$19.99 (USD)") == ["$", "19", ".", "99", "(", "usd", ")"])
        // Unicode punctuation (P*) splits; symbols (S*) such as € and + do not split in Unicode, only ASCII ones.
        #expect(uncased.words(in: "a—b«c»d€e") == ["a", "—", "b", "«", "c", "»", "d€e"])
        #expect(uncased.words(in: "a+b") == ["a", "+", "b"])
    }

    @Test func isolatesCJKIdeographsButNotKanaOrHangul() {
        #expect(uncased.words(in: "礼品卡abc") == ["礼", "品", "卡", "abc"])
        #expect(uncased.words(in: "カタカナ한국어") == ["カタカナ한국어".decomposedForTest])
    }

    @Test func cleansControlCharactersAndNormalizesWhitespace() {
        #expect(uncased.words(in: "a\u{0}b\u{FFFD}c\u{200B}d\u{7}e") == ["abcde"])
        #expect(uncased.words(in: "a\tb\nc\r\nd\u{A0}e\u{3000}f\u{2028}g") == ["a", "b", "c", "d", "e", "f", "g"])
        // VT, FF and NEL are control characters before they are whitespace, so they vanish.
        #expect(uncased.words(in: "a\u{B}b\u{C}c\u{85}d") == ["abcd"])
        #expect(uncased.words(in: "") == [])
        #expect(uncased.words(in: " \t\n ") == [])
    }

    @Test func keepsCaseAndAccentsWhenCased() {
        let cased = BasicTokenizer(lowercases: false)
        #expect(cased.words(in: "Café Ünïcode") == ["Café", "Ünïcode"])
        let lowercaseOnly = BasicTokenizer(lowercases: true, stripsAccents: false)
        #expect(lowercaseOnly.words(in: "ÉCOLE") == ["école"])
    }

    @Test func protectedTokensAreMatchedVerbatimBeforeNormalization() {
        let basic = BasicTokenizer(protectedTokens: ["[MASK]", "[CLS]"])
        #expect(basic.words(in: "a[MASK]b [mask] [CLS]") ==
            ["a", "[MASK]", "b", "[", "mask", "]", "[CLS]"])
    }
}

extension String {
    /// NFD with nonspacing marks dropped, as BERT's uncased normalization leaves kana and Hangul.
    fileprivate var decomposedForTest: String {
        String(String.UnicodeScalarView(decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark
        }))
    }
}
