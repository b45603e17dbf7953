extension Tape {
    /// The first `count` rows of x (N, C) → (count, C), sharing storage.
    /// Backward: dx[0..<count] += dy, the other rows get nothing.
    public func prefixRows(_ x: Variable, _ count: Int) -> Variable {
        let rows = x.value.shape.first ?? 0
        precondition(count >= 0 && count <= rows, "prefixRows: \(count) of \(rows) rows")
        if count == rows { return x }
        let y = x.value.rows(0..<count)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let g = x.gradient()
                Kernels.add(g.data, g.data, dy.data, dy.count)
            }
        }
        return out
    }
}
