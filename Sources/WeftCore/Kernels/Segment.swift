/// Segment (CSR) reductions for graphs. Segment s owns the rows
/// offsets[s] ..< offsets[s + 1] of a (E, C) value matrix; out is (S, C).
/// Empty segments give zeros.
extension Kernels {
    public static func segmentSum(_ out: UnsafeMutablePointer<Float>, _ values: UnsafePointer<Float>,
                                  offsets: UnsafePointer<Int32>, segments: Int, cols c: Int, mean: Bool = false) {
        parallelFor(segments, minimumPerChunk: 64) { range in
            for s in range {
                let o = out + s * c
                o.update(repeating: 0, count: c)
                let lo = Int(offsets[s]), hi = Int(offsets[s + 1])
                for e in lo..<hi { add(o, o, values + e * c, c) }
                if mean, hi > lo { scale(o, o, 1 / Float(hi - lo), c) }
            }
        }
    }

    /// Backward of segment sum / mean: dvalues[e] += dout[s] (÷ count for mean).
    public static func segmentSumBackward(_ dvalues: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                                          offsets: UnsafePointer<Int32>, segments: Int, cols c: Int,
                                          mean: Bool = false) {
        parallelFor(segments, minimumPerChunk: 64) { range in
            for s in range {
                let lo = Int(offsets[s]), hi = Int(offsets[s + 1])
                if hi == lo { continue }
                let w: Float = mean ? 1 / Float(hi - lo) : 1
                for e in lo..<hi { axpy(dvalues + e * c, w, dout + s * c, c) }
            }
        }
    }

    /// Segment max per column; argmax[s, c] is the winning row (−1 if empty).
    public static func segmentMax(_ out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>,
                                  _ values: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                                  segments: Int, cols c: Int) {
        parallelFor(segments, minimumPerChunk: 64) { range in
            for s in range {
                let lo = Int(offsets[s]), hi = Int(offsets[s + 1])
                for j in 0..<c {
                    var best = -Float.infinity, arg: Int32 = -1
                    for e in lo..<hi where values[e * c + j] > best || arg < 0 {
                        best = values[e * c + j]; arg = Int32(e)
                    }
                    out[s * c + j] = arg < 0 ? 0 : best
                    argmax[s * c + j] = arg
                }
            }
        }
    }

    /// Backward of segment max: the gradient flows to each column's winner.
    public static func segmentMaxBackward(_ dvalues: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                                          argmax: UnsafePointer<Int32>, segments: Int, cols c: Int) {
        for s in 0..<segments {
            for j in 0..<c {
                let e = argmax[s * c + j]
                if e >= 0 { dvalues[Int(e) * c + j] += dout[s * c + j] }
            }
        }
    }

    /// Softmax of edge scores within each segment, per column (e.g. per
    /// attention head): out[e, h] = exp(x[e, h]) / Σ_{e' in seg(e)} exp(x[e', h]).
    public static func segmentSoftmax(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                      offsets: UnsafePointer<Int32>, segments: Int, cols c: Int) {
        parallelFor(segments, minimumPerChunk: 64) { range in
            for s in range {
                let lo = Int(offsets[s]), hi = Int(offsets[s + 1])
                if hi == lo { continue }
                for j in 0..<c {
                    var mx = -Float.infinity
                    for e in lo..<hi { mx = Swift.max(mx, x[e * c + j]) }
                    var total: Float = 0
                    for e in lo..<hi { let v = exp(x[e * c + j] - mx); out[e * c + j] = v; total += v }
                    for e in lo..<hi { out[e * c + j] /= total }
                }
            }
        }
    }

    /// Backward of segment softmax given its output y:
    /// dx[e] += y[e] · (dy[e] − Σ_{e' in seg} dy[e'] · y[e']).
    public static func segmentSoftmaxBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                              _ y: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                                              segments: Int, cols c: Int) {
        parallelFor(segments, minimumPerChunk: 64) { range in
            for s in range {
                let lo = Int(offsets[s]), hi = Int(offsets[s + 1])
                for j in 0..<c {
                    var dotp: Float = 0
                    for e in lo..<hi { dotp += dy[e * c + j] * y[e * c + j] }
                    for e in lo..<hi { dx[e * c + j] += y[e * c + j] * (dy[e * c + j] - dotp) }
                }
            }
        }
    }
}
