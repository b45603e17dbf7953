/// 8-lane e^x and erf for the inference kernels.
///
/// The same polynomials as `Kernels.exp8` / `Kernels.erf8` (relative error
/// below 2e-7), but written with selects and float arithmetic only: the
/// standard library lowers a Float→Int32 vector conversion, `rounded` and
/// `pointwiseMin`/`Max` to per-lane calls, and the conversion alone took a
/// quarter of the encoder's time.
enum FastMath {
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Clamp and round with selects and the magic-number trick: the generic
        // pointwiseMin/Max and `rounded` compile to per-lane calls.
        var xc = x.replacing(with: -87.3, where: x .< -87.3)
        xc.replace(with: 88.0, where: xc .> 88.0)
        // t = x·log₂e + 1.5·2²³ rounds x·log₂e to the nearest integer n (ties
        // to even) and leaves n in t's low mantissa bits.
        let t = xc * 1.442_695_04 + 12_582_912
        let n = t - 12_582_912
        var r = xc - n * 0.693_145_75
        r = r - n * 1.428_606_8e-6
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // n is in [−126, 127], so 2ⁿ is the float with exponent field n + 127.
        let integer = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let power = unsafeBitCast((integer &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * power
    }

    /// erf(x) = sign(x)·(1 − erfc(|x|)), Numerical Recipes' Chebyshev fit of erfc.
    @inline(__always)
    static func erf8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let z = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.5 * z)
        var p = SIMD8<Float>(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let erfc = t * exp8(p - z * z)
        let e = 1 - erfc
        return e.replacing(with: -e, where: x .< 0)
    }
}
