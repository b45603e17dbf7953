import WeftNN

/// A BERT encoder (`BertModel` without pooler) with an optional masked-LM
/// head (`BertForMaskedLM`), differentiable on the tape.
///
/// B = batch size, T = sequence length, C = hidden size, V = vocabulary size.
///
///   x₀ = Embeddings(ids)                     (B, T, C)
///   x_l = Layer_l(x_{l−1}, mask)  for l = 1 … N
///   last_hidden_state = x_N, or LN_final(x_N) when pre-LN   (B, T, C)
///   logits = MLMHead(x_N)                    (B·T, V)
///
/// Parameter names are Hugging Face's (`bert.embeddings.word_embeddings.weight`,
/// `bert.encoder.layer.0.attention.self.query.weight`, …, `cls.predictions.bias`).
/// For fast inference without the tape use `EncoderInference`.
public final class TransformerEncoder: Module {
    public let config: BertConfig
    public let embeddings: BertEmbeddings
    public let layers: [TransformerLayer]
    /// The LayerNorm after the last layer of a pre-LN encoder (nil for post-LN).
    public let finalLayerNorm: LayerNorm?
    public let languageModelHead: MaskedLanguageModelHead?

    /// A freshly initialised encoder (BERT's initialisation: N(0, initializer_range²)
    /// weights, zero biases, unit LayerNorm weights), with an MLM head when asked.
    public convenience init(config: BertConfig, languageModelHead includeHead: Bool = true,
                            using rng: inout SeededGenerator) throws(EncoderError) {
        var factory = ParameterFactory.random(rng)
        try self.init(config: config, languageModelHead: includeHead, factory: &factory)
        rng = factory.generator!
    }

    /// An encoder whose parameters are zero placeholders, for loading a checkpoint into.
    static func placeholder(config: BertConfig, languageModelHead includeHead: Bool) throws(EncoderError)
        -> TransformerEncoder {
        var factory = ParameterFactory.placeholders
        return try TransformerEncoder(config: config, languageModelHead: includeHead, factory: &factory)
    }

    private init(config: BertConfig, languageModelHead includeHead: Bool,
                 factory: inout ParameterFactory) throws(EncoderError) {
        try config.validate()
        self.config = config
        embeddings = BertEmbeddings(config: config, factory: &factory)
        var layers: [TransformerLayer] = []
        for _ in 0..<config.layerCount { layers.append(TransformerLayer(config: config, factory: &factory)) }
        self.layers = layers
        finalLayerNorm = config.layerNormPlacement == .pre
            ? LayerNorm(dimension: config.hiddenSize, eps: config.layerNormEpsilon) : nil
        languageModelHead = includeHead
            ? MaskedLanguageModelHead(config: config, wordEmbeddings: embeddings.wordEmbeddings.weight, factory: &factory)
            : nil
    }

    /// Convenience for a seeded fresh model.
    public convenience init(config: BertConfig, languageModelHead includeHead: Bool = true,
                            seed: UInt64) throws(EncoderError) {
        var rng = SeededGenerator(seed: seed)
        try self.init(config: config, languageModelHead: includeHead, using: &rng)
    }

    /// last_hidden_state (B, T, C). Dropout applies only when `training`.
    public func callAsFunction(_ input: EncoderInput, tape: Tape, training: Bool,
                               using rng: inout SeededGenerator) throws(EncoderError) -> Variable {
        try input.validate(for: config)
        let mask = input.maskTensor
        var x = embeddings(input, tape: tape, training: training, using: &rng)
        for layer in layers {
            x = layer(x, keyMask: mask, tape: tape, training: training, using: &rng)
        }
        if let finalLayerNorm { x = finalLayerNorm(x, tape: tape) }
        return x
    }

    /// last_hidden_state (B, T, C) without dropout.
    public func callAsFunction(_ input: EncoderInput, tape: Tape) throws(EncoderError) -> Variable {
        var rng = SeededGenerator(seed: 0)
        return try self(input, tape: tape, training: false, using: &rng)
    }

    /// MLM logits (B·T, V) of a last hidden state. Fails when the model has no head.
    public func languageModelLogits(_ hidden: Variable, tape: Tape) throws(EncoderError) -> Variable {
        guard let head = languageModelHead else {
            throw .invalidInput(reason: "this encoder has no masked-language-model head (no cls.predictions.* weights)")
        }
        return head(hidden, tape: tape)
    }

    /// Mean cross-entropy of the MLM logits over positions whose label is not −100.
    public func languageModelLoss(_ input: EncoderInput, labels: [Int32], tape: Tape, training: Bool,
                                  using rng: inout SeededGenerator) throws(EncoderError) -> Variable {
        guard labels.count == input.ids.count else {
            throw .invalidInput(reason: "\(labels.count) labels for \(input.ids.count) positions")
        }
        if let i = labels.firstIndex(where: { $0 != -100 && ($0 < 0 || Int($0) >= config.vocabularySize) }) {
            throw .invalidInput(reason: "label \(labels[i]) at position \(i) is neither −100 nor a vocabulary id")
        }
        let hidden = try self(input, tape: tape, training: training, using: &rng)
        let logits = try languageModelLogits(hidden, tape: tape)
        return Loss.crossEntropy(logits, targets: labels, tape: tape)
    }

    /// One vector per row (B, C) from a last hidden state: mean over real
    /// tokens or the [CLS] vector, then optionally L2-normalised.
    public func pool(_ hidden: Variable, input: EncoderInput, mode: PoolingMode, normalize: Bool,
                     tape: Tape) -> Variable {
        let pooled = switch mode {
        case .mean: tape.maskedMeanPool(hidden, mask: input.maskTensor)
        case .cls: tape.firstTokenPool(hidden)
        }
        return normalize ? tape.l2Normalize(pooled) : pooled
    }

    /// Hugging Face names: `bert.` for the encoder, `cls.predictions.` for the head.
    public func namedParameters() -> [(name: String, parameter: Variable)] {
        var all = prefixed("bert.embeddings", embeddings)
        for (i, layer) in layers.enumerated() { all += prefixed("bert.encoder.layer.\(i)", layer) }
        if let finalLayerNorm { all += prefixed("bert.encoder.final_layer_norm", finalLayerNorm) }
        if let languageModelHead { all += prefixed("cls.predictions", languageModelHead) }
        return all
    }
}
