import WeftCore

extension Tape {
    /// Mean of each row's token vectors over its unmasked positions, as
    /// sentence-transformers' mean pooling:
    ///   y[b] = Σ_t m[b,t] · x[b,t] / max(Σ_t m[b,t], 1e-9)
    /// x (B, T, C), mask (B, T) of 0/1 → (B, C).
    /// Backward: dx[b,t] += m[b,t] / max(Σ_t m[b,t], 1e-9) · dy[b].
    public func maskedMeanPool(_ x: Variable, mask: Tensor) -> Variable {
        let s = x.value.shape
        precondition(s.count == 3 && mask.count == s[0] * s[1], "maskedMeanPool: x \(s), mask \(mask.shape)")
        let (b, t, c) = (s[0], s[1], s[2])
        // (B, T) per-position weights m / count
        let weights = Tensor(uninitialized: [b, t])
        for r in 0..<b {
            let m = mask.data + r * t
            var total: Float = 0
            for i in 0..<t { total += m[i] }
            let inverse = 1 / Swift.max(total, 1e-9)
            for i in 0..<t { weights.data[r * t + i] = m[i] * inverse }
        }
        let y = Tensor(zeros: [b, c])
        for r in 0..<b {
            for i in 0..<t where weights.data[r * t + i] != 0 {
                Kernels.axpy(y.data + r * c, weights.data[r * t + i], x.value.data + (r * t + i) * c, c)
            }
        }
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let gx = x.gradient()
                for r in 0..<b {
                    for i in 0..<t where weights.data[r * t + i] != 0 {
                        Kernels.axpy(gx.data + (r * t + i) * c, weights.data[r * t + i], dy.data + r * c, c)
                    }
                }
            }
        }
        return out
    }

    /// The first position's vector of each row ([CLS] pooling): x (B, T, C) → (B, C).
    public func firstTokenPool(_ x: Variable) -> Variable {
        let s = x.value.shape
        precondition(s.count == 3, "firstTokenPool: x must be (B, T, C), got \(s)")
        let flat = reshape(x, [s[0] * s[1], s[2]])
        return gatherRows(flat, ids: (0..<s[0]).map { Int32($0 * s[1]) })
    }
}
