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
        precondition(dimension > 0, "HashedTextFeatures: dimension must be positive")
        let documents = texts.map(terms)
        var documentFrequency: [UInt64: Int] = [:]
        for terms in documents { for t in Set(terms) { documentFrequency[t, default: 0] += 1 } }
        let n = Double(texts.count)
        let out = Tensor(zeros: [texts.count, dimension])
        for (row, terms) in documents.enumerated() {
            var tf: [UInt64: Int] = [:]
            for t in terms { tf[t, default: 0] += 1 }
            let base = out.data + row * dimension
            // Fixed order: colliding terms are summed the same way in every process (hash seeds differ).
            for (t, count) in tf.sorted(by: { $0.key < $1.key }) {
                let idf = Foundation.log((1 + n) / (1 + Double(documentFrequency[t]!))) + 1
                let weight = Float((1 + Foundation.log(Double(count))) * idf)
                let bucket = Int(t % UInt64(dimension))
                base[bucket] += (t >> 63) == 0 ? weight : -weight
            }
            let norm = Kernels.dot(base, base, dimension).squareRoot()
            if norm > 0 { Kernels.scale(base, base, 1 / norm, dimension) }
        }
        return out
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
