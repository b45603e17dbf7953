import Foundation

/// TF-IDF text vectors with the hashing trick: lower-cased word unigrams
/// and bigrams hashed (FNV-1a) into `dimension` signed buckets, weighted by
/// (1 + log tf) · log((1 + N) / (1 + df)) + 1 and L2-normalised.
///
/// A classical, deterministic text representation with no training. It is
/// not the Transformer encoder: reports name it `hashed-tfidf-<dimension>`
/// so results made with it are never mistaken for encoder results.
public enum HashedTextFeatures {
    /// (texts.count, dimension) vectors; empty texts give zero rows.
    public static func embed(_ texts: [String], dimension: Int = 256) -> Tensor {
        HashedTextEncoder(fitting: texts, dimension: dimension).embed(texts)
    }

    /// Hashes of a text's word unigrams and bigrams.
    static func terms(_ text: String) -> [UInt64] {
        var words: [String] = []
        var current = ""
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var out = words.map { fnv1a($0) }
        if words.count > 1 { for i in 1..<words.count { out.append(fnv1a(words[i - 1] + " " + words[i])) } }
        return out
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
