/// How masked-language-model inputs are corrupted (BERT, Devlin et al. 2019):
/// a `selectionProbability` share of each sequence's tokens is chosen among
/// the eligible ones (see `TokenMasker.mask`); a chosen token becomes `[MASK]` with probability `maskProbability`, a
/// random vocabulary token with probability `randomProbability`, and stays
/// itself otherwise. Only chosen tokens are predicted.
public struct MaskingPolicy: Sendable, Codable, Equatable {
    public var selectionProbability: Float
    public var maskProbability: Float
    public var randomProbability: Float

    public init(selectionProbability: Float = 0.15, maskProbability: Float = 0.8, randomProbability: Float = 0.1) {
        self.selectionProbability = selectionProbability
        self.maskProbability = maskProbability
        self.randomProbability = randomProbability
    }

    /// BERT's 15 % chosen, 80/10/10 mask/random/keep.
    public static let training = MaskingPolicy()

    /// 15 % chosen, all replaced by `[MASK]`: held-out accuracy then measures
    /// prediction from context alone, with no kept or swapped tokens to blur it.
    public static let evaluation = MaskingPolicy(selectionProbability: 0.15, maskProbability: 1, randomProbability: 0)

    func validate() throws(TrainingError) {
        guard selectionProbability > 0 && selectionProbability <= 1 else {
            throw .invalidOption(name: "selection probability", reason: "must be in (0, 1], got \(selectionProbability)")
        }
        guard maskProbability >= 0, randomProbability >= 0, maskProbability + randomProbability <= 1 else {
            throw .invalidOption(name: "mask/random probabilities",
                                 reason: "must be non-negative with a sum of at most 1, got \(maskProbability) and \(randomProbability)")
        }
    }
}
