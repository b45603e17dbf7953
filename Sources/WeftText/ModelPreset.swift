/// Named encoder sizes for pretraining.
///
/// Dropout is off: in a short pretraining run over far more tokens than the
/// model can memorise, dropout only slows learning (Geiping & Goldstein,
/// "Cramming", 2022, found the same for BERT on one GPU-day), and its random
/// masks cost several percent of a step. Fine-tuning turns it back on.
///
/// - `tiny`: 2 layers, hidden 32, 2 heads, feed-forward 64, 64 positions — for tests.
/// - `small`: 4 layers, hidden 256, 4 heads, feed-forward 1024, 128 positions — the shipped model
///   (≈ 3.2 M parameters outside the embeddings, ≈ 4.1 M in the 16k-piece word table).
public enum ModelPreset: String, CaseIterable, Sendable, Codable {
    case tiny
    case small

    /// The preset's shape for a tokenizer of `vocabularySize` ids whose padding id is `paddingTokenId`.
    public func config(vocabularySize: Int, paddingTokenId: Int = 0,
                       layerNormPlacement: LayerNormPlacement = .post) -> BertConfig {
        var config = shape(vocabularySize: vocabularySize, paddingTokenId: paddingTokenId)
        config.layerNormPlacement = layerNormPlacement
        return config
    }

    private func shape(vocabularySize: Int, paddingTokenId: Int) -> BertConfig {
        switch self {
        case .tiny:
            BertConfig(vocabularySize: vocabularySize, hiddenSize: 32, layerCount: 2, attentionHeadCount: 2,
                       intermediateSize: 64, maximumPositionCount: 64, paddingTokenId: paddingTokenId,
                       hiddenDropoutProbability: 0, attentionDropoutProbability: 0)
        case .small:
            BertConfig(vocabularySize: vocabularySize, hiddenSize: 256, layerCount: 4, attentionHeadCount: 4,
                       intermediateSize: 1024, maximumPositionCount: 128, paddingTokenId: paddingTokenId,
                       hiddenDropoutProbability: 0, attentionDropoutProbability: 0)
        }
    }
}
