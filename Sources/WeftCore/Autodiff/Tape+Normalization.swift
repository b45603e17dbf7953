extension Tape {
    /// Layer normalisation over the last dimension with weight and bias (C).
    public func layerNorm(_ x: Variable, weight: Variable, bias: Variable, eps: Float) -> Variable {
        let c = x.value.lastDimension, rows = x.value.rowCount
        precondition(weight.value.count == c && bias.value.count == c,
                     "layerNorm: weight \(weight.shape) / bias \(bias.shape) for input \(x.shape)")
        let y = Tensor(uninitialized: x.value.shape)
        let rec = needsGradient(x, weight, bias)
        let mean = rec ? Tensor(uninitialized: [rows]) : nil
        let rstd = rec ? Tensor(uninitialized: [rows]) : nil
        Kernels.layerNorm(y.data, mean: mean?.data, rstd: rstd?.data, x.value.data,
                          weight: weight.value.data, bias: bias.value.data, rows: rows, cols: c, eps: eps)
        let out = output(y, recorded: rec)
        if rec, let mean, let rstd {
            record {
                guard let dy = out.grad else { return }
                // Unused gradients go to scratch buffers so the kernel stays branch-free.
                let dx = x.requiresGrad ? x.gradient() : Tensor(zeros: x.value.shape)
                let dw = weight.requiresGrad ? weight.gradient() : Tensor(zeros: [c])
                let db = bias.requiresGrad ? bias.gradient() : Tensor(zeros: [c])
                Kernels.layerNormBackward(dx: dx.data, dweight: dw.data, dbias: db.data, dy: dy.data,
                                          x: x.value.data, weight: weight.value.data, mean: mean.data,
                                          rstd: rstd.data, rows: rows, cols: c)
            }
        }
        return out
    }

    /// Softmax of scale · x over the last dimension, with an optional key
    /// mask (see `Kernels.softmax`).
    public func softmax(_ x: Variable, scale: Float = 1, mask: Tensor? = nil, rowsPerMask: Int = 1) -> Variable {
        let c = x.value.lastDimension, rows = x.value.rowCount
        if let mask {
            precondition(mask.count * rowsPerMask == rows * c,
                         "softmax: mask \(mask.shape) × \(rowsPerMask) rows does not cover \(x.shape)")
        }
        let y = Tensor(uninitialized: x.value.shape)
        Kernels.softmax(y.data, x.value.data, rows: rows, cols: c, scale: scale,
                        mask: mask.map { UnsafePointer($0.data) }, rowsPerMask: rowsPerMask)
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                Kernels.softmaxBackward(x.gradient().data, dy.data, y.data, rows: rows, cols: c, scale: scale)
            }
        }
        return out
    }

    /// Rows scaled to unit L2 norm: y = x / max(‖x‖, eps).
    /// Backward: dx = (dy − y · ⟨dy, y⟩) / max(‖x‖, eps).
    public func l2Normalize(_ x: Variable, eps: Float = 1e-12) -> Variable {
        let c = x.value.lastDimension, rows = x.value.rowCount
        let y = Tensor(uninitialized: x.value.shape)
        let norms = Tensor(uninitialized: [rows])
        for r in 0..<rows {
            let xr = x.value.data + r * c
            let n = Swift.max(Kernels.dot(xr, xr, c).squareRoot(), eps)
            norms.data[r] = n
            Kernels.scale(y.data + r * c, xr, 1 / n, c)
        }
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let gx = x.gradient()
                for r in 0..<rows {
                    let o = r * c
                    let d = Kernels.dot(dy.data + o, y.data + o, c)
                    let inv = 1 / norms.data[r]
                    for i in 0..<c { gx.data[o + i] += (dy.data[o + i] - y.data[o + i] * d) * inv }
                }
            }
        }
        return out
    }
}
