import Testing
@testable import WeftCore

struct RandomTests {
    @Test func sameSeedSameStreamAndStateRestores() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        let saved = a.state
        let next = (0..<10).map { _ in a.nextUniform() }
        var restored = SeededGenerator(state: saved)
        #expect((0..<10).map { _ in restored.nextUniform() } == next)
        var c = SeededGenerator(seed: 43)
        #expect(c.next() != SeededGenerator(seed: 42).state.first)
    }

    @Test func normalSamplesHaveUnitMoments() {
        var rng = SeededGenerator(seed: 1)
        let t = Tensor.randomNormal([200_000], mean: 2, std: 3, using: &rng)
        let xs = t.scalars.map(Double.init)
        let m = xs.reduce(0, +) / Double(xs.count)
        let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count)
        #expect(abs(m - 2) < 0.03)
        #expect(abs(v.squareRoot() - 3) < 0.03)
    }

    @Test func uniformStaysInRange() {
        var rng = SeededGenerator(seed: 2)
        let t = Tensor.randomUniform([10_000], low: -2, high: 5, using: &rng)
        #expect(t.scalars.allSatisfy { $0 >= -2 && $0 < 5 })
    }

    @Test func permutationAndSamplingAreValid() {
        var rng = SeededGenerator(seed: 3)
        let p = rng.permutation(1000)
        #expect(Set(p).count == 1000 && p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
        for (k, n) in [(5, 1000), (900, 1000), (0, 3), (3, 3)] {
            let s = rng.sample(k, from: n)
            #expect(s.count == k && Set(s).count == k && s.allSatisfy { $0 >= 0 && $0 < n })
        }
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[rng.weightedIndex([1, 2, 3])] += 1 }
        #expect(abs(Double(counts[2]) / 30_000 - 0.5) < 0.02)
    }
}
