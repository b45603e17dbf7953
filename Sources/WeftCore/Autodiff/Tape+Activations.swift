extension Tape {
    /// GELU (erf form). Backward: dx += dy · gelu'(x).
    public func gelu(_ x: Variable) -> Variable {
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.gelu(y.data, x.value.data, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                Kernels.geluBackward(x.gradient().data, dy.data, x.value.data, dy.count)
            }
        }
        return out
    }

    /// max(x, 0).
    public func relu(_ x: Variable) -> Variable {
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.relu(y.data, x.value.data, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                Kernels.reluBackward(x.gradient().data, dy.data, x.value.data, dy.count)
            }
        }
        return out
    }

    /// tanh(x). Backward: dx += dy · (1 − y²).
    public func tanh(_ x: Variable) -> Variable {
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.tanh(y.data, x.value.data, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let gx = x.gradient()
                for i in 0..<dy.count { gx.data[i] += dy.data[i] * (1 - y.data[i] * y.data[i]) }
            }
        }
        return out
    }

    /// σ(x). Backward: dx += dy · y · (1 − y).
    public func sigmoid(_ x: Variable) -> Variable {
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.sigmoid(y.data, x.value.data, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let gx = x.gradient()
                for i in 0..<dy.count { gx.data[i] += dy.data[i] * y.data[i] * (1 - y.data[i]) }
            }
        }
        return out
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
