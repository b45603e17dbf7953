/// Layer normalisation over the last dimension:
/// y = (x − μ) / √(σ² + eps) · weight + bias, biased variance as in PyTorch.
public final class LayerNorm: Module {
    public let weight: Variable
    public let bias: Variable
    public let eps: Float

    public init(dimension: Int, eps: Float = 1e-5) {
        weight = Variable(Tensor(repeating: 1, shape: [dimension]), requiresGrad: true, name: "weight")
        bias = Variable(Tensor(zeros: [dimension]), requiresGrad: true, name: "bias")
        self.eps = eps
    }

    public func callAsFunction(_ x: Variable, tape: Tape) -> Variable {
        tape.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        [("weight", weight), ("bias", bias)]
    }
}
