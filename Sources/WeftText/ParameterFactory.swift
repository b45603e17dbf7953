import WeftNN

/// Makes the encoder's layers either freshly initialised (BERT's scheme:
/// N(0, std²) weights, zero biases) or as zero placeholders of the right
/// shapes, for a model whose weights are about to be loaded: drawing the
/// 12 million normal samples of a MiniLM word table only to overwrite them
/// would dominate the load time.
struct ParameterFactory {
    /// Nil: placeholders.
    var generator: SeededGenerator?

    static func random(_ generator: SeededGenerator) -> ParameterFactory { ParameterFactory(generator: generator) }
    static var placeholders: ParameterFactory { ParameterFactory(generator: nil) }

    mutating func linear(inFeatures: Int, outFeatures: Int, std: Float) -> Linear {
        if var rng = generator {
            defer { generator = rng }
            return Linear(inFeatures: inFeatures, outFeatures: outFeatures, std: std, using: &rng)
        }
        // A 1×1 layer costs two draws; its tensors are then replaced by zeros of the real shape.
        var rng = SeededGenerator(seed: 0)
        let layer = Linear(inFeatures: 1, outFeatures: 1, std: std, using: &rng)
        layer.weight.value = Tensor(zeros: [outFeatures, inFeatures])
        layer.bias?.value = Tensor(zeros: [outFeatures])
        return layer
    }

    mutating func embedding(count: Int, dimension: Int, std: Float) -> Embedding {
        if var rng = generator {
            defer { generator = rng }
            return Embedding(count: count, dimension: dimension, std: std, using: &rng)
        }
        var rng = SeededGenerator(seed: 0)
        let table = Embedding(count: 1, dimension: 1, std: std, using: &rng)
        table.weight.value = Tensor(zeros: [count, dimension])
        return table
    }
}
