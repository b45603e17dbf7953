/// A tensor that takes part in reverse-mode differentiation: a value and,
/// once a backward pass has reached it, an accumulated gradient of the same
/// shape.
///
/// Parameters are long-lived variables with `requiresGrad`; their gradients
/// accumulate (+=) across backward passes until `zeroGrad()`, so gradient
/// accumulation over micro-batches needs no extra code.
public final class Variable: @unchecked Sendable {
    public var value: Tensor
    public var grad: Tensor?
    public let requiresGrad: Bool
    public var name: String

    public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
        self.value = value
        self.requiresGrad = requiresGrad
        self.name = name
    }

    public var shape: [Int] { value.shape }

    /// The gradient buffer, allocated zeroed on first use.
    public func gradient() -> Tensor {
        if let grad { return grad }
        let g = Tensor(zeros: value.shape)
        grad = g
        return g
    }

    /// Clears the accumulated gradient (keeping the buffer).
    public func zeroGrad() { grad?.zero() }
}
