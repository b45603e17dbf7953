import WeftCore

/// Row kernels of the inference forward, each fusing what the tape does in
/// several passes (bias, residual, LayerNorm; bias, GELU) into one pass over
/// a row that stays in L1. C = row width.
enum InferenceKernels {
    /// y = LN(a + bias + residual) · w + b, written over `residual`
    /// (post-LN residual block). `a` is the projection without its bias.
    @inline(__always)
    static func biasResidualLayerNorm(_ residual: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>,
                                      bias: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                      shift: UnsafePointer<Float>, width c: Int, eps: Float) {
        var i = 0
        var total = SIMD8<Float>(repeating: 0)
        while i + 8 <= c {
            let x = load(a + i) + load(bias + i) + load(residual + i)
            store(x, a + i)
            total += x
            i += 8
        }
        var sum = total.sum()
        while i < c {
            let x = a[i] + bias[i] + residual[i]
            a[i] = x
            sum += x
            i += 1
        }
        normalize(residual, a, weight: weight, shift: shift, width: c, eps: eps, mean: sum / Float(c))
    }

    /// residual += a + bias (pre-LN residual block: the stream is not normalised).
    @inline(__always)
    static func biasResidual(_ residual: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>, width c: Int) {
        var i = 0
        while i + 8 <= c {
            store(load(residual + i) + load(a + i) + load(bias + i), residual + i)
            i += 8
        }
        while i < c {
            residual[i] += a[i] + bias[i]
            i += 1
        }
    }

    /// out = LN(x) · w + b for one row (pre-LN sub-layer input, final norm); `out` may be `x`.
    @inline(__always)
    static func layerNorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, shift: UnsafePointer<Float>, width c: Int, eps: Float) {
        var total = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= c {
            total += load(x + i)
            i += 8
        }
        var sum = total.sum()
        while i < c {
            sum += x[i]
            i += 1
        }
        normalize(out, x, weight: weight, shift: shift, width: c, eps: eps, mean: sum / Float(c))
    }

    /// y = LN(x) · w + b for one row, given x's mean: variance in a second
    /// pass (x − μ), which keeps Float32 precision when |μ| ≫ σ.
    @inline(__always)
    static func normalize(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, shift: UnsafePointer<Float>,
                          width c: Int, eps: Float, mean m: Float) {
        let vm = SIMD8<Float>(repeating: m)
        var squares = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= c {
            let d = load(x + i) - vm
            squares += d * d
            i += 8
        }
        var v = squares.sum()
        while i < c {
            let d = x[i] - m
            v += d * d
            i += 1
        }
        let s = 1 / (v / Float(c) + eps).squareRoot()
        let vs = SIMD8<Float>(repeating: s)
        i = 0
        while i + 8 <= c {
            store((load(x + i) - vm) * vs * load(weight + i) + load(shift + i), out + i)
            i += 8
        }
        while i < c {
            out[i] = (x[i] - m) * s * weight[i] + shift[i]
            i += 1
        }
    }

    /// x = GELU(x + bias) in place (erf form, as BERT).
    @inline(__always)
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, width n: Int) {
        var i = 0
        while i + 8 <= n {
            let v = load(x + i) + load(bias + i)
            store(0.5 * v * (1 + Kernels.erf8(v * 0.707_106_781)), x + i)
            i += 8
        }
        if i < n {
            var v = SIMD8<Float>(repeating: 0)
            for j in 0..<(n - i) { v[j] = x[i + j] + bias[i + j] }
            let g = 0.5 * v * (1 + Kernels.erf8(v * 0.707_106_781))
            for j in 0..<(n - i) { x[i + j] = g[j] }
        }
    }

    /// x += bias for `rows` rows of width `n` at stride `ld`.
    @inline(__always)
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, stride ld: Int,
                        bias: UnsafePointer<Float>, width n: Int) {
        for r in 0..<rows { Kernels.add(x + r * ld, x + r * ld, bias, n) }
    }

    /// Embedding of one token: LN(word + position + type) · w + b.
    @inline(__always)
    static func embed(_ out: UnsafeMutablePointer<Float>, word: UnsafePointer<Float>,
                      position: UnsafePointer<Float>, type: UnsafePointer<Float>,
                      weight: UnsafePointer<Float>, shift: UnsafePointer<Float>, width c: Int, eps: Float) {
        var i = 0
        var total = SIMD8<Float>(repeating: 0)
        while i + 8 <= c {
            let x = load(word + i) + load(position + i) + load(type + i)
            store(x, out + i)
            total += x
            i += 8
        }
        var sum = total.sum()
        while i < c {
            let x = word[i] + position[i] + type[i]
            out[i] = x
            sum += x
            i += 1
        }
        normalize(out, out, weight: weight, shift: shift, width: c, eps: eps, mean: sum / Float(c))
    }
}
