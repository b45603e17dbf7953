import Foundation

/// `HashedTextFeatures` with its document frequencies fixed by a fitting
/// corpus, so a text encoded later (a new product, a review sentence) gets
/// the vector it would have had at training time, whatever else is in its
/// batch. Weights: (1 + log tf) · log((1 + N) / (1 + df)) + 1, signed
/// buckets, L2-normalised; N and df from the fitting corpus.
public final class HashedTextEncoder: TextEncoding, Codable, @unchecked Sendable {
    public let dimension: Int
    public let documentCount: Int
    /// Term hash → number of fitting documents that contain it.
    public let documentFrequency: [UInt64: Int]

    /// Fits document frequencies on `corpus`.
    public init(fitting corpus: [String], dimension: Int = 256) {
        precondition(dimension > 0, "HashedTextEncoder: dimension must be positive")
        self.dimension = dimension
        documentCount = corpus.count
        var frequency: [UInt64: Int] = [:]
        for text in corpus { for t in Set(HashedTextFeatures.terms(text)) { frequency[t, default: 0] += 1 } }
        documentFrequency = frequency
    }

    init(dimension: Int, documentCount: Int, documentFrequency: [UInt64: Int]) {
        self.dimension = dimension
        self.documentCount = documentCount
        self.documentFrequency = documentFrequency
    }

    public var source: TextEmbeddingSource {
        TextEmbeddingSource(kind: .hashed, dimension: dimension, identity: "hashed-tfidf-\(dimension)-n\(documentCount)",
                            detail: "hashed TF-IDF of word unigrams and bigrams")
    }

    public func embed(_ texts: [String]) -> Tensor {
        let out = Tensor(zeros: [texts.count, dimension])                           // (N, dimension)
        let n = Double(documentCount)
        for (row, text) in texts.enumerated() {
            var tf: [UInt64: Int] = [:]
            for t in HashedTextFeatures.terms(text) { tf[t, default: 0] += 1 }
            let base = out.data + row * dimension
            // Fixed order: colliding terms are summed the same way in every process (hash seeds differ).
            for (t, count) in tf.sorted(by: { $0.key < $1.key }) {
                let idf = Foundation.log((1 + n) / (1 + Double(documentFrequency[t] ?? 0))) + 1
                let weight = Float((1 + Foundation.log(Double(count))) * idf)
                let bucket = Int(t % UInt64(dimension))
                base[bucket] += (t >> 63) == 0 ? weight : -weight
            }
            let norm = Kernels.dot(base, base, dimension).squareRoot()
            if norm > 0 { Kernels.scale(base, base, 1 / norm, dimension) }
        }
        return out
    }
}

extension HashedTextEncoder {
    enum CodingKeys: String, CodingKey { case dimension, documentCount = "document_count", terms, frequencies }

    /// Term hashes are written as hexadecimal strings: JSON numbers above
    /// 2⁵³ do not survive every reader.
    public convenience init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let terms = try c.decode([String].self, forKey: .terms)
        let frequencies = try c.decode([Int].self, forKey: .frequencies)
        guard terms.count == frequencies.count else {
            throw DecodingError.dataCorruptedError(forKey: .frequencies, in: c,
                                                   debugDescription: "\(terms.count) terms but \(frequencies.count) frequencies")
        }
        var table: [UInt64: Int] = [:]
        for (t, f) in zip(terms, frequencies) {
            guard let hash = UInt64(t, radix: 16) else {
                throw DecodingError.dataCorruptedError(forKey: .terms, in: c, debugDescription: "'\(t)' is not a hexadecimal term hash")
            }
            table[hash] = f
        }
        self.init(dimension: try c.decode(Int.self, forKey: .dimension),
                  documentCount: try c.decode(Int.self, forKey: .documentCount), documentFrequency: table)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let sorted = documentFrequency.sorted { $0.key < $1.key }
        try c.encode(dimension, forKey: .dimension)
        try c.encode(documentCount, forKey: .documentCount)
        try c.encode(sorted.map { String($0.key, radix: 16) }, forKey: .terms)
        try c.encode(sorted.map(\.value), forKey: .frequencies)
    }
}
