import Foundation

extension Kernels {
    /// Layer normalisation over the last dimension (C) of `rows` rows:
    ///   out = (x − μ) · rstd · w + b,  rstd = 1 / √(σ² + eps)
    /// with the biased variance, as PyTorch. Saves μ and rstd (rows) for the
    /// backward when `mean`/`rstd` are given.
    public static func layerNorm(_ out: UnsafeMutablePointer<Float>,
                                 mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
                                 _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                 bias: UnsafePointer<Float>, rows: Int, cols c: Int, eps: Float) {
        parallelFor(rows, minimumPerChunk: Swift.max(1, 8192 / Swift.max(c, 1))) { range in
            for r in range {
                let xr = x + r * c
                let or = out + r * c
                let m = Float(sum(xr, c) / Double(c))
                var vacc = F8(repeating: 0)
                var i = 0
                let vm = F8(repeating: m)
                while i + 8 <= c { let d = load8(xr + i) - vm; vacc += d * d; i += 8 }
                var v = vacc.sum()
                while i < c { let d = xr[i] - m; v += d * d; i += 1 }
                let s = 1 / (v / Float(c) + eps).squareRoot()
                mean?[r] = m
                rstd?[r] = s
                let vs = F8(repeating: s)
                i = 0
                while i + 8 <= c {
                    store8((load8(xr + i) - vm) * vs * load8(weight + i) + load8(bias + i), or + i)
                    i += 8
                }
                while i < c { or[i] = (xr[i] - m) * s * weight[i] + bias[i]; i += 1 }
            }
        }
    }

    /// Backward of `layerNorm`, accumulating (+=) into dx, dweight and dbias:
    ///   n̂ = (x − μ)·rstd,  g = dy·w
    ///   dx += rstd · (g − mean(g) − n̂ · mean(g · n̂))
    ///   dw += Σ_rows dy · n̂,  db += Σ_rows dy
    public static func layerNormBackward(dx: UnsafeMutablePointer<Float>,
                                         dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
                                         dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                         weight: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                         rstd: UnsafePointer<Float>, rows: Int, cols c: Int) {
        let chunks = Swift.min(Parallelism.threadCount, Swift.max(1, rows / 8))
        // Per-chunk partial sums of dw and db, reduced at the end: (chunks, 2C)
        let partial = Tensor(zeros: [chunks, 2 * c])
        let per = (rows + chunks - 1) / chunks
        let pp = partial.data
        parallelFor(chunks) { chunkRange in
            let g = UnsafeMutablePointer<Float>.allocate(capacity: c)
            defer { g.deallocate() }
            for chunk in chunkRange {
                let dw = pp + chunk * 2 * c
                let db = dw + c
                for r in (chunk * per)..<Swift.min(rows, (chunk + 1) * per) {
                    let xr = x + r * c, dyr = dy + r * c, dxr = dx + r * c
                    let m = mean[r], s = rstd[r]
                    var sumG: Float = 0, sumGN: Float = 0
                    for i in 0..<c {
                        let nhat = (xr[i] - m) * s
                        let gi = dyr[i] * weight[i]
                        g[i] = gi
                        sumG += gi
                        sumGN += gi * nhat
                        dw[i] += dyr[i] * nhat
                        db[i] += dyr[i]
                    }
                    let meanG = sumG / Float(c), meanGN = sumGN / Float(c)
                    for i in 0..<c {
                        let nhat = (xr[i] - m) * s
                        dxr[i] += s * (g[i] - meanG - nhat * meanGN)
                    }
                }
            }
        }
        for chunk in 0..<chunks {
            add(dweight, dweight, pp + chunk * 2 * c, c)
            add(dbias, dbias, pp + chunk * 2 * c + c, c)
        }
    }

    /// Row softmax of `scale · x` over the last dimension, with an optional
    /// key mask: row r uses mask row `r / rowsPerMask` (1 keeps a column,
    /// 0 drops it). A row whose columns are all masked becomes zeros.
    /// `out` may alias `x`.
    public static func softmax(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                               rows: Int, cols c: Int, scale: Float = 1,
                               mask: UnsafePointer<Float>? = nil, rowsPerMask: Int = 1) {
        parallelFor(rows, minimumPerChunk: Swift.max(1, 4096 / Swift.max(c, 1))) { range in
            for r in range {
                softmaxRow(out + r * c, x + r * c, c, scale, mask.map { $0 + (r / rowsPerMask) * c })
            }
        }
    }

    @inline(__always)
    static func softmaxRow(_ o: UnsafeMutablePointer<Float>, _ xr: UnsafePointer<Float>, _ c: Int,
                           _ scale: Float, _ m: UnsafePointer<Float>?) {
        var mx = -Float.infinity
        if let m {
            for i in 0..<c where m[i] != 0 { mx = Swift.max(mx, xr[i]) }
        } else {
            mx = max(xr, c)
        }
        if mx == -.infinity {
            o.update(repeating: 0, count: c)
            return
        }
        let vs = F8(repeating: scale), vmx = F8(repeating: scale * mx)
        var acc = F8(repeating: 0)
        var i = 0
        while i + 8 <= c {
            var e = exp8(load8(xr + i) * vs - vmx)
            if let m { e = e.replacing(with: 0, where: load8(m + i) .== 0) }
            store8(e, o + i)
            acc += e
            i += 8
        }
        var total = acc.sum()
        while i < c {
            let e: Float = (m == nil || m![i] != 0) ? exp(xr[i] * scale - scale * mx) : 0
            o[i] = e
            total += e
            i += 1
        }
        let inv = F8(repeating: 1 / total)
        i = 0
        while i + 8 <= c { store8(load8(o + i) * inv, o + i); i += 8 }
        while i < c { o[i] *= inv[0]; i += 1 }
    }

    /// Backward of `softmax` given its output y: dx += scale · y · (dy − Σ dy·y).
    public static func softmaxBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                       _ y: UnsafePointer<Float>, rows: Int, cols c: Int, scale: Float = 1) {
        parallelFor(rows, minimumPerChunk: Swift.max(1, 4096 / Swift.max(c, 1))) { range in
            for r in range {
                let o = r * c
                let s = dot(dy + o, y + o, c)
                let vs = F8(repeating: s), sc = F8(repeating: scale)
                var i = 0
                while i + 8 <= c {
                    store8(load8(dx + o + i) + sc * load8(y + o + i) * (load8(dy + o + i) - vs), dx + o + i)
                    i += 8
                }
                while i < c { dx[o + i] += scale * y[o + i] * (dy[o + i] - s); i += 1 }
            }
        }
    }
}
