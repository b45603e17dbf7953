extension Kernels {
    /// Embedding gather: out[i, :] = table[ids[i], :] for i < n. (n, C)
    public static func gatherRows(_ out: UnsafeMutablePointer<Float>, _ table: UnsafePointer<Float>,
                                  ids: UnsafePointer<Int32>, count n: Int, cols c: Int) {
        parallelFor(n, minimumPerChunk: Swift.max(1, 16_384 / Swift.max(c, 1))) { range in
            for i in range { (out + i * c).update(from: table + Int(ids[i]) * c, count: c) }
        }
    }

    /// Scatter-add, the gather's backward: dtable[ids[i], :] += dout[i, :].
    /// Serial, since two rows may share an id.
    public static func scatterAddRows(_ dtable: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>,
                                      ids: UnsafePointer<Int32>, count n: Int, cols c: Int) {
        for i in 0..<n {
            let dst = dtable + Int(ids[i]) * c
            add(dst, dst, dout + i * c, c)
        }
    }

    /// Swaps the middle two of four dimensions: x (A, B, C, D) → out (A, C, B, D).
    /// Used to split attention heads: (batch, tokens, heads, headDim) → (batch, heads, tokens, headDim).
    public static func swapMiddle(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                                  _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        parallelFor(a * c, minimumPerChunk: Swift.max(1, 8192 / Swift.max(b * d, 1))) { range in
            for ac in range {
                let ai = ac / c, ci = ac % c
                for bi in 0..<b {
                    (out + ((ai * c + ci) * b + bi) * d).update(from: x + ((ai * b + bi) * c + ci) * d, count: d)
                }
            }
        }
    }
}
