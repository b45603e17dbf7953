/// Element-wise comparisons of tensors, for tests and for checking a port
/// against reference outputs.
///
/// Tensors of different shapes are never close: the differences are
/// `.infinity` and `isApproximatelyEqual` is false, so a shape bug fails the
/// check that was about to be made rather than trapping the test process.
/// NaN is treated as a value to match: NaN against NaN differs by 0, NaN
/// against a number by `.infinity`, so a NaN leaking into an output is never
/// hidden by a `max`.
extension Tensor {
    /// max over i of |a_i − b_i|, 0 for empty tensors.
    ///
    /// Equal infinities differ by 0; anything else against an infinity differs by `.infinity`.
    public static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        var largest: Float = 0
        for i in 0..<a.count {
            let difference = elementDifference(a.data[i], b.data[i])
            if difference > largest { largest = difference }
        }
        return largest
    }

    /// max over i of |a_i − b_i| / max(|a_i|, |b_i|, floor), 0 for empty tensors.
    ///
    /// The denominator is symmetric in a and b, so the result does not depend
    /// on which tensor is called the reference, and `floor` (> 0) keeps
    /// elements near zero from turning rounding noise into huge ratios: below
    /// `floor` in magnitude the measure becomes an absolute difference scaled
    /// by 1/floor.
    public static func maxRelativeDifference(_ a: Tensor, _ b: Tensor, floor: Float = 1e-6) -> Float {
        guard a.shape == b.shape else { return .infinity }
        var largest: Float = 0
        for i in 0..<a.count {
            let x = a.data[i], y = b.data[i]
            let difference = elementDifference(x, y)
            if difference == 0 { continue }
            let scale = Swift.max(Swift.max(abs(x), abs(y)), floor)
            let relative = scale.isFinite ? difference / scale : .infinity
            if relative > largest { largest = relative }
        }
        return largest
    }

    /// Whether every element of `self` is close to the matching element of `other`:
    ///
    ///     a_i == b_i  or  |a_i − b_i| ≤ max(absoluteTolerance, relativeTolerance · max(|a_i|, |b_i|))
    ///
    /// as in swift-numerics' `isApproximatelyEqual`. Properties:
    /// - symmetric: `a ≈ b` exactly when `b ≈ a`;
    /// - reflexive except for NaN, which is approximately equal to nothing
    ///   (use `maxAbsDifference` to accept matching NaNs);
    /// - an infinity is approximately equal only to the same infinity;
    /// - not transitive: a ≈ b and b ≈ c do not give a ≈ c;
    /// - the relative term alone never accepts a non-zero value against
    ///   zero, which is what `absoluteTolerance` is for;
    /// - false when the shapes differ.
    ///
    /// Both tolerances must be non-negative and finite.
    public func isApproximatelyEqual(to other: Tensor, absoluteTolerance: Float,
                                     relativeTolerance: Float = 0) -> Bool {
        precondition(absoluteTolerance >= 0 && absoluteTolerance.isFinite, "absoluteTolerance must be finite and ≥ 0")
        precondition(relativeTolerance >= 0 && relativeTolerance.isFinite, "relativeTolerance must be finite and ≥ 0")
        guard shape == other.shape else { return false }
        for i in 0..<count {
            let x = data[i], y = other.data[i]
            if x == y { continue }
            guard x.isFinite, y.isFinite else { return false }
            let tolerance = Swift.max(absoluteTolerance, relativeTolerance * Swift.max(abs(x), abs(y)))
            if !(abs(x - y) <= tolerance) { return false }
        }
        return true
    }

    @inline(__always)
    private static func elementDifference(_ x: Float, _ y: Float) -> Float {
        if x == y { return 0 }
        if x.isNaN && y.isNaN { return 0 }
        if !x.isFinite || !y.isFinite { return .infinity }
        // The difference of two finite floats can overflow; that is still "infinitely" far for a test.
        return abs(x - y)
    }
}
