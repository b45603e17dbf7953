import Foundation

/// The text prior's row w (`GNNConfiguration.textPrior`): a ridge
/// regression from products' unit text vectors x̂_p to their centred
/// log(1 + training interactions), over the products with at least one
/// training interaction and some text,
///
///   w = argmin Σ_p (x̂_p · w − (y_p − ȳ))² + λ ‖w‖²,   y_p = log(1 + n_p),
///
/// solved in closed form, (X̂ᵀX̂ + λI) w = X̂ᵀ(y − ȳ), by Cholesky in double
/// precision. Products never bought in training (cold ones included) take
/// no part, so the prior says how popular a product of this text tends to
/// be among those that sell.
public enum TextPopularityPrior {
    /// w (T) from `text` (P, T) and each product's training interaction count.
    public static func fit(text: Tensor, interactions counts: [Int], lambda: Double = 1) -> [Float] {
        let width = text.lastDimension
        precondition(counts.count == text.rowCount, "\(counts.count) counts for \(text.rowCount) products")
        let unit = text.unitRows()
        var rows: [[Double]] = [], targets: [Double] = []
        for p in 0..<text.rowCount where counts[p] > 0 {
            let x = (0..<width).map { Double(unit.data[p * width + $0]) }
            guard x.contains(where: { $0 != 0 }) else { continue }
            rows.append(x)
            targets.append(log(1 + Double(counts[p])))
        }
        guard !rows.isEmpty else { return [Float](repeating: 0, count: width) }
        let mean = targets.reduce(0, +) / Double(targets.count)
        // A = X̂ᵀX̂ + λI (T, T), b = X̂ᵀ(y − ȳ) (T).
        var a = [Double](repeating: 0, count: width * width), b = [Double](repeating: 0, count: width)
        for (x, y) in zip(rows, targets) {
            for i in 0..<width {
                b[i] += x[i] * (y - mean)
                for j in 0...i { a[i * width + j] += x[i] * x[j] }
            }
        }
        for i in 0..<width {
            a[i * width + i] += lambda
            for j in 0..<i { a[j * width + i] = a[i * width + j] }
        }
        return solveSymmetricPositiveDefinite(a, b, size: width).map { Float($0) }
    }

    /// x with A x = b for a symmetric positive definite A (row-major n × n):
    /// A = L Lᵀ (Cholesky), then two triangular solves.
    static func solveSymmetricPositiveDefinite(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = i == j ? Swift.max(sum, 1e-300).squareRoot() : sum / l[j * n + j]
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = b[i]
            for k in 0..<i { sum -= l[i * n + k] * y[k] }
            y[i] = sum / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = y[i]
            for k in (i + 1)..<n { sum -= l[k * n + i] * x[k] }
            x[i] = sum / l[i * n + i]
        }
        return x
    }
}
