extension Tape {
    /// Concatenation along the last dimension: parts (N, C_k) → (N, Σ C_k).
    /// Backward: each part gets its column block of dy.
    public func concatenateColumns(_ parts: [Variable]) -> Variable {
        precondition(!parts.isEmpty, "concatenateColumns of no tensors")
        let rows = parts[0].value.rowCount
        precondition(parts.allSatisfy { $0.value.rowCount == rows }, "concatenateColumns: row counts differ")
        let widths = parts.map { $0.value.lastDimension }
        let total = widths.reduce(0, +)
        let y = Tensor(uninitialized: [rows, total])
        var start = 0
        for (p, w) in zip(parts, widths) {
            let src = p.value.data, dst = y.data
            let s = start
            parallelFor(rows, minimumPerChunk: Swift.max(1, 16_384 / Swift.max(total, 1))) { range in
                for r in range { (dst + r * total + s).update(from: src + r * w, count: w) }
            }
            start += w
        }
        let rec = needsGradient(parts)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                var start = 0
                for (p, w) in zip(parts, widths) {
                    if p.requiresGrad {
                        let g = p.gradient().data, src = dy.data, s = start
                        parallelFor(rows, minimumPerChunk: Swift.max(1, 16_384 / Swift.max(total, 1))) { range in
                            for r in range { Kernels.add(g + r * w, g + r * w, src + r * total + s, w) }
                        }
                    }
                    start += w
                }
            }
        }
        return out
    }
}
