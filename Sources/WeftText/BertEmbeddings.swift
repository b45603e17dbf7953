import WeftNN

/// BERT's input layer: the sum of word, position and token-type embeddings,
/// then LayerNorm and dropout:
///   e[b,t] = LN(W_word[id[b,t]] + W_pos[t] + W_type[type[b,t]])
public final class BertEmbeddings: Module {
    public let wordEmbeddings: Embedding
    public let positionEmbeddings: Embedding
    public let tokenTypeEmbeddings: Embedding
    public let layerNorm: LayerNorm
    public let dropout: Dropout

    init(config: BertConfig, factory: inout ParameterFactory) {
        wordEmbeddings = factory.embedding(count: config.vocabularySize, dimension: config.hiddenSize,
                                           std: config.initializerRange)
        // Hugging Face zeroes the padding row at initialisation; it still trains.
        (wordEmbeddings.weight.value.data + config.paddingTokenId * config.hiddenSize)
            .update(repeating: 0, count: config.hiddenSize)
        positionEmbeddings = factory.embedding(count: config.maximumPositionCount, dimension: config.hiddenSize,
                                               std: config.initializerRange)
        tokenTypeEmbeddings = factory.embedding(count: config.tokenTypeCount, dimension: config.hiddenSize,
                                                std: config.initializerRange)
        layerNorm = LayerNorm(dimension: config.hiddenSize, eps: config.layerNormEpsilon)
        dropout = Dropout(probability: config.hiddenDropoutProbability)
    }

    /// (B, T) ids → (B, T, C).
    public func callAsFunction(_ input: EncoderInput, tape: Tape, training: Bool,
                               using rng: inout SeededGenerator) -> Variable {
        let (b, t) = (input.batchSize, input.sequenceLength)
        let c = wordEmbeddings.dimension
        let words = wordEmbeddings(input.ids, tape: tape)
        var positionIds = [Int32](repeating: 0, count: b * t)
        for r in 0..<b { for i in 0..<t { positionIds[r * t + i] = Int32(i) } }
        let positions = positionEmbeddings(positionIds, tape: tape)
        let types = tokenTypeEmbeddings(input.tokenTypeIds, tape: tape)
        let sum = tape.add(tape.add(words, positions), types)
        let normalized = layerNorm(tape.reshape(sum, [b, t, c]), tape: tape)
        return dropout(normalized, tape: tape, training: training, using: &rng)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        prefixed("word_embeddings", wordEmbeddings) + prefixed("position_embeddings", positionEmbeddings)
            + prefixed("token_type_embeddings", tokenTypeEmbeddings) + prefixed("LayerNorm", layerNorm)
    }
}
