/// Numeric gradient checks by central differences, for the tests of every
/// module that defines differentiable ops.
///
/// The checked function's output y is reduced to L = Σ y ⊙ R with fixed
/// random weights R (so every output element matters and errors cannot
/// cancel), accumulated in Float64. The analytic gradient comes from one
/// backward pass seeded with R; the numeric one is
/// (L(x + h) − L(x − h)) / 2h per input element.
///
/// Tolerance: the forward runs in Float32, so each L carries rounding of
/// about 1e-7 · Σ|y·R|; divided by 2h with h = 1e-2 that is ~1e-5 · Σ|y·R|,
/// and the truncation error is O(h²·f''') ≈ 1e-4 for smooth ops. We accept
/// |numeric − analytic| ≤ atol + rtol · |analytic| with atol = 2e-3 and
/// rtol = 2e-2 by default: a wrong backward (a missing term, a transposed
/// product, a wrong scale) is off by O(1) relative and fails.
public enum GradientCheck {
    public struct Mismatch: CustomStringConvertible, Sendable {
        public let input: Int
        public let index: Int
        public let analytic: Float
        public let numeric: Float
        public var description: String {
            "input \(input) element \(index): analytic \(analytic), numeric \(numeric)"
        }
    }

    /// Checks d(Σ f(inputs) ⊙ R)/d(input) for every input that requires a
    /// gradient. At most `maxElements` elements per input are probed (chosen
    /// by `seed`). Returns the mismatches (empty when the backward agrees).
    public static func check(inputs: [Variable], seed: UInt64 = 1, step h: Float = 1e-2,
                             absoluteTolerance atol: Float = 2e-3, relativeTolerance rtol: Float = 2e-2,
                             maxElements: Int = 64,
                             _ f: (Tape, [Variable]) -> Variable) -> [Mismatch] {
        var rng = SeededGenerator(seed: seed)
        for v in inputs { v.grad = nil }
        let tape = Tape()
        let y = f(tape, inputs)
        let weights = Tensor.randomUniform(y.value.shape, low: -1, high: 1, using: &rng)
        tape.backward(y, seed: weights)

        func objective() -> Double {
            let out = f(Tape.inference, inputs).value
            var s = 0.0
            for i in 0..<out.count { s += Double(out.data[i]) * Double(weights.data[i]) }
            return s
        }

        var mismatches: [Mismatch] = []
        for (k, v) in inputs.enumerated() where v.requiresGrad {
            let n = v.value.count
            let probe = n <= maxElements ? Array(0..<n) : rng.sample(maxElements, from: n)
            let analytic = v.grad ?? Tensor(zeros: v.value.shape)
            for i in probe {
                let saved = v.value.data[i]
                v.value.data[i] = saved + h
                let plus = objective()
                v.value.data[i] = saved - h
                let minus = objective()
                v.value.data[i] = saved
                let numeric = Float((plus - minus) / Double(2 * h))
                let a = analytic.data[i]
                if !(abs(numeric - a) <= atol + rtol * abs(a)) {
                    mismatches.append(Mismatch(input: k, index: i, analytic: a, numeric: numeric))
                }
            }
        }
        return mismatches
    }
}
