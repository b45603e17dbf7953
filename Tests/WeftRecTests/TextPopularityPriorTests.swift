import Foundation
import Testing
@testable import WeftRec

struct TextPopularityPriorTests {
    @Test func choleskySolvesASymmetricPositiveDefiniteSystem() {
        // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = [1, −2, 3] → b = A x.
        let a: [Double] = [4, 2, 0, 2, 5, 1, 0, 1, 3]
        let x = TextPopularityPrior.solveSymmetricPositiveDefinite(a, [0, -5, 7], size: 3)
        for (got, want) in zip(x, [1.0, -2, 3]) { #expect(abs(got - want) < 1e-12) }
    }

    /// w is the ridge solution: the objective's gradient X̂ᵀ(X̂w − (y − ȳ)) + λw
    /// vanishes; products without training interactions or text take no part.
    @Test func fitIsTheRidgeSolutionOverProductsThatSold() {
        var rng = SeededGenerator(seed: 11)
        let text = Tensor.randomNormal([12, 4], using: &rng)
        var counts = (0..<12).map { 1 + ($0 * 7) % 5 }
        counts[3] = 0                                   // never bought in training
        for k in 0..<4 { text[5, k] = 0 }               // no text
        let lambda = 0.5
        let w = TextPopularityPrior.fit(text: text, interactions: counts, lambda: lambda).map(Double.init)
        let used = (0..<12).filter { $0 != 3 && $0 != 5 }
        let x = used.map { p -> [Double] in
            let row = (0..<4).map { Double(text[p, $0]) }
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return row.map { $0 / norm }
        }
        let y = used.map { log(1 + Double(counts[$0])) }
        let mean = y.reduce(0, +) / Double(y.count)
        var gradient = w.map { lambda * $0 }
        for (row, target) in zip(x, y) {
            let residual = zip(row, w).reduce(0) { $0 + $1.0 * $1.1 } - (target - mean)
            for k in 0..<4 { gradient[k] += row[k] * residual }
        }
        #expect(gradient.allSatisfy { abs($0) < 1e-5 }, "\(gradient)")
        #expect(w.contains { abs($0) > 1e-3 })
        // Changing the excluded products changes nothing.
        var other = counts
        other[5] = 40
        #expect(TextPopularityPrior.fit(text: text, interactions: other, lambda: lambda).map(Double.init) == w)
        #expect(TextPopularityPrior.fit(text: text, interactions: [Int](repeating: 0, count: 12)) == [0, 0, 0, 0])
    }
}
