import WeftNN

/// BERT's masked-language-model head (`cls.predictions`), its decoder tied
/// to the word-embedding table:
///   z = LN(GELU(h W_tᵀ + b_t)) · W_wordᵀ + b
/// The tied table's gradient collects both uses (look-up and decoder).
public final class MaskedLanguageModelHead: Module {
    public let transform: Linear
    public let layerNorm: LayerNorm
    public let decoderWeight: Variable
    public let bias: Variable

    init(config: BertConfig, wordEmbeddings: Variable, factory: inout ParameterFactory) {
        transform = factory.linear(inFeatures: config.hiddenSize, outFeatures: config.hiddenSize,
                                   std: config.initializerRange)
        layerNorm = LayerNorm(dimension: config.hiddenSize, eps: config.layerNormEpsilon)
        decoderWeight = wordEmbeddings
        bias = Variable(Tensor(zeros: [config.vocabularySize]), requiresGrad: true, name: "bias")
    }

    /// hidden (B, T, C) → logits (B·T, V).
    public func callAsFunction(_ hidden: Variable, tape: Tape) -> Variable {
        let c = hidden.value.lastDimension
        let flat = tape.reshape(hidden, [hidden.value.rowCount, c])
        let h = layerNorm(tape.gelu(transform(flat, tape: tape)), tape: tape)
        return tape.addBias(tape.matmul(h, decoderWeight, transposeB: true), bias)
    }

    /// The head's own parameters; the tied decoder weight is the word table and is listed there.
    public func namedParameters() -> [(name: String, parameter: Variable)] {
        prefixed("transform.dense", transform) + prefixed("transform.LayerNorm", layerNorm) + [("bias", bias)]
    }
}
