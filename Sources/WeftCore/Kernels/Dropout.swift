extension Kernels {
    /// Fills `mask` with 0 (dropped, probability p) or 1/(1−p) (kept), so
    /// out = x · mask keeps the expectation; the backward is dx += dy · mask.
    public static func dropoutMask(_ mask: UnsafeMutablePointer<Float>, count n: Int, probability p: Float,
                                   using rng: inout SeededGenerator) {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        let keep = 1 / (1 - p)
        for i in 0..<n { mask[i] = rng.nextUniform() < p ? 0 : keep }
    }
}
