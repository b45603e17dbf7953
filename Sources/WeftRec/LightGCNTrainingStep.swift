import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// LightGCN's BPR training step with the propagation and its backward fused
/// by hand, instead of through the tape. Same objective and gradient as
/// `BPREmbeddingModel.bprLoss` (a test checks both agree); it only avoids the
/// tape's full-size temporaries:
///
/// Forward, with s = 1/(K+1): E¹ … E^{K−1} as full (N, D) propagations, then
/// the final embeddings only at the R distinct rows of the batch,
///   F_r = s · (E⁰_r + E¹_r + … + E^{K−1}_r + (Â E^{K−1})_r).
/// Backward: with G = s · ∂L/∂F (non-zero at the batch's rows only) and Â
/// symmetric, ∂L/∂E⁰ = Σ_{k=0…K} Âᵏ G, evaluated by Horner's rule
///   X ← G;  X ← G + Â X  (K − 1 times);  ∂L/∂E⁰ += G + Â X,
/// i.e. K full propagations, plus the L2 term's λ/B · E⁰_r at each batch row.
final class LightGCNTrainingStep {
    let adjacency: SparseMatrix
    let layers: Int
    let dimension: Int
    /// E⁰ copied, E¹ … E^{K−1}, and two Horner buffers: (N, D) each, on
    /// huge pages where the system allows, since propagation reads their rows
    /// in random order (one 4 KB-page TLB miss per row otherwise).
    private let ego: HugePageBuffer
    private let hidden: [HugePageBuffer]
    private var front: HugePageBuffer, back: HugePageBuffer
    /// Row ranges of Â holding about equal numbers of non-zeros, so the cores share the work evenly.
    private let chunks: [Range<Int>]
    /// The batch's final embeddings F and ∂L/∂F: (R, D) each, grown to the
    /// largest batch seen, so steps allocate nothing.
    private var finalRows = HugePageBuffer(count: 0), finalGradient = HugePageBuffer(count: 0)
    /// Global row → position among the batch's distinct rows (−1: not in the batch).
    private var slot: [Int32]

    /// The kernels need D to be a multiple of 64.
    static func supports(dimension: Int) -> Bool { dimension % 64 == 0 && dimension > 0 }

    init(adjacency: SparseMatrix, layers: Int, dimension: Int) {
        precondition(adjacency.isSymmetric && Self.supports(dimension: dimension))
        self.adjacency = adjacency
        self.layers = layers
        self.dimension = dimension
        let n = adjacency.rowCount
        ego = HugePageBuffer(count: layers > 0 ? n * dimension : 0)
        hidden = (0..<Swift.max(layers - 1, 0)).map { _ in HugePageBuffer(count: n * dimension) }
        front = HugePageBuffer(count: layers > 0 ? n * dimension : 0)
        back = HugePageBuffer(count: layers > 1 ? n * dimension : 0)
        slot = [Int32](repeating: -1, count: n)
        let pieces = Swift.max(1, 8 * Parallelism.threadCount)
        let nnz = adjacency.nonZeroCount
        var bounds = [0]
        for k in 1..<pieces {
            // First row whose offset reaches k/pieces of the non-zeros.
            let target = Int32(nnz * k / pieces)
            var lo = bounds.last!, hi = n
            while lo < hi { let mid = (lo + hi) >> 1; if adjacency.offsets[mid] < target { lo = mid + 1 } else { hi = mid } }
            bounds.append(lo)
        }
        bounds.append(n)
        chunks = zip(bounds, bounds.dropFirst()).map { $0..<$1 }.filter { !$0.isEmpty }
    }

