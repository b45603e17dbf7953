import WeftNN

/// One BERT layer:
///   h = Attention(x)                                   (with its own residual and LN)
///   y = LN(h + dropout(GELU(h W_1ᵀ + b_1) W_2ᵀ + b_2))       (post-LN)
///   y = h + dropout(GELU(LN(h) W_1ᵀ + b_1) W_2ᵀ + b_2)       (pre-LN)
public final class TransformerLayer: Module {
    public let attention: MultiHeadAttention
    public let intermediate: Linear
    public let output: Linear
    public let outputLayerNorm: LayerNorm
    public let hiddenDropout: Dropout
    public let placement: LayerNormPlacement

    init(config: BertConfig, factory: inout ParameterFactory) {
        let c = config.hiddenSize, i = config.intermediateSize, std = config.initializerRange
        attention = MultiHeadAttention(config: config, factory: &factory)
        intermediate = factory.linear(inFeatures: c, outFeatures: i, std: std)
        output = factory.linear(inFeatures: i, outFeatures: c, std: std)
        outputLayerNorm = LayerNorm(dimension: c, eps: config.layerNormEpsilon)
        hiddenDropout = Dropout(probability: config.hiddenDropoutProbability)
        placement = config.layerNormPlacement
    }

    /// x (B, T, C), keyMask (B, T) → (B, T, C).
    public func callAsFunction(_ x: Variable, keyMask: Tensor, tape: Tape, training: Bool,
                               using rng: inout SeededGenerator) -> Variable {
        let h = attention(x, keyMask: keyMask, tape: tape, training: training, using: &rng)
        let u = placement == .pre ? outputLayerNorm(h, tape: tape) : h
        let f = output(tape.gelu(intermediate(u, tape: tape)), tape: tape)
        let dropped = hiddenDropout(f, tape: tape, training: training, using: &rng)
        return placement == .pre ? tape.add(dropped, h) : outputLayerNorm(tape.add(dropped, h), tape: tape)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        prefixed("attention", attention) + prefixed("intermediate.dense", intermediate)
            + prefixed("output.dense", output) + prefixed("output.LayerNorm", outputLayerNorm)
    }
}
