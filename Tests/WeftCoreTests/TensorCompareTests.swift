import Testing
@testable import WeftCore

@Suite struct TensorCompareTests {
    @Test func maxAbsDifferenceFindsTheLargestGap() {
        let a = Tensor([1, 2, 3, -4], shape: [2, 2])
        let b = Tensor([1, 2.5, 3, -3], shape: [2, 2])
        #expect(Tensor.maxAbsDifference(a, b) == 1)
        #expect(Tensor.maxAbsDifference(b, a) == 1)
        #expect(Tensor.maxAbsDifference(a, a) == 0)
        #expect(Tensor.maxAbsDifference(Tensor(zeros: [0, 3]), Tensor(zeros: [0, 3])) == 0)
    }

    @Test func shapeMismatchIsInfinitelyFar() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor([1, 2, 3, 4], shape: [4])
        #expect(Tensor.maxAbsDifference(a, b) == .infinity)
        #expect(Tensor.maxRelativeDifference(a, b) == .infinity)
        #expect(!a.isApproximatelyEqual(to: b, absoluteTolerance: 1))
    }

    @Test func nanAndInfinityHandling() {
        let nanAndInfinity = Tensor([.nan, .infinity, -.infinity, 1], shape: [4])
        #expect(Tensor.maxAbsDifference(nanAndInfinity, nanAndInfinity) == 0)
        #expect(Tensor.maxRelativeDifference(nanAndInfinity, nanAndInfinity) == 0)
        #expect(Tensor.maxAbsDifference(nanAndInfinity, Tensor([0, .infinity, -.infinity, 1], shape: [4])) == .infinity)
        #expect(Tensor.maxAbsDifference(nanAndInfinity, Tensor([.nan, 1e30, -.infinity, 1], shape: [4])) == .infinity)
        #expect(Tensor.maxRelativeDifference(nanAndInfinity, Tensor([.nan, .infinity, .infinity, 1], shape: [4])) == .infinity)
        // Finite values whose difference overflows Float are infinitely far too.
        #expect(Tensor.maxAbsDifference(Tensor([3e38], shape: [1]), Tensor([-3e38], shape: [1])) == .infinity)

        let nan = Tensor([.nan], shape: [1])
        #expect(!nan.isApproximatelyEqual(to: nan, absoluteTolerance: 1))
        let infinity = Tensor([.infinity], shape: [1])
        #expect(infinity.isApproximatelyEqual(to: infinity, absoluteTolerance: 0))
        #expect(!infinity.isApproximatelyEqual(to: Tensor([.greatestFiniteMagnitude], shape: [1]),
                                                absoluteTolerance: 1, relativeTolerance: 1))
        #expect(!infinity.isApproximatelyEqual(to: Tensor([-.infinity], shape: [1]), absoluteTolerance: 1))
    }

    @Test func relativeDifferenceIsSymmetricAndFloored() {
        let a = Tensor([100, 1e-9, 0], shape: [3])
        let b = Tensor([101, 2e-9, 0], shape: [3])
        // 1/101 at the first element; the second is below the floor: 1e-9 / 1e-6 = 1e-3.
        #expect(abs(Tensor.maxRelativeDifference(a, b) - 1 / 101) < 1e-7)
        #expect(Tensor.maxRelativeDifference(a, b) == Tensor.maxRelativeDifference(b, a))
        #expect(abs(Tensor.maxRelativeDifference(a, b, floor: 1e-8) - 0.1) < 1e-6)
        #expect(abs(Tensor.maxRelativeDifference(Tensor([0], shape: [1]), Tensor([1e-3], shape: [1]), floor: 1) - 1e-3) < 1e-9)
    }

    @Test func approximateEqualityFollowsItsDefinition() {
        let a = Tensor([1000, 1, 0], shape: [3])
        let b = Tensor([1001, 1, 1e-7], shape: [3])
        #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1))
        #expect(!a.isApproximatelyEqual(to: b, absoluteTolerance: 0.5))
        // The relative term covers the large element, the absolute one the element at zero.
        #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6, relativeTolerance: 1e-3))
        #expect(!a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-8, relativeTolerance: 1e-3))
        #expect(!a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-6, relativeTolerance: 1e-4))
        // Symmetric: the scale is max(|a|, |b|), not one side's.
        let x = Tensor([1], shape: [1]), y = Tensor([1.5], shape: [1])
        #expect(x.isApproximatelyEqual(to: y, absoluteTolerance: 0, relativeTolerance: 0.34)
            == y.isApproximatelyEqual(to: x, absoluteTolerance: 0, relativeTolerance: 0.34))
        #expect(x.isApproximatelyEqual(to: y, absoluteTolerance: 0, relativeTolerance: 0.34))
        // Not transitive.
        let z = Tensor([2], shape: [1])
        #expect(x.isApproximatelyEqual(to: y, absoluteTolerance: 0.6) && y.isApproximatelyEqual(to: z, absoluteTolerance: 0.6))
        #expect(!x.isApproximatelyEqual(to: z, absoluteTolerance: 0.6))
    }
}
