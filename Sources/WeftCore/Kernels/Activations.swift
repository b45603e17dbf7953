extension Kernels {
    /// GELU, erf form as in BERT: gelu(x) = x · Φ(x) = 0.5 · x · (1 + erf(x / √2)).
    public static func gelu(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        parallelFor(n, minimumPerChunk: 32_768) { range in
            map8(out + range.lowerBound, x + range.lowerBound, range.count) { v in
                0.5 * v * (1 + erf8(v * 0.707_106_781))
            }
        }
    }

    /// dx += dy · gelu'(x), gelu'(x) = Φ(x) + x · φ(x), φ(x) = e^{−x²/2} / √(2π).
    public static func geluBackward(_ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
                                    _ x: UnsafePointer<Float>, _ n: Int) {
        parallelFor(n, minimumPerChunk: 32_768) { range in
            var i = range.lowerBound
            let end = range.upperBound
            @inline(__always) func grad(_ v: F8) -> F8 {
                let cdf = 0.5 * (1 + erf8(v * 0.707_106_781))
                let pdf = exp8(-0.5 * v * v) * 0.398_942_28
                return cdf + v * pdf
            }
            while i + 8 <= end {
                store8(load8(dx + i) + load8(dy + i) * grad(load8(x + i)), dx + i)
                i += 8
            }
            while i < end {
                dx[i] += dy[i] * grad(F8(repeating: x[i]))[0]
                i += 1
            }
        }
    }

    /// out = tanh(x) = 1 − 2 / (e^{2x} + 1)
    public static func tanh(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        map8(out, x, n) { v in 1 - 2 / (exp8(2 * v) + 1) }
    }

    /// out = σ(x) = 1 / (1 + e^{−x})
    public static func sigmoid(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        map8(out, x, n) { v in 1 / (1 + exp8(-v)) }
    }
}
