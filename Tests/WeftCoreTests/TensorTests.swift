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
        let before = BufferPool.shared.heldBytes
        do { _ = Tensor(zeros: [12_345]) }
        #expect(BufferPool.shared.heldBytes >= before)
        let t = Tensor(zeros: [12_345])
        #expect(t.scalars.allSatisfy { $0 == 0 }, "a reused buffer is zeroed when asked")
    }
}
