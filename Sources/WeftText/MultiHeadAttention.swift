import WeftNN

/// BERT's attention block (`attention.self` and `attention.output`):
///   u = x (post-LN) or LN(x) (pre-LN)
///   Q, K, V = u W_qᵀ + b_q, u W_kᵀ + b_k, u W_vᵀ + b_v
///   A = MultiHead(Q, K, V) with padded keys masked (see `Tape.multiHeadAttention`)
///   y = LN(x + dropout(A W_oᵀ + b_o))   (post-LN)
///   y = x + dropout(A W_oᵀ + b_o)       (pre-LN)
public final class MultiHeadAttention: Module {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let outputDense: Linear
    public let outputLayerNorm: LayerNorm
    public let headCount: Int
    public let attentionDropout: Float
    public let hiddenDropout: Dropout
    public let placement: LayerNormPlacement

    init(config: BertConfig, factory: inout ParameterFactory) {
        let c = config.hiddenSize, std = config.initializerRange
        query = factory.linear(inFeatures: c, outFeatures: c, std: std)
        key = factory.linear(inFeatures: c, outFeatures: c, std: std)
        value = factory.linear(inFeatures: c, outFeatures: c, std: std)
        outputDense = factory.linear(inFeatures: c, outFeatures: c, std: std)
        outputLayerNorm = LayerNorm(dimension: c, eps: config.layerNormEpsilon)
        headCount = config.attentionHeadCount
        attentionDropout = config.attentionDropoutProbability
        hiddenDropout = Dropout(probability: config.hiddenDropoutProbability)
        placement = config.layerNormPlacement
    }

    /// x (B, T, C), keyMask (B, T) → (B, T, C).
    public func callAsFunction(_ x: Variable, keyMask: Tensor, tape: Tape, training: Bool,
                               using rng: inout SeededGenerator) -> Variable {
        let u = placement == .pre ? outputLayerNorm(x, tape: tape) : x
        let q = query(u, tape: tape), k = key(u, tape: tape), v = value(u, tape: tape)
        let context = training && attentionDropout > 0
            ? tape.multiHeadAttention(query: q, key: k, value: v, keyMask: keyMask, heads: headCount,
                                      dropoutProbability: attentionDropout, using: &rng)
            : tape.multiHeadAttention(query: q, key: k, value: v, keyMask: keyMask, heads: headCount)
        let projected = hiddenDropout(outputDense(context, tape: tape), tape: tape, training: training, using: &rng)
        return placement == .pre ? tape.add(projected, x) : outputLayerNorm(tape.add(projected, x), tape: tape)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        prefixed("self.query", query) + prefixed("self.key", key) + prefixed("self.value", value)
            + prefixed("output.dense", outputDense) + prefixed("output.LayerNorm", outputLayerNorm)
    }
}
