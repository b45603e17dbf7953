import Foundation
import WeftCore

/// Timing helpers for `weft bench`: medians of repeated runs after warm-up,
/// and the machine's own sgemm rate to divide by.
enum BenchTiming {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Median seconds of `runs` calls of `body` after `warmup` calls.
    static func median(runs: Int, warmup: Int = 2, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = now()
            body()
            times.append(Double(now() - t0) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// Raw cblas_sgemm GFLOP/s for C (m×n) = A (m×k) · B (k×n).
    static func sgemmGFlops(m: Int, n: Int, k: Int, runs: Int = 9) -> Double {
        var rng = SeededGenerator(seed: 7)
        let a = Tensor.randomUniform([m, k], using: &rng), b = Tensor.randomUniform([k, n], using: &rng)
        let c = Tensor(zeros: [m, n])
        let s = median(runs: runs) {
            BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a.data, b: b.data, c: c.data)
        }
        return 2 * Double(m * n * k) / s / 1e9
    }

    static func round(_ x: Double, _ digits: Int = 3) -> Double {
        let p = Foundation.pow(10, Double(digits))
        return (x * p).rounded() / p
    }

    /// Prints the final JSON line (sorted keys) every bench ends with.
    static func printJSON(_ fields: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
