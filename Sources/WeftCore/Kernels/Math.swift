/// Vectorised transcendental functions for the kernels. Glibc's scalar
/// `expf`/`erff` cost several nanoseconds each, which would rival the
/// matmuls in attention softmax and GELU.
extension Kernels {
    /// e^x for 8 lanes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6
    /// Taylor polynomial (error < 2e-7 relative), 2^n built in the exponent
    /// bits. Inputs are clamped to [−87.3, 88.0], so very negative x gives
    /// ~1e-38 rather than 0 and large x saturates near Float.greatestFiniteMagnitude.
    @inlinable @inline(__always)
    public static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp, round and convert without `pointwiseMin`, `rounded` or SIMD
        // int conversions: those lower to per-lane scalar code in Swift 6.3.
        let xc = clamp8(x, -87.3, 88.0)
        // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer n in the low
        // mantissa bits; subtracting it back gives n as a float.
        let magic = F8(repeating: 12_582_912)
        let t = xc * 1.442_695_04 + magic
        let n = t - magic
        var r = xc - n * 0.693_145_75
        r = r - n * 1.428_606_8e-6
        var p = F8(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let bits = (ni &+ 127) &<< SIMD8<Int32>(repeating: 23)
        return p * unsafeBitCast(bits, to: F8.self)
    }

    /// min(max(x, lo), hi) lane-wise, by blends (see `exp8`).
    @inlinable @inline(__always)
    public static func clamp8(_ x: SIMD8<Float>, _ lo: Float, _ hi: Float) -> SIMD8<Float> {
        x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    }

    /// e^x for one value, by the same method as `exp8` (so scalar tails agree with vector bodies).
    @inline(__always)
    public static func exp(_ x: Float) -> Float { exp8(F8(repeating: x))[0] }

    /// erf for 8 lanes: erf(x) = sign(x)·(1 − erfc(|x|)) with Numerical
    /// Recipes' Chebyshev fit of erfc (fractional error < 1.2e-7), so
    /// |error| ≤ 2e-7 over the whole line.
    @inlinable @inline(__always)
    public static func erf8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let z = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.5 * z)
        var p = F8(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let erfc = t * exp8(p - z * z as F8)
        let e = 1 - erfc
        return e.replacing(with: -e, where: x .< 0)
    }

    @inline(__always)
    public static func erf(_ x: Float) -> Float { erf8(F8(repeating: x))[0] }

    /// Applies an 8-lane function over n values, padding the tail.
    @inline(__always)
    static func map8(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                     _ f: (F8) -> F8) {
        var i = 0
        while i + 8 <= n { store8(f(load8(x + i)), out + i); i += 8 }
        if i < n {
            var v = F8(repeating: 0)
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let r = f(v)
            for j in 0..<(n - i) { out[i + j] = r[j] }
        }
    }

    /// out = e^x elementwise.
    public static func exp(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
        map8(out, x, n, exp8)
    }
}
