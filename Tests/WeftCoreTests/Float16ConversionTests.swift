import Testing
@testable import WeftCore

/// Swift's own `Float16` (IEEE binary16 in the standard library, rounding to
/// nearest even) is an independent oracle where the platform has it.
#if !(os(macOS) && arch(x86_64))
private let hasSwiftFloat16 = true
#else
private let hasSwiftFloat16 = false
#endif

@Suite struct Float16ConversionTests {
    // MARK: binary16 → Float32

    @Test func widensKnownBitPatterns() {
        let cases: [(UInt16, Float)] = [
            (0x0000, 0), (0x3C00, 1), (0xC000, -2), (0x3555, 0x1.554p-2),
            (0x0001, 0x1p-24),             // smallest subnormal
            (0x03FF, 1023 * 0x1p-24),      // largest subnormal
            (0x0400, 0x1p-14),             // smallest normal
            (0x7BFF, 65504),               // largest finite
            (0x7C00, .infinity), (0xFC00, -.infinity),
        ]
        for (bits, expected) in cases {
            let value = Float16Conversion.float(fromFloat16Bits: bits)
            #expect(value.bitPattern == expected.bitPattern, "0x\(String(bits, radix: 16)) → \(value), expected \(expected)")
        }
        let negativeZero = Float16Conversion.float(fromFloat16Bits: 0x8000)
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        for bits: UInt16 in [0x7E00, 0x7C01, 0xFE00, 0x7FFF] {
            #expect(Float16Conversion.float(fromFloat16Bits: bits).isNaN)
        }
        #expect(Float16Conversion.float(fromFloat16Bits: 0xFE00).sign == .minus)
    }

    @Test func widensEveryPatternLikeSwiftFloat16() throws {
        try #require(hasSwiftFloat16)
        #if !(os(macOS) && arch(x86_64))
        for bits in 0...UInt16.max {
            let ours = Float16Conversion.float(fromFloat16Bits: bits)
            let swift = Float(Float16(bitPattern: bits))
            if swift.isNaN {
                #expect(ours.isNaN && ours.sign == swift.sign, "0x\(String(bits, radix: 16))")
            } else {
                #expect(ours.bitPattern == swift.bitPattern, "0x\(String(bits, radix: 16)): \(ours) vs \(swift)")
            }
        }
        #endif
    }

    // MARK: Float32 → binary16

