/// A table of `count` learned vectors of size `dimension`; ids (n) → (n, dimension).
public final class Embedding: Module {
    public let weight: Variable

    /// Entries ~ N(0, std²) (BERT initialises with std 0.02).
    public init(count: Int, dimension: Int, std: Float = 0.02, using rng: inout SeededGenerator) {
        weight = Variable(Tensor.randomNormal([count, dimension], std: std, using: &rng), requiresGrad: true,
                          name: "weight")
    }

    public var count: Int { weight.value.shape[0] }
    public var dimension: Int { weight.value.shape[1] }

    public func callAsFunction(_ ids: [Int32], tape: Tape) -> Variable {
        tape.gatherRows(weight, ids: ids)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] { [("weight", weight)] }
}
