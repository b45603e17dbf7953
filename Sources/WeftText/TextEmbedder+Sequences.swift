import WeftCore

/// The two halves of `TextEmbedder.embed`, for callers that encode the
/// sequences of many requests together (the HTTP service's dynamic batching):
/// `sequences(for:longTexts:)` tokenizes and applies the long-text strategy
/// without touching the encoder, `combine(_:pooled:normalize:)` turns pooled
/// sequence vectors back into one vector per text exactly as `embed` does.
extension TextEmbedder {
    /// The encoder sequences of some texts and what happened to long ones.
    public struct PreparedTexts: Sendable {
        /// Token ids with the special tokens around them, text by text.
        public var sequences: [[Int32]]
        /// The text each sequence belongs to.
        public var owners: [Int]
        /// Per text: content tokens dropped by truncation.
        public var truncatedTokenCounts: [Int]
        /// Per text: sequences encoded (1 unless chunked).
        public var chunkCounts: [Int]
        /// Per text: content tokens, special tokens excluded, before truncation.
        public var contentTokenCounts: [Int]

        public var textCount: Int { truncatedTokenCounts.count }
        /// Real tokens that go through the encoder, special tokens included.
        public var tokenCount: Int { sequences.reduce(0) { $0 + $1.count } }

        /// The texts at `indices` (in that order) with their sequences, renumbered from 0.
        public func subset(_ indices: [Int]) -> PreparedTexts {
            var position = [Int: Int]()
            for (k, t) in indices.enumerated() { position[t] = k }
            var result = PreparedTexts(sequences: [], owners: [], truncatedTokenCounts: indices.map { truncatedTokenCounts[$0] },
                                       chunkCounts: indices.map { chunkCounts[$0] },
                                       contentTokenCounts: indices.map { contentTokenCounts[$0] })
            for (s, t) in owners.enumerated() {
                guard let k = position[t] else { continue }
                result.sequences.append(sequences[s])
                result.owners.append(k)
            }
            return result
        }
    }

    /// Content tokens that fit in one sequence next to the special tokens.
    public var contentRoom: Int {
        maximumLength - (tokenizer.specialTokenIds.classification == nil ? 0 : 1)
            - (tokenizer.specialTokenIds.separator == nil ? 0 : 1)
    }

    /// Tokenizes `texts` (safe from any thread: the tokenizer is immutable) into encoder sequences.
    public func sequences(for texts: [String], longTexts: LongTextStrategy) throws -> PreparedTexts {
        let room = contentRoom
        var prepared = PreparedTexts(sequences: [], owners: [], truncatedTokenCounts: [], chunkCounts: [],
                                     contentTokenCounts: [])
        for (t, ids) in try contentIds(texts).enumerated() {
            prepared.contentTokenCounts.append(ids.count)
            var truncated = 0, chunks = 0
            if ids.count <= room {
                prepared.sequences.append(wrap(ids[...]))
                prepared.owners.append(t)
                chunks = 1
            } else {
                switch longTexts {
                case .truncate(let side):
                    prepared.sequences.append(wrap(side == .right ? ids.prefix(room) : ids.suffix(room)))
                    prepared.owners.append(t)
                    truncated = ids.count - room
                    chunks = 1
                case .chunk(let overlap):
                    guard overlap >= 0 && overlap < room else {
                        throw EncoderError.invalidInput(reason: "chunk overlap \(overlap) must be in 0..<\(room)")
                    }
                    for window in Self.windows(count: ids.count, size: room, overlap: overlap) {
                        prepared.sequences.append(wrap(ids[window]))
                        prepared.owners.append(t)
                        chunks += 1
                    }
                }
            }
            prepared.truncatedTokenCounts.append(truncated)
            prepared.chunkCounts.append(chunks)
        }
        return prepared
    }

    /// One vector per text from `pooled`, (sequences, C) unnormalised pooled
    /// vectors of `prepared.sequences`: windows of a text are averaged weighted
    /// by their token counts, then scaled to unit length when `normalize`
    /// (default: the model's pooling settings). Returns (texts, C).
    public func combine(_ prepared: PreparedTexts, pooled: UnsafePointer<Float>, normalize: Bool?) -> Tensor {
        let c = dimension
        let vectors = Tensor(zeros: [prepared.textCount, c])
        var weights = [Float](repeating: 0, count: prepared.textCount)
        for (s, t) in prepared.owners.enumerated() {
            let n = Float(prepared.sequences[s].count)
            Kernels.axpy(vectors.data + t * c, n, pooled + s * c, c)
            weights[t] += n
        }
        let unit = normalize ?? pooling.normalize
        for t in 0..<prepared.textCount {
            let row = vectors.data + t * c
            Kernels.scale(row, row, 1 / weights[t], c)
            if unit {
                let norm = Kernels.dot(row, row, c).squareRoot()
                Kernels.scale(row, row, 1 / max(norm, 1e-12), c)
            }
        }
        return vectors
    }
}
