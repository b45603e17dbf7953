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

    /// Corrupts `ids` in place; returns the chosen positions and their original ids.
    /// Draws one uniform number per eligible token, and two more per chosen one.
    public func mask(_ ids: inout [Int32], using rng: inout SeededGenerator) -> (positions: [Int], labels: [Int32]) {
        var positions: [Int] = [], labels: [Int32] = []
        for i in ids.indices where isEligible(ids[i]) {
            guard rng.nextUniform() < policy.selectionProbability else { continue }
            positions.append(i)
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

    /// Masks every sequence with one running generator and pads them into a
    /// batch. When chance picks no token at all, one eligible token is chosen
    /// so that every batch has a loss.
    public func makeBatch(_ sequences: [[Int32]], using rng: inout SeededGenerator) throws -> MaskedBatch {
        var corrupted = sequences
        var chosen: [[Int]] = [], labels: [[Int32]] = []
        for s in corrupted.indices {
            let (p, l) = mask(&corrupted[s], using: &rng)
            chosen.append(p)
            labels.append(l)
        }
        if chosen.allSatisfy(\.isEmpty) {
            let eligible = sequences.indices.flatMap { s in sequences[s].indices.filter { isEligible(sequences[s][$0]) }.map { (s, $0) } }
            guard !eligible.isEmpty else {
                throw TrainingError.insufficientData(reason: "a batch of \(sequences.count) sequences has no token that can be masked")
            }
            let (s, i) = eligible[rng.nextInt(below: eligible.count)]
            chosen[s] = [i]
            labels[s] = [sequences[s][i]]
            corrupted[s][i] = maskId
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
