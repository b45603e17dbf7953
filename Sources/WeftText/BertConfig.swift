import Foundation

/// The shape of a BERT encoder, read from and written to a Hugging Face
/// `config.json` (the keys are Hugging Face's, so a Weft checkpoint loads
/// into `transformers.BertModel` and a BERT-family checkpoint loads here).
public struct BertConfig: Sendable, Equatable, Codable {
    /// Rows of the word-embedding table (and columns of the MLM logits).
    public var vocabularySize: Int
    /// Width of every token vector (C).
    public var hiddenSize: Int
    /// Number of Transformer layers.
    public var layerCount: Int
    /// Attention heads per layer; `hiddenSize` must be a multiple of it.
    public var attentionHeadCount: Int
    /// Width of the feed-forward block's hidden layer.
    public var intermediateSize: Int
    /// The feed-forward and MLM-head activation; only `gelu` (erf form) is supported.
    public var hiddenActivation: String
    /// Rows of the position-embedding table: the longest input the model takes.
    public var maximumPositionCount: Int
    /// Rows of the token-type (segment) embedding table.
    public var tokenTypeCount: Int
    /// The epsilon of every LayerNorm.
    public var layerNormEpsilon: Float
    /// The id of the padding token.
    public var paddingTokenId: Int
    /// Dropout after the embeddings and after each residual branch, in training.
    public var hiddenDropoutProbability: Float
    /// Dropout on the attention probabilities, in training.
    public var attentionDropoutProbability: Float
    /// Standard deviation of the normal initialisation of fresh weights.
    public var initializerRange: Float
    /// Post-LN (BERT) or pre-LN; see `LayerNormPlacement`.
    public var layerNormPlacement: LayerNormPlacement

