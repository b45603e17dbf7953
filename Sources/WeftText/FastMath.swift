/// 8-lane e^x and erf for the inference kernels.
///
/// The same polynomials as `Kernels.exp8` / `Kernels.erf8` (relative error
/// below 2e-7), but 2ⁿ is built with the "magic number" trick (adding
/// 1.5·2²³ leaves n in the low mantissa bits) instead of a Float→Int32
/// vector conversion, which the standard library lowers to a per-lane
/// generic call: that conversion alone took a quarter of the encoder's time.
enum FastMath {
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let xc = pointwiseMin(pointwiseMax(x, SIMD8(repeating: -87.3)), SIMD8(repeating: 88.0))
        let n = (xc * 1.442_695_04).rounded(.toNearestOrEven)
        var r = xc - n * 0.693_145_75
        r = r - n * 1.428_606_8e-6
        var p = SIMD8<Float>(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // n is an integer in [−126, 127]; n + 1.5·2²³ holds it in its low bits.
        let shifted = unsafeBitCast(n + 12_582_912, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let power = unsafeBitCast((shifted &+ 127) &<< 23, to: SIMD8<Float>.self)
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
