/// The product–product text graph of `WeftGNN`'s collaborative pathway:
/// each product's K nearest products by cosine of their text embeddings,
/// chosen among the products with a trained ID (the candidates), never
/// itself. It is built once from text alone (no interaction enters it), so
/// a product nobody has bought has its neighbours as any other product
/// does, and the pathway can hand it its neighbours' collaborative
/// embeddings (FREEDOM, Zhou et al., MM 2023, freezes such a modality kNN
/// graph in the same way).
///
/// Rows without text (all zeros) have no neighbours and are no candidates.
public enum TextNeighbors {
    /// Row p (one per row of `text`, (N, T)): the K candidates q ≠ p with the
    /// highest cos(x_p, x_q), ties to the lower index; fewer when there are
    /// fewer candidates with text. Cosines are computed by blocks of rows
    /// with one sgemm each, so memory stays at `block` × N floats.
    public static func build(text: Tensor, candidates: [Bool], k: Int, block: Int = 512) -> Adjacency {
        precondition(k > 0 && block > 0)
        let n = text.rowCount
        let unit = text.unitRows()
        let pool = candidatePool(unit, candidates)
        guard !pool.isEmpty else { return Adjacency(emptyRows: n) }
        let width = unit.lastDimension
        let keys = Tensor(uninitialized: [pool.count, width])                // (C, T) candidates' unit rows
        for (i, q) in pool.enumerated() { (keys.data + i * width).update(from: unit.data + q * width, count: width) }
        var lists = [[Int32]](repeating: [], count: n)
        var start = 0
        while start < n {
            let rows = Swift.min(block, n - start)
            let queries = Tensor(uninitialized: [rows, width])
            queries.data.update(from: unit.data + start * width, count: rows * width)
            let cosines = queries.matmul(keys, transposeOther: true)        // (rows, C)
            lists.withUnsafeMutableBufferPointer { out in
                parallelFor(rows, minimumPerChunk: 16) { range in
                    for r in range where hasText(unit, start + r) {
                        out[start + r] = top(k, cosines.data + r * pool.count, pool: pool, excluding: start + r)
                    }
                }
            }
            start += rows
        }
        var sources: [Int32] = [], targets: [Int32] = []
        for (p, list) in lists.enumerated() {
            sources.append(contentsOf: repeatElement(Int32(p), count: list.count))
            targets.append(contentsOf: list)
        }
        return Adjacency(rowCount: n, sources: sources, targets: targets)
    }

    /// The K candidates (of `text`, by the same rule as `build`) nearest to
    /// one new text vector `x` (T): a product added after training.
    public static func nearest(to x: [Float], text: Tensor, candidates: [Bool], k: Int) -> [Int32] {
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, x.count == text.lastDimension else { return [] }
        let unit = text.unitRows()
        let pool = candidatePool(unit, candidates)
        let width = unit.lastDimension
        let cosines = x.withUnsafeBufferPointer { v in
            pool.map { Kernels.dot(v.baseAddress!, unit.data + $0 * width, width) / norm }
        }
        return cosines.withUnsafeBufferPointer { top(k, $0.baseAddress!, pool: pool, excluding: -1) }
    }

    /// The candidate rows that have text, ascending.
    static func candidatePool(_ unit: Tensor, _ candidates: [Bool]) -> [Int] {
        (0..<Swift.min(unit.rowCount, candidates.count)).filter { candidates[$0] && hasText(unit, $0) }
    }

    static func hasText(_ unit: Tensor, _ row: Int) -> Bool {
        let width = unit.lastDimension, base = unit.data + row * width
        for c in 0..<width where base[c] != 0 { return true }
        return false
    }

    /// The (up to) k pool members with the highest scores, best first.
    static func top(_ k: Int, _ scores: UnsafePointer<Float>, pool: [Int], excluding: Int) -> [Int32] {
        var best: [(score: Float, id: Int)] = []
        best.reserveCapacity(k + 1)
        for (i, q) in pool.enumerated() where q != excluding {
            let s = scores[i]
            if best.count == k, let last = best.last, !(s > last.score) { continue }
            var at = best.count
            while at > 0 && s > best[at - 1].score { at -= 1 }
            best.insert((s, q), at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map { Int32($0.id) }
    }
}