    @Test func narrowsKnownValuesWithTiesToEven() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3C00), (-2, 0xC000), (65504, 0x7BFF),
            (65519.996, 0x7BFF),           // just below the midpoint to 65536
            (65520, 0x7C00),               // the midpoint: ties to even, which is infinity
            (1e6, 0x7C00), (-1e6, 0xFC00), (.infinity, 0x7C00), (-.infinity, 0xFC00),
            (0x1p-24, 0x0001),             // smallest subnormal
            (0x1p-25, 0x0000),             // half of it: tie between 0 and 1, even is 0
            (0x1.000002p-25, 0x0001),      // just above the tie
            (3 * 0x1p-25, 0x0002),         // tie between 1 and 2 units: even is 2
            (1023.5 * 0x1p-24, 0x0400),    // tie between the largest subnormal and the smallest normal
            (0x1p-14, 0x0400),
            (1 + 0x1p-11, 0x3C00),         // tie between 1 and 1 + 2^-10: even is 1
            (1 + 3 * 0x1p-11, 0x3C02),     // tie between 1 + 2^-10 and 1 + 2^-9: even is the latter
            (1 + 0x1p-11 + 0x1p-20, 0x3C01),
            (0x1p-149, 0x0000),            // Float32 subnormal
            (-0x1p-30, 0x8000),
        ]
        for (value, expected) in cases {
            let bits = Float16Conversion.float16Bits(from: value)
            #expect(bits == expected, "\(value) → 0x\(String(bits, radix: 16)), expected 0x\(String(expected, radix: 16))")
        }
        #expect(Float16Conversion.float16Bits(from: -0.0) == 0x8000)
        for nan in [Float.nan, -Float.nan, Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0x7FC0_1234)] {
            let bits = Float16Conversion.float16Bits(from: nan)
            #expect(bits & 0x7C00 == 0x7C00 && bits & 0x03FF != 0, "NaN must stay NaN, got 0x\(String(bits, radix: 16))")
            #expect((bits & 0x8000 != 0) == (nan.sign == .minus))
        }
    }

    @Test func everyBinary16SurvivesARoundTrip() {
        for bits in 0...UInt16.max {
            let back = Float16Conversion.float16Bits(from: Float16Conversion.float(fromFloat16Bits: bits))
            if bits & 0x7C00 == 0x7C00 && bits & 0x03FF != 0 {
                #expect(back & 0x7C00 == 0x7C00 && back & 0x03FF != 0)
            } else {
                #expect(back == bits, "0x\(String(bits, radix: 16)) came back as 0x\(String(back, radix: 16))")
            }
        }
    }

    @Test func narrowsMidpointsAndRandomValuesLikeSwiftFloat16() throws {
        try #require(hasSwiftFloat16)
        #if !(os(macOS) && arch(x86_64))
        func check(_ value: Float) {
            let ours = Float16Conversion.float16Bits(from: value)
            let swift = Float16(value).bitPattern
            if value.isNaN { return }
            #expect(ours == swift, "\(value) (0x\(String(value.bitPattern, radix: 16))): ours 0x\(String(ours, radix: 16)), Swift 0x\(String(swift, radix: 16))")
        }
        // Every midpoint between neighbouring positive binary16 values, and its Float32 neighbours.
        for bits: UInt16 in 0..<0x7C00 {
            let low = Float16Conversion.float(fromFloat16Bits: bits)
            let high = Float16Conversion.float(fromFloat16Bits: bits + 1)
            let midpoint = (low + high) / 2  // exact: one more bit than binary16 has
            for value in [midpoint, midpoint.nextDown, midpoint.nextUp] {
                check(value)
                check(-value)
            }
        }
        var generator = SeededGenerator(seed: 16)
        for _ in 0..<200_000 {
            check(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())))
        }
        #endif
    }

    // MARK: bfloat16

    @Test func bfloat16KnownValues() {
        #expect(Float16Conversion.float(fromBFloat16Bits: 0x3F80) == 1)
        #expect(Float16Conversion.float(fromBFloat16Bits: 0xC040) == -3)
        #expect(Float16Conversion.float(fromBFloat16Bits: 0x7F80) == .infinity)
        #expect(Float16Conversion.float(fromBFloat16Bits: 0xFF80) == -.infinity)
        #expect(Float16Conversion.float(fromBFloat16Bits: 0x0001) == 0x1p-133)  // subnormal
        #expect(Float16Conversion.float(fromBFloat16Bits: 0x7FC0).isNaN)

        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),
            (0x3F80_8000, 0x3F80),  // tie: even mantissa kept
            (0x3F81_8000, 0x3F82),  // tie: odd mantissa rounds up
            (0x3F80_8001, 0x3F81),  // above the tie
            (0x3F80_7FFF, 0x3F80),  // below the tie
            (0x7F7F_FFFF, 0x7F80),  // largest Float32 rounds to infinity
            (0x7F7F_0000, 0x7F7F),
            (0x0000_8000, 0x0000),  // subnormal tie to even zero
            (0x0001_8000, 0x0002),
            (0x8000_0000, 0x8000),
            (0xFF80_0000, 0xFF80),
        ]
        for (bits, expected) in cases {
            let result = Float16Conversion.bfloat16Bits(from: Float(bitPattern: bits))
            #expect(result == expected, "0x\(String(bits, radix: 16)) → 0x\(String(result, radix: 16)), expected 0x\(String(expected, radix: 16))")
        }
        for bits: UInt32 in [0x7F80_0001, 0x7FC0_0000, 0xFF80_0001, 0x7F80_FFFF] {
            let result = Float16Conversion.bfloat16Bits(from: Float(bitPattern: bits))
            #expect(result & 0x7F80 == 0x7F80 && result & 0x007F != 0, "NaN 0x\(String(bits, radix: 16)) gave 0x\(String(result, radix: 16))")
            #expect(result & 0x8000 == UInt16(bits >> 16) & 0x8000)
        }
    }

    /// Checks narrowing against the definition: the nearer of the two
    /// truncations around the value, the even one on a tie (distances exact in Double).
    @Test func bfloat16NarrowingMatchesTheDefinition() {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<200_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard value.isFinite else { continue }
            let lowBits = UInt16(value.bitPattern >> 16)  // truncation toward zero
            let highBits = lowBits &+ 1                    // next magnitude up
            let low = Double(Float16Conversion.float(fromBFloat16Bits: lowBits))
            // Past the largest finite value the grid continues at 2^128, which IEEE
            // rounding treats as the next value before calling it infinity.
            let highMagnitude = highBits & 0x7FFF == 0x7F80
                ? 0x1p128 : abs(Double(Float16Conversion.float(fromBFloat16Bits: highBits)))
            let distanceLow = abs(Double(value) - low)
            let distanceHigh = highMagnitude - abs(Double(value))
            var expected = distanceLow < distanceHigh ? lowBits : highBits
            if distanceLow == distanceHigh { expected = lowBits & 1 == 0 ? lowBits : highBits }
            #expect(Float16Conversion.bfloat16Bits(from: value) == expected, "0x\(String(value.bitPattern, radix: 16))")
        }
    }

    @Test func everyBFloat16SurvivesARoundTrip() {
        for bits in 0...UInt16.max {
            let back = Float16Conversion.bfloat16Bits(from: Float16Conversion.float(fromBFloat16Bits: bits))
            if bits & 0x7F80 == 0x7F80 && bits & 0x007F != 0 {
                #expect(back & 0x7F80 == 0x7F80 && back & 0x007F != 0)
            } else {
                #expect(back == bits)
            }
        }
    }

    // MARK: Buffers

    @Test func bufferConversionsHandleUnalignedLittleEndianBytes() {
        let values: [Float] = [1, -2, 0.5, 65504, 0x1p-24, -.infinity, 3.140625]
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 2 * values.count + 1, alignment: 16)
        defer { bytes.deallocate() }
        let unaligned = bytes + 1
        let widened = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
        defer { widened.deallocate() }

        values.withUnsafeBufferPointer { Float16Conversion.narrowToFloat16($0.baseAddress!, into: unaligned, count: values.count) }
        #expect(unaligned.load(fromByteOffset: 0, as: UInt8.self) == 0x00)  // 1.0 = 0x3C00, low byte first
        #expect(unaligned.load(fromByteOffset: 1, as: UInt8.self) == 0x3C)
        Float16Conversion.widenFloat16(unaligned, into: widened, count: values.count)
        #expect(Array(UnsafeBufferPointer(start: widened, count: values.count)) == values)

        values.withUnsafeBufferPointer { Float16Conversion.narrowToBFloat16($0.baseAddress!, into: unaligned, count: values.count) }
        #expect(unaligned.load(fromByteOffset: 0, as: UInt8.self) == 0x80)  // 1.0 = 0x3F80
        #expect(unaligned.load(fromByteOffset: 1, as: UInt8.self) == 0x3F)
        Float16Conversion.widenBFloat16(unaligned, into: widened, count: values.count)
        let expected = values.map { Float16Conversion.float(fromBFloat16Bits: Float16Conversion.bfloat16Bits(from: $0)) }
        #expect(Array(UnsafeBufferPointer(start: widened, count: values.count)) == expected)
    }
}
