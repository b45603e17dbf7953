import WeftCore

/// A batch corrupted for masked-language-model training: the encoder reads
/// `input`; the loss is taken only at `positions`, whose original ids are `labels`.
public struct MaskedBatch: Sendable {
    /// (B, T) corrupted ids, padded on the right.
    public let input: EncoderInput
    /// (M) chosen positions as flat indices b·T + t into the (B·T) rows of the hidden state.
    public let positions: [Int32]
    /// (M) the original id at each chosen position.
    public let labels: [Int32]
    /// Real (non-padding) tokens in the batch, special tokens included.
    public let tokenCount: Int
}

/// Chooses and corrupts tokens by a `MaskingPolicy`. Special tokens
/// (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`, `[UNK]`) are never chosen, and random
/// replacements are drawn from the ordinary (non-special) ids.
public struct TokenMasker: Sendable {
    public let policy: MaskingPolicy
    public let maskId: Int32
    public let paddingId: Int32
    public let vocabularySize: Int
    private let special: Set<Int32>

    public init(specialTokenIds: SpecialTokenIds, vocabularySize: Int, policy: MaskingPolicy,
                tokenizerName: String = "tokenizer") throws(TrainingError) {
        try policy.validate()
        guard let mask = specialTokenIds.mask else {
            throw .missingSpecialToken(token: "[MASK]", tokenizer: tokenizerName)
        }
        self.policy = policy
        maskId = mask
        paddingId = specialTokenIds.padding ?? 0
        self.vocabularySize = vocabularySize
        special = specialTokenIds.nonTextIds.union([specialTokenIds.unknown])
        guard vocabularySize > special.count else {
            throw .invalidOption(name: "vocabulary", reason: "\(vocabularySize) ids leave none that is not special")
        }
    }

    /// Whether `id` may be chosen for prediction.
    public func isEligible(_ id: Int32) -> Bool { !special.contains(id) }

    /// Corrupts `ids` (one sequence, special tokens included) in place;
    /// returns the chosen positions, ascending, and their original ids.
    ///
    /// As BERT's original data pipeline does, exactly round(p · n) of the n
    /// tokens are chosen (at least one, at most the eligible ones), uniformly
    /// among the eligible: full-length packed batches then always have the
    /// same number of predictions, so the head's buffers keep one size.
    public func mask(_ ids: inout [Int32], using rng: inout SeededGenerator) -> (positions: [Int], labels: [Int32]) {
        let eligible = ids.indices.filter { isEligible(ids[$0]) }
        guard !eligible.isEmpty else { return ([], []) }
        let wanted = Int((Double(policy.selectionProbability) * Double(ids.count)).rounded())
        let count = min(eligible.count, max(1, wanted))
        let positions = rng.sample(count, from: eligible.count).map { eligible[$0] }.sorted()
        var labels: [Int32] = []
        labels.reserveCapacity(count)
        for i in positions {
            labels.append(ids[i])
            let r = rng.nextUniform()
            if r < policy.maskProbability {
                ids[i] = maskId
            } else if r < policy.maskProbability + policy.randomProbability {
                ids[i] = randomOrdinaryId(using: &rng)
            }
        }
        return (positions, labels)
    }

    /// A uniformly drawn id that is not special.
    public func randomOrdinaryId(using rng: inout SeededGenerator) -> Int32 {
        while true {
            let id = Int32(rng.nextInt(below: vocabularySize))
            if !special.contains(id) { return id }
        }
    }

    /// Masks every sequence with one running generator and pads them into a batch.
    public func makeBatch(_ sequences: [[Int32]], using rng: inout SeededGenerator) throws -> MaskedBatch {
        var corrupted = sequences
        var chosen: [[Int]] = [], labels: [[Int32]] = []
        for s in corrupted.indices {
            let (p, l) = mask(&corrupted[s], using: &rng)
            chosen.append(p)
            labels.append(l)
        }
        guard chosen.contains(where: { !$0.isEmpty }) else {
            throw TrainingError.insufficientData(reason: "a batch of \(sequences.count) sequences has no token that can be masked")
        }
        return try Self.assemble(corrupted, chosen: chosen, labels: labels, paddingId: paddingId)
    }

    /// Masks sequence i with its own generator seeded from (`seed`, `firstIndex` + i), so the
    /// masking of a text does not depend on the batch it falls in: evaluation is reproducible
    /// across batch sizes. Sequences with nothing chosen simply add no predictions.
    public func makeDeterministicBatch(_ sequences: [[Int32]], seed: UInt64, firstIndex: Int) throws -> MaskedBatch {
        var corrupted = sequences
        var chosen: [[Int]] = [], labels: [[Int32]] = []
        for s in corrupted.indices {
            var rng = SeededGenerator(seed: seed &+ UInt64(firstIndex + s) &* 0x9E37_79B9_7F4A_7C15)
            let (p, l) = mask(&corrupted[s], using: &rng)
            chosen.append(p)
            labels.append(l)
        }
        return try Self.assemble(corrupted, chosen: chosen, labels: labels, paddingId: paddingId)
    }

    private static func assemble(_ sequences: [[Int32]], chosen: [[Int]], labels: [[Int32]],
                                 paddingId: Int32) throws -> MaskedBatch {
        let input = try EncoderInput(sequences: sequences, paddingId: paddingId)
        let t = input.sequenceLength
        var positions: [Int32] = [], flatLabels: [Int32] = []
        for s in sequences.indices {
            for (k, i) in chosen[s].enumerated() {
                positions.append(Int32(s * t + i))
                flatLabels.append(labels[s][k])
            }
        }
        return MaskedBatch(input: input, positions: positions, labels: flatLabels,
                           tokenCount: sequences.reduce(0) { $0 + $1.count })
    }
}
