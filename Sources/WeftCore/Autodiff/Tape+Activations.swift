extension Tape {
    /// An elementwise op y = f(x) whose backward accumulates dx from dy, x and y.
    private func elementwise(_ x: Variable,
                             forward: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void,
                             backward: @escaping (_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                                  _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Void)
        -> Variable {
        let y = Tensor(uninitialized: x.value.shape)
        forward(y.data, x.value.data, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                backward(x.gradient().data, dy.data, x.value.data, y.data, dy.count)
            }
        }
        return out
    }

    /// GELU (erf form). Backward: dx += dy · gelu'(x).
    public func gelu(_ x: Variable) -> Variable {
        elementwise(x, forward: Kernels.gelu) { dx, dy, x, _, n in Kernels.geluBackward(dx, dy, x, n) }
    }

    /// max(x, 0).
    public func relu(_ x: Variable) -> Variable {
        elementwise(x, forward: Kernels.relu) { dx, dy, x, _, n in Kernels.reluBackward(dx, dy, x, n) }
    }

    /// tanh(x). Backward: dx += dy · (1 − y²).
    public func tanh(_ x: Variable) -> Variable {
        elementwise(x, forward: Kernels.tanh) { dx, dy, _, y, n in
            for i in 0..<n { dx[i] += dy[i] * (1 - y[i] * y[i]) }
        }
    }

    /// σ(x). Backward: dx += dy · y · (1 − y).
    public func sigmoid(_ x: Variable) -> Variable {
        elementwise(x, forward: Kernels.sigmoid) { dx, dy, _, y, n in
            for i in 0..<n { dx[i] += dy[i] * y[i] * (1 - y[i]) }
        }
    }

    /// Inverted dropout with probability p: y = x · mask, mask ∈ {0, 1/(1−p)}.
    /// Identity (no mask drawn) when p = 0.
    public func dropout(_ x: Variable, probability p: Float, using rng: inout SeededGenerator) -> Variable {
        if p == 0 { return x }
        let mask = Tensor(uninitialized: x.value.shape)
        Kernels.dropoutMask(mask.data, count: mask.count, probability: p, using: &rng)
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.mul(y.data, x.value.data, mask.data, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                Kernels.addProduct(x.gradient().data, dy.data, mask.data, dy.count)
            }
        }
        return out
    }
}
