/// Conversions between Float32 and the two 16-bit float formats found in
/// checkpoints: IEEE binary16 ("F16") and bfloat16 ("BF16").
///
/// They work on bit patterns, using the FPU only for one multiply or add
/// whose operands and result are normal numbers, so they give the same answer
/// on every platform (Swift's `Float16` is missing on macOS x86) and under
/// flush-to-zero modes. Narrowing rounds to nearest,
/// ties to even, as PyTorch and NumPy do; NaN stays NaN (quiet, sign and top
/// payload bits kept) and overflow gives infinity.
public enum Float16Conversion {
    // MARK: binary16

    /// The Float32 value of a binary16 bit pattern (exact: every binary16 is a Float32).
    @inlinable @inline(__always)
    public static func float(fromFloat16Bits bits: UInt16) -> Float {
        let h = UInt32(bits)
        let sign = (h & 0x8000) << 16
        let exponent = h & 0x7C00
        let mantissa = h & 0x03FF
        // Re-biasing the exponent from 15 to 127 adds 112 << 23.
        let normal = ((h & 0x7FFF) << 13) &+ 0x3800_0000
        let infinityOrNaN = 0x7F80_0000 | (mantissa << 13)
        // A subnormal is mantissa · 2^-24; the product is a normal Float32, so
        // denormals-are-zero modes cannot disturb it.
        let subnormal = (Float(Int32(bitPattern: mantissa)) * 0x1p-24).bitPattern
        let magnitude = exponent == 0x7C00 ? infinityOrNaN : (exponent == 0 ? subnormal : normal)
        return Float(bitPattern: sign | magnitude)
    }

    /// The binary16 bit pattern nearest to `value` (ties to even).
    @inlinable @inline(__always)
    public static func float16Bits(from value: Float) -> UInt16 {
        var bits = value.bitPattern
        let sign = bits & 0x8000_0000
        bits ^= sign
        let magnitude: UInt32
        if bits >= 0x4780_0000 {
            // |value| ≥ 65536 (or inf/NaN); finite values from 65520 up round to
            // infinity in the normal branch below, these are past it.
            magnitude = bits > 0x7F80_0000 ? 0x7E00 | ((bits >> 13) & 0x03FF) : 0x7C00
        } else if bits < 0x3880_0000 {
            // |value| < 2^-14: a binary16 subnormal or zero. Adding 0.5 puts the
            // value's 2^-24 unit in the last mantissa bit of the sum, so the
            // FPU's own round-to-nearest-even does the rounding.
            let sum = Float(bitPattern: bits) + 0.5
            magnitude = sum.bitPattern &- 0x3F00_0000
        } else {
            // Re-bias (−112 << 23), add just under half a binary16 ulp, plus one
            // more when the kept mantissa is odd: ties go to even.
            let mantissaIsOdd = (bits >> 13) & 1
            magnitude = (bits &+ 0xC800_0FFF &+ mantissaIsOdd) >> 13
        }
        return UInt16(truncatingIfNeeded: magnitude | (sign >> 16))
    }

    // MARK: bfloat16

    /// The Float32 value of a bfloat16 bit pattern (exact: bfloat16 is a truncated Float32).
    @inlinable @inline(__always)
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The bfloat16 bit pattern nearest to `value` (ties to even).
    @inlinable @inline(__always)
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if bits & 0x7FFF_FFFF > 0x7F80_0000 {
            // Truncating could clear every payload bit and make an infinity.
            return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040)
        }
        let roundingBias: UInt32 = 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    // MARK: Buffers

    /// Widens `count` little-endian binary16 values at `source` (any alignment) into `destination`.
    public static func widenFloat16(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            destination[i] = float(fromFloat16Bits: bits)
        }
    }

    /// Widens `count` little-endian bfloat16 values at `source` (any alignment) into `destination`.
    public static func widenBFloat16(_ source: UnsafeRawPointer, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            destination[i] = float(fromBFloat16Bits: bits)
        }
    }

    /// Narrows `count` floats into little-endian binary16 at `destination` (any alignment).
    public static func narrowToFloat16(_ source: UnsafePointer<Float>, into destination: UnsafeMutableRawPointer, count: Int) {
        for i in 0..<count {
            destination.storeBytes(of: float16Bits(from: source[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
    }

    /// Narrows `count` floats into little-endian bfloat16 at `destination` (any alignment).
    public static func narrowToBFloat16(_ source: UnsafePointer<Float>, into destination: UnsafeMutableRawPointer, count: Int) {
        for i in 0..<count {
            destination.storeBytes(of: bfloat16Bits(from: source[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
        }
    }
}
