/// y = x · Wᵀ + b. x (..., inFeatures) → y (..., outFeatures); W is
/// (outFeatures, inFeatures) as in PyTorch and Hugging Face checkpoints.
public final class Linear: Module {
    public let weight: Variable
    public let bias: Variable?

    /// PyTorch's default initialisation: W, b ~ U(−1/√in, 1/√in); or
    /// N(0, std²) weights with zero bias when `std` is given (BERT uses 0.02).
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, std: Float? = nil,
                using rng: inout SeededGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        let w = std.map { Tensor.randomNormal([outFeatures, inFeatures], std: $0, using: &rng) }
            ?? Tensor.randomUniform([outFeatures, inFeatures], low: -bound, high: bound, using: &rng)
        weight = Variable(w, requiresGrad: true, name: "weight")
        if bias {
            let b = std != nil ? Tensor(zeros: [outFeatures])
                : Tensor.randomUniform([outFeatures], low: -bound, high: bound, using: &rng)
            self.bias = Variable(b, requiresGrad: true, name: "bias")
        } else {
            self.bias = nil
        }
    }

    public var inFeatures: Int { weight.value.shape[1] }
    public var outFeatures: Int { weight.value.shape[0] }

    public func callAsFunction(_ x: Variable, tape: Tape) -> Variable {
        tape.linear(x, weight: weight, bias: bias)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        var p: [(name: String, parameter: Variable)] = [("weight", weight)]
        if let bias { p.append(("bias", bias)) }
        return p
    }
}