    /// One step on triplets given as global rows of the (N, D) `table`
    /// (items offset by the user count). Adds ∂L/∂E⁰ to `table`'s gradient
    /// and returns L (see `BPREmbeddingModel`).
    func step(table: Variable, users: [Int32], positives: [Int32], negatives: [Int32], regularization: Float) -> Float {
        let d = dimension, b = users.count
        let scale = 1 / Float(layers + 1)
        let e0 = table.value.data

        // Forward: full layers E¹…E^{K−1}.
        if layers > 0 { ego.data.update(from: e0, count: ego.count) }
        var previous = UnsafePointer(ego.data)
        for k in 0..<hidden.count {
            propagate(previous, into: hidden[k].data, accumulate: false)
            previous = UnsafePointer(hidden[k].data)
        }
        // The batch's distinct rows and their final embeddings F: (R, D).
        var rows: [Int32] = []
        rows.reserveCapacity(3 * b)
        var triplets = [Int32](repeating: 0, count: 3 * b)                       // (B, 3) slots of u, i, j
        for (t, r) in zip(0..., users + positives + negatives) {
            if slot[Int(r)] < 0 { slot[Int(r)] = Int32(rows.count); rows.append(r) }
            triplets[(t % b) * 3 + t / b] = slot[Int(r)]
        }
        if finalRows.count < rows.count * d {
            finalRows = HugePageBuffer(count: 3 * b * d)
            finalGradient = HugePageBuffer(count: 3 * b * d)
        }
        let final = finalRows, dFinal = finalGradient
        dFinal.data.update(repeating: 0, count: rows.count * d)
        let last = previous, layerPointers = hidden.map { UnsafePointer($0.data) }
        rows.withUnsafeBufferPointer { rowIds in
            parallelFor(rowIds.count, minimumPerChunk: 64) { range in
                for i in range {
                    let r = Int(rowIds[i]), f = final.data + i * d
                    if layers > 0 { propagateRow(r, last, into: f) } else { f.update(repeating: 0, count: d) }
                    Kernels.add(f, f, e0 + r * d, d)
                    for layer in layerPointers { Kernels.add(f, f, layer + r * d, d) }
                    Kernels.scale(f, f, scale, d)
                }
            }
        }

        // Loss and ∂L/∂F.
        var loss = 0.0
        let f = final.data, g = dFinal.data
        for t in 0..<b {
            let u = Int(triplets[3 * t]) * d, i = Int(triplets[3 * t + 1]) * d, j = Int(triplets[3 * t + 2]) * d
            var margin: Float = 0
            for c in 0..<d { margin += f[u + c] * (f[i + c] - f[j + c]) }
            // −log σ(m) = softplus(−m), computed stably.
            loss += Double(Swift.max(-margin, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(margin))))
            let weight = -1 / (1 + Foundation.exp(margin)) / Float(b)         // ∂L/∂m = −σ(−m)/B
            for c in 0..<d {
                g[u + c] += weight * (f[i + c] - f[j + c])
                g[i + c] += weight * f[u + c]
                g[j + c] -= weight * f[u + c]
            }
        }
        loss /= Double(b)

        // Backward: ∂L/∂E⁰ = Σ_k Âᵏ G with G = s · ∂L/∂F, by Horner's rule.
        Kernels.scale(g, g, scale, rows.count * d)
        let gradient = table.gradient().data
        // The first product Â G reads only the batch's rows of G, straight from the compact (R, D) buffer.
        if layers == 1 {
            propagate(fromBatchRows: g, into: gradient, accumulate: true)
        } else if layers > 1 {
            propagate(fromBatchRows: g, into: front.data, accumulate: false)
            scatterAdd(g, rows, into: front.data)
            for _ in 2..<layers {
                propagate(front.data, into: back.data, accumulate: false)
                scatterAdd(g, rows, into: back.data)
                swap(&front, &back)
            }
            propagate(front.data, into: gradient, accumulate: true)
        }
        scatterAdd(g, rows, into: gradient)

