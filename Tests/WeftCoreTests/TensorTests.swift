import Testing
@testable import WeftCore

struct TensorTests {
    @Test func creationViewsAndCopies() {
        let t = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        #expect(t[1, 2, 3] == 23)
        let r = t.reshaped([6, -1])
        #expect(r.shape == [6, 4])
        r[0, 0] = 100
        #expect(t[0, 0, 0] == 100, "reshape shares storage")
        let row = t.row(1)
        #expect(row.shape == [3, 4] && row[0, 0] == 12)
        let c = t.copy()
        c[0, 0, 0] = -1
        #expect(t[0, 0, 0] == 100, "copy is independent")
        #expect(t.rows(1..<2).scalars == Array((12..<24).map(Float.init)))
        #expect(Tensor(zeros: [0, 5]).count == 0)
    }

    @Test func pooledBuffersAreReused() {
        // A pool of its own: the shared one is used by the tests running beside this one.
        let pool = BufferPool(budgetBytes: 1 << 20)
        let first = pool.take(count: 12_345)
        pool.give(first, count: 12_345)
        #expect(pool.heldBytes == BufferPool.sizeClass(12_345) * 4)
        let second = pool.take(count: 12_345)
        #expect(second == first && pool.heldBytes == 0, "the freed buffer serves the next request")
        pool.give(second, count: 12_345)
        pool.drain()
        #expect(pool.heldBytes == 0)
        let t = Tensor(zeros: [12_345])
        #expect(t.scalars.allSatisfy { $0 == 0 }, "a reused buffer is zeroed when asked")
    }

    /// Subgraph batches differ in size: a freed buffer must serve the next, slightly different request.
    @Test func buffersOfNearbySizesShareASizeClass() {
        let pool = BufferPool(budgetBytes: 1 << 20)
        let first = pool.take(count: 10_000)
        pool.give(first, count: 10_000)
        let second = pool.take(count: 10_150)
        #expect(second == first)
        pool.give(second, count: 10_150)
        #expect(pool.heldBytes == BufferPool.sizeClass(10_150) * 4)
        pool.drain()
        var previous = 0
        for n in [1, 63, 64, 65, 4096, 4097, 5000, 8192, 8193, 123_457, 10_000_001] {
            let c = BufferPool.sizeClass(n)
            #expect(c >= n && c >= previous, "class \(c) of \(n)")
            #expect(Double(c) <= Double(n) * 1.125 + 64, "class \(c) of \(n) wastes more than an eighth")
            previous = c
        }
    }
}
