extension Tape {
    /// y = A · x for a constant sparse A (R, N) and x (N, C) → (R, C).
    /// Backward: dx += Aᵀ · dy, the transpose propagation (A itself when symmetric).
    public func sparseMatmul(_ a: SparseMatrix, _ x: Variable) -> Variable {
        let y = a.multiply(x.value)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                a.transposed.multiply(dy.data, into: x.gradient().data, cols: dy.lastDimension, accumulate: true)
            }
        }
        return out
    }
}