        // L2: λ/(2B) Σ over the batch's occurrences of ‖E⁰_r‖², gradient λ/B · E⁰_r per occurrence.
        if regularization > 0 {
            var squares = 0.0
            for r in users + positives + negatives {
                let row = e0 + Int(r) * d
                var s: Float = 0
                for c in 0..<d { s += row[c] * row[c] }
                squares += Double(s)
                Kernels.axpy(gradient + Int(r) * d, regularization / Float(b), row, d)
            }
            loss += Double(regularization) / Double(2 * b) * squares
        }
        for r in rows { slot[Int(r)] = -1 }
        return Float(loss)
    }

    /// out (N, D) (+)= Â · x, rows split by non-zeros across the cores.
    private func propagate(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let chunks = chunks, d = dimension
        withMatrix { offsets, columns, values in
            parallelFor(chunks.count) { range in
                let sum = UnsafeMutablePointer<Float>.allocate(capacity: d)      // (D)
                defer { sum.deallocate() }
                for c in range {
                    for r in chunks[c] {
                        if accumulate {
                            Self.row(r, offsets, columns, values, x, into: sum, d)
                            Kernels.add(out + r * d, out + r * d, sum, d)
                        } else {
                            Self.row(r, offsets, columns, values, x, into: out + r * d, d)
                        }
                    }
                }
            }
        }
    }

    /// out (N, D) (+)= Â · X where X is zero but at the batch's rows, whose
    /// values are the compact (R, D) `g` (row `slot[c]` for node c).
    private func propagate(fromBatchRows g: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                           accumulate: Bool) {
        let chunks = chunks, d = dimension
        withMatrix { offsets, columns, values in
            slot.withUnsafeBufferPointer { slots in
                let slot = slots.baseAddress!
                parallelFor(chunks.count) { range in
                    let sum = UnsafeMutablePointer<Float>.allocate(capacity: d)      // (D)
                    defer { sum.deallocate() }
                    for c in range {
                        for r in chunks[c] {
                            let y = accumulate ? sum : out + r * d
                            y.update(repeating: 0, count: d)
                            for e in Int(offsets[r])..<Int(offsets[r + 1]) {
                                let s = slot[Int(columns[e])]
                                if s >= 0 { Kernels.axpy(y, values[e], g + Int(s) * d, d) }
                            }
                            if accumulate { Kernels.add(out + r * d, out + r * d, sum, d) }
                        }
                    }
                }
            }
        }
    }

    private func propagateRow(_ r: Int, _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        withMatrix { Self.row(r, $0, $1, $2, x, into: out, dimension) }
    }

    private func withMatrix<T>(_ body: (UnsafePointer<Int32>, UnsafePointer<Int32>, UnsafePointer<Float>) -> T) -> T {
        adjacency.offsets.withUnsafeBufferPointer { o in
            adjacency.columns.withUnsafeBufferPointer { c in
                adjacency.values.withUnsafeBufferPointer { v in body(o.baseAddress!, c.baseAddress ?? UnsafePointer(bitPattern: 16)!, v.baseAddress ?? UnsafePointer(bitPattern: 16)!) }
            }
        }
    }

    /// out (D) = (Â · x)_r, four 16-wide accumulators per 64 columns held in registers.
    @inline(__always)
    private static func row(_ r: Int, _ offsets: UnsafePointer<Int32>, _ columns: UnsafePointer<Int32>,
                            _ values: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                            into out: UnsafeMutablePointer<Float>, _ d: Int) {
        let start = Int(offsets[r]), end = Int(offsets[r + 1])
        var block = 0
        while block < d {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            for e in start..<end {
                let v = SIMD16<Float>(repeating: values[e])
                let source = UnsafeRawPointer(x + Int(columns[e]) * d + block)
                a0.addProduct(v, source.loadUnaligned(as: SIMD16<Float>.self))
                a1.addProduct(v, source.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
                a2.addProduct(v, source.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self))
                a3.addProduct(v, source.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
            }
            let destination = UnsafeMutableRawPointer(out + block)
            destination.storeBytes(of: a0, as: SIMD16<Float>.self)
            destination.storeBytes(of: a1, toByteOffset: 64, as: SIMD16<Float>.self)
            destination.storeBytes(of: a2, toByteOffset: 128, as: SIMD16<Float>.self)
            destination.storeBytes(of: a3, toByteOffset: 192, as: SIMD16<Float>.self)
            block += 64
        }
    }

    /// out[rows[i]] += g[i] for the (R, D) compact rows g.
    private func scatterAdd(_ g: UnsafePointer<Float>, _ rows: [Int32], into out: UnsafeMutablePointer<Float>) {
        for (i, r) in rows.enumerated() { Kernels.add(out + Int(r) * dimension, out + Int(r) * dimension, g + i * dimension, dimension) }
    }
}

/// Floats in memory aligned to 2 MB and advised for transparent huge pages
/// (Linux `madvise(MADV_HUGEPAGE)`; elsewhere, or when refused, ordinary pages). Zeroed.
final class HugePageBuffer {
    let data: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        let alignment = 2 << 20
        let bytes = Swift.max(alignment, (count * 4 + alignment - 1) / alignment * alignment)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment)
        #if canImport(Glibc)
        _ = madvise(raw, bytes, 14)  // MADV_HUGEPAGE; advice only, so a refusal changes nothing but speed
        #endif
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        data = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(data).deallocate() }
}
