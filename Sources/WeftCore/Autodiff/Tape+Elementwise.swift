extension Tape {
    /// a + b (same shape).
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        precondition(a.value.count == b.value.count, "add: shapes \(a.shape) and \(b.shape)")
        let y = Tensor(uninitialized: a.value.shape)
        Kernels.add(y.data, a.value.data, b.value.data, y.count)
        let rec = needsGradient(a, b)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                if a.requiresGrad { Kernels.add(a.gradient().data, a.gradient().data, dy.data, dy.count) }
                if b.requiresGrad { Kernels.add(b.gradient().data, b.gradient().data, dy.data, dy.count) }
            }
        }
        return out
    }

    /// a − b (same shape).
    public func sub(_ a: Variable, _ b: Variable) -> Variable {
        precondition(a.value.count == b.value.count, "sub: shapes \(a.shape) and \(b.shape)")
        let y = Tensor(uninitialized: a.value.shape)
        Kernels.sub(y.data, a.value.data, b.value.data, y.count)
        let rec = needsGradient(a, b)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                if a.requiresGrad { Kernels.axpy(a.gradient().data, 1, dy.data, dy.count) }
                if b.requiresGrad { Kernels.axpy(b.gradient().data, -1, dy.data, dy.count) }
            }
        }
        return out
    }

    /// a ⊙ b (same shape). Backward: da += dy ⊙ b, db += dy ⊙ a.
    public func mul(_ a: Variable, _ b: Variable) -> Variable {
        precondition(a.value.count == b.value.count, "mul: shapes \(a.shape) and \(b.shape)")
        let y = Tensor(uninitialized: a.value.shape)
        Kernels.mul(y.data, a.value.data, b.value.data, y.count)
        let rec = needsGradient(a, b)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                if a.requiresGrad { Kernels.addProduct(a.gradient().data, dy.data, b.value.data, dy.count) }
                if b.requiresGrad { Kernels.addProduct(b.gradient().data, dy.data, a.value.data, dy.count) }
            }
        }
        return out
    }

    /// alpha · x.
    public func scale(_ x: Variable, _ alpha: Float) -> Variable {
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.scale(y.data, x.value.data, alpha, y.count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                Kernels.axpy(x.gradient().data, alpha, dy.data, dy.count)
            }
        }
        return out
    }

    /// x (..., C) + bias (C), broadcast over rows.
    public func addBias(_ x: Variable, _ bias: Variable) -> Variable {
        let c = x.value.lastDimension, rows = x.value.rowCount
        precondition(bias.value.count == c, "addBias: bias \(bias.shape) for input \(x.shape)")
        let y = x.value.copy()
        Kernels.addBias(y.data, bias.value.data, rows: rows, cols: c)
        let rec = needsGradient(x, bias)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                if x.requiresGrad { Kernels.add(x.gradient().data, x.gradient().data, dy.data, dy.count) }
                if bias.requiresGrad {
                    Kernels.accumulateColumnSums(bias.gradient().data, dy.data, rows: rows, cols: c)
                }
            }
        }
        return out
    }

    /// Row scaling: x (N, C) · s (N) → y[n, :] = s[n] · x[n, :].
    /// Backward: dx[n] += s[n] · dy[n], ds[n] += ⟨dy[n], x[n]⟩.
    public func scaleRows(_ x: Variable, by s: Variable) -> Variable {
        let c = x.value.lastDimension, rows = x.value.rowCount
        precondition(s.value.count == rows, "scaleRows: \(s.shape) scales for \(rows) rows")
        let y = Tensor(uninitialized: x.value.shape)
        for r in 0..<rows { Kernels.scale(y.data + r * c, x.value.data + r * c, s.value.data[r], c) }
        let rec = needsGradient(x, s)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                if x.requiresGrad {
                    let gx = x.gradient()
                    for r in 0..<rows { Kernels.axpy(gx.data + r * c, s.value.data[r], dy.data + r * c, c) }
                }
                if s.requiresGrad {
                    let gs = s.gradient()
                    for r in 0..<rows { gs.data[r] += Kernels.dot(dy.data + r * c, x.value.data + r * c, c) }
                }
            }
        }
        return out
    }

    /// The same elements under another shape (a view; the gradient is reshaped back).
    public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        let y = x.value.reshaped(shape)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                Kernels.add(x.gradient().data, x.gradient().data, dy.data, dy.count)
            }
        }
        return out
    }

    /// x (A, B, C, D) → (A, C, B, D); its own inverse with B and C exchanged.
    public func swapMiddle(_ x: Variable) -> Variable {
        precondition(x.value.rank == 4, "swapMiddle needs a 4-D tensor, got \(x.shape)")
        let s = x.value.shape
        let y = Tensor(uninitialized: [s[0], s[2], s[1], s[3]])
        Kernels.swapMiddle(y.data, x.value.data, s[0], s[1], s[2], s[3])
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let back = Tensor(uninitialized: s)
                Kernels.swapMiddle(back.data, dy.data, s[0], s[2], s[1], s[3])
                Kernels.add(x.gradient().data, x.gradient().data, back.data, back.count)
            }
        }
        return out
    }

    /// Σ x → shape [1].
    public func sum(_ x: Variable) -> Variable { reduce(x, mean: false) }

    /// mean(x) → shape [1].
    public func mean(_ x: Variable) -> Variable { reduce(x, mean: true) }

    private func reduce(_ x: Variable, mean: Bool) -> Variable {
        let n = x.value.count
        let s = Kernels.sum(x.value.data, n)
        let y = Tensor(scalar: Float(mean ? s / Double(Swift.max(n, 1)) : s))
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let g = dy.data[0] * (mean ? 1 / Float(Swift.max(n, 1)) : 1)
                let gx = x.gradient()
                for i in 0..<n { gx.data[i] += g }
            }
        }
        return out
    }
}
