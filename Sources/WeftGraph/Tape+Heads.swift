/// Per-head row operations for attention over edges: a row of C values is
/// split into H heads of C/H values each.
extension Tape {
    /// s[n, h] = Σ_k a[n, h·d + k] · b[n, h·d + k] with d = C / H:
    /// (N, C) × (N, C) → (N, H). With H = 1 the row-wise dot product.
    /// Backward: da[n, h·d + k] += ds[n, h] · b[n, h·d + k], db likewise.
    public func rowDot(_ a: Variable, _ b: Variable, heads: Int = 1) -> Variable {
        let c = a.value.lastDimension, rows = a.value.rowCount
        precondition(b.value.shape == a.value.shape, "rowDot: shapes \(a.shape) and \(b.shape)")
        precondition(heads > 0 && c % heads == 0, "rowDot: \(c) columns do not split into \(heads) heads")
        let d = c / heads
        let y = Tensor(uninitialized: [rows, heads])
        let (ap, bp, yp) = (a.value.data, b.value.data, y.data)
        parallelFor(rows, minimumPerChunk: Swift.max(1, 8192 / Swift.max(c, 1))) { range in
            for n in range {
                for h in 0..<heads { yp[n * heads + h] = Kernels.dot(ap + n * c + h * d, bp + n * c + h * d, d) }
            }
        }
        let rec = needsGradient(a, b)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let ga = a.requiresGrad ? a.gradient().data : nil
                let gb = b.requiresGrad ? b.gradient().data : nil
                let g = dy.data
                parallelFor(rows, minimumPerChunk: Swift.max(1, 8192 / Swift.max(c, 1))) { range in
                    for n in range {
                        for h in 0..<heads {
                            let o = n * c + h * d, w = g[n * heads + h]
                            if let ga { Kernels.axpy(ga + o, w, bp + o, d) }
                            if let gb { Kernels.axpy(gb + o, w, ap + o, d) }
                        }
                    }
                }
            }
        }
        return out
    }

    /// y[n, h·d + k] = w[n, h] · x[n, h·d + k]: x (N, C) weighted per head
    /// by w (N, H). With H = 1 the row scaling.
    /// Backward: dx[n, h·d + k] += w[n, h] · dy[n, h·d + k], dw[n, h] += Σ_k dy · x.
    public func scaleHeads(_ x: Variable, by w: Variable) -> Variable {
        let c = x.value.lastDimension, rows = x.value.rowCount, heads = w.value.lastDimension
        precondition(w.value.rowCount == rows && heads > 0 && c % heads == 0,
                     "scaleHeads: weights \(w.shape) for input \(x.shape)")
        let d = c / heads
        let y = Tensor(uninitialized: x.value.shape)
        let (xp, wp, yp) = (x.value.data, w.value.data, y.data)
        parallelFor(rows, minimumPerChunk: Swift.max(1, 8192 / Swift.max(c, 1))) { range in
            for n in range {
                for h in 0..<heads { Kernels.scale(yp + n * c + h * d, xp + n * c + h * d, wp[n * heads + h], d) }
            }
        }
        let rec = needsGradient(x, w)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let gx = x.requiresGrad ? x.gradient().data : nil
                let gw = w.requiresGrad ? w.gradient().data : nil
                let g = dy.data
                parallelFor(rows, minimumPerChunk: Swift.max(1, 8192 / Swift.max(c, 1))) { range in
                    for n in range {
                        for h in 0..<heads {
                            let o = n * c + h * d
                            if let gx { Kernels.axpy(gx + o, wp[n * heads + h], g + o, d) }
                            if let gw { gw[n * heads + h] += Kernels.dot(g + o, xp + o, d) }
                        }
                    }
                }
            }
        }
        return out
    }
}