    public init(vocabularySize: Int, hiddenSize: Int, layerCount: Int, attentionHeadCount: Int,
                intermediateSize: Int, hiddenActivation: String = "gelu", maximumPositionCount: Int = 512,
                tokenTypeCount: Int = 2, layerNormEpsilon: Float = 1e-12, paddingTokenId: Int = 0,
                hiddenDropoutProbability: Float = 0.1, attentionDropoutProbability: Float = 0.1,
                initializerRange: Float = 0.02, layerNormPlacement: LayerNormPlacement = .post) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.attentionHeadCount = attentionHeadCount
        self.intermediateSize = intermediateSize
        self.hiddenActivation = hiddenActivation
        self.maximumPositionCount = maximumPositionCount
        self.tokenTypeCount = tokenTypeCount
        self.layerNormEpsilon = layerNormEpsilon
        self.paddingTokenId = paddingTokenId
        self.hiddenDropoutProbability = hiddenDropoutProbability
        self.attentionDropoutProbability = attentionDropoutProbability
        self.initializerRange = initializerRange
        self.layerNormPlacement = layerNormPlacement
    }

    /// Width of one attention head (D = C / H).
    public var headSize: Int { hiddenSize / attentionHeadCount }

    /// Parameters outside the embedding tables, whose count sets the FLOPs per token:
    /// per layer 4C² + 4C (attention) + 2CI + I + C (feed-forward) + 4C (two LayerNorms).
    public var nonEmbeddingParameterCount: Int {
        let c = hiddenSize, i = intermediateSize
        return layerCount * (4 * c * c + 4 * c + 2 * c * i + i + c + 4 * c) + (layerNormPlacement == .pre ? 2 * c : 0)
    }

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case attentionHeadCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case hiddenActivation = "hidden_act"
        case maximumPositionCount = "max_position_embeddings"
        case tokenTypeCount = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case paddingTokenId = "pad_token_id"
        case hiddenDropoutProbability = "hidden_dropout_prob"
        case attentionDropoutProbability = "attention_probs_dropout_prob"
        case initializerRange = "initializer_range"
        case modelType = "model_type"
        case architectures
        case positionEmbeddingType = "position_embedding_type"
        case layerNormPlacement = "layer_norm_placement"
    }

    /// `model_type` of a pre-LN model: not "bert", so Hugging Face refuses it rather than running it as post-LN.
    public static let preLayerNormModelType = "weft_pre_ln_bert"

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        attentionHeadCount = try c.decode(Int.self, forKey: .attentionHeadCount)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
        maximumPositionCount = try c.decodeIfPresent(Int.self, forKey: .maximumPositionCount) ?? 512
        tokenTypeCount = try c.decodeIfPresent(Int.self, forKey: .tokenTypeCount) ?? 2
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-12
        paddingTokenId = try c.decodeIfPresent(Int.self, forKey: .paddingTokenId) ?? 0
        hiddenDropoutProbability = try c.decodeIfPresent(Float.self, forKey: .hiddenDropoutProbability) ?? 0.1
        attentionDropoutProbability = try c.decodeIfPresent(Float.self, forKey: .attentionDropoutProbability) ?? 0.1
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
        layerNormPlacement = try c.decodeIfPresent(LayerNormPlacement.self, forKey: .layerNormPlacement) ?? .post
        // Relative position embeddings change the attention scores; refuse rather than compute wrong vectors.
        if let kind = try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType), kind != "absolute" {
            throw DecodingError.dataCorruptedError(
                forKey: .positionEmbeddingType, in: c,
                debugDescription: "position_embedding_type \"\(kind)\" is not supported (only \"absolute\")")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch layerNormPlacement {
        case .post:
            try c.encode(["BertForMaskedLM"], forKey: .architectures)
            try c.encode("bert", forKey: .modelType)
        case .pre:
            try c.encode(["WeftPreLayerNormBertForMaskedLM"], forKey: .architectures)
            try c.encode(Self.preLayerNormModelType, forKey: .modelType)
            try c.encode(LayerNormPlacement.pre, forKey: .layerNormPlacement)
        }
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(layerCount, forKey: .layerCount)
        try c.encode(attentionHeadCount, forKey: .attentionHeadCount)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(hiddenActivation, forKey: .hiddenActivation)
        try c.encode(maximumPositionCount, forKey: .maximumPositionCount)
        try c.encode(tokenTypeCount, forKey: .tokenTypeCount)
        try c.encode(Double(layerNormEpsilon), forKey: .layerNormEpsilon)
        try c.encode(paddingTokenId, forKey: .paddingTokenId)
        try c.encode(Double(hiddenDropoutProbability), forKey: .hiddenDropoutProbability)
        try c.encode(Double(attentionDropoutProbability), forKey: .attentionDropoutProbability)
        try c.encode(Double(initializerRange), forKey: .initializerRange)
        try c.encode("absolute", forKey: .positionEmbeddingType)
    }

    /// Checks the sizes fit together; `file` names the source in the error.
    public func validate(file: String = "config.json") throws(EncoderError) {
        func bad(_ field: String, _ reason: String) -> EncoderError {
            .invalidConfig(file: file, field: field, reason: reason)
        }
        if vocabularySize <= 0 { throw bad("vocab_size", "must be positive, got \(vocabularySize)") }
        if hiddenSize <= 0 { throw bad("hidden_size", "must be positive, got \(hiddenSize)") }
        if layerCount < 0 { throw bad("num_hidden_layers", "must not be negative, got \(layerCount)") }
        if attentionHeadCount <= 0 || hiddenSize % attentionHeadCount != 0 {
            throw bad("num_attention_heads", "\(attentionHeadCount) heads do not divide hidden_size \(hiddenSize)")
        }
        if intermediateSize <= 0 { throw bad("intermediate_size", "must be positive, got \(intermediateSize)") }
        if !["gelu", "gelu_python"].contains(hiddenActivation) {
            throw bad("hidden_act", "\"\(hiddenActivation)\" is not supported (only \"gelu\", the erf form)")
        }
        if maximumPositionCount <= 0 {
            throw bad("max_position_embeddings", "must be positive, got \(maximumPositionCount)")
        }
        if tokenTypeCount <= 0 { throw bad("type_vocab_size", "must be positive, got \(tokenTypeCount)") }
        if !(layerNormEpsilon > 0) { throw bad("layer_norm_eps", "must be positive, got \(layerNormEpsilon)") }
        if paddingTokenId < 0 || paddingTokenId >= vocabularySize {
            throw bad("pad_token_id", "\(paddingTokenId) is outside the vocabulary of \(vocabularySize)")
        }
        for (field, p) in [("hidden_dropout_prob", hiddenDropoutProbability),
                           ("attention_probs_dropout_prob", attentionDropoutProbability)] where !(p >= 0 && p < 1) {
            throw bad(field, "must be in [0, 1), got \(p)")
        }
    }

    /// Reads and checks a Hugging Face `config.json`.
    public static func load(from url: URL) throws(EncoderError) -> BertConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        let config: BertConfig
        do { config = try JSONDecoder().decode(BertConfig.self, from: data) } catch {
            throw .invalidConfig(file: url.path, field: EncoderError.fieldName(of: error),
                                 reason: EncoderError.reason(of: error))
        }
        try config.validate(file: url.path)
        return config
    }

    /// Writes `config.json` with Hugging Face's keys.
    public func save(to url: URL) throws(EncoderError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(self).write(to: url, options: .atomic) } catch {
            throw .unwritableFile(file: url.path, reason: error.localizedDescription)
        }
    }
}
