import WeftCore

/// Scaled dot-product attention for one (sequence, head), on strided views
/// of merged-head buffers: a head's Q, K, V and output are D columns at
/// offset h·D inside rows of width `ld` (C, or 3C for a fused QKV buffer),
/// so heads are never split into separate tensors.
///
///   S = scale · Q Kᵀ          (Tq, Tk)
///   P = softmax(S) over the keys, masked keys get probability 0
///   O = P V                   (Tq, D)
enum AttentionKernels {
    /// Forward of one head. `probabilities` (Tq, Tk) receives P (kept for the
    /// backward, or scratch). `keyMask` (Tk) holds 1 for a key and 0 for
    /// padding; nil means every key counts. `dropoutMask` (Tq, Tk), when
    /// given, multiplies P (inverted dropout) before it meets V; P itself is
    /// stored undropped.
    static func forwardHead(query q: UnsafePointer<Float>, queryStride ldq: Int,
                            key k: UnsafePointer<Float>, keyStride ldk: Int,
                            value v: UnsafePointer<Float>, valueStride ldv: Int,
                            output o: UnsafeMutablePointer<Float>, outputStride ldo: Int,
                            queryCount tq: Int, keyCount tk: Int, headSize d: Int, scale: Float,
                            keyMask: UnsafePointer<Float>?,
                            probabilities p: UnsafeMutablePointer<Float>,
                            dropoutMask: UnsafePointer<Float>? = nil,
                            dropoutScratch: UnsafeMutablePointer<Float>? = nil) {
        BLAS.sgemm(transposeA: false, transposeB: true, m: tq, n: tk, k: d, alpha: scale,
                   a: q, lda: ldq, b: k, ldb: ldk, beta: 0, c: p, ldc: tk)
        for r in 0..<tq { softmaxRow(p + r * tk, tk, keyMask) }
        var weights = UnsafePointer(p)
        if let dropoutMask, let dropoutScratch {
            multiply(dropoutScratch, p, dropoutMask, tq * tk)
            weights = UnsafePointer(dropoutScratch)
        }
        BLAS.sgemm(transposeA: false, transposeB: false, m: tq, n: d, k: tk,
                   a: weights, lda: tk, b: v, ldb: ldv, beta: 0, c: o, ldc: ldo)
    }

    /// Backward of one head, accumulating (+=) into dQ, dK, dV (same strided
    /// layouts as the forward). `scratch` holds Tq·Tk floats (two such
    /// blocks when there is a dropout mask).
    ///   dV += P̃ᵀ dO,  dP̃ = dO Vᵀ,  dP = dP̃ ⊙ M,  dS = P ⊙ (dP − Σ_k dP ⊙ P)
    ///   dQ += scale · dS K,  dK += scale · dSᵀ Q
    /// with P̃ = P ⊙ M the dropped probabilities (M = 1 without dropout).
    static func backwardHead(query q: UnsafePointer<Float>, key k: UnsafePointer<Float>,
                             value v: UnsafePointer<Float>, stride ld: Int,
                             outputGradient dO: UnsafePointer<Float>,
                             queryGradient dQ: UnsafeMutablePointer<Float>?,
                             keyGradient dK: UnsafeMutablePointer<Float>?,
                             valueGradient dV: UnsafeMutablePointer<Float>?,
                             gradientStride ldg: Int,
                             length t: Int, headSize d: Int, scale: Float,
                             probabilities p: UnsafePointer<Float>, dropoutMask: UnsafePointer<Float>?,
                             scratch: UnsafeMutablePointer<Float>) {
        let dp = scratch
        if let dV {
            var weights = p
            if let dropoutMask {
                let dropped = scratch + t * t
                multiply(dropped, p, dropoutMask, t * t)
                weights = UnsafePointer(dropped)
            }
            BLAS.sgemm(transposeA: true, transposeB: false, m: t, n: d, k: t,
                       a: weights, lda: t, b: dO, ldb: ldg, beta: 1, c: dV, ldc: ldg)
        }
        guard dQ != nil || dK != nil else { return }
        BLAS.sgemm(transposeA: false, transposeB: true, m: t, n: t, k: d,
                   a: dO, lda: ldg, b: v, ldb: ld, beta: 0, c: dp, ldc: t)
        if let dropoutMask { multiply(dp, dp, dropoutMask, t * t) }
        for r in 0..<t {
            let pr = p + r * t, dr = dp + r * t
            let s = Kernels.dot(dr, pr, t)
            for i in 0..<t { dr[i] = pr[i] * (dr[i] - s) }
        }
        if let dQ {
            BLAS.sgemm(transposeA: false, transposeB: false, m: t, n: d, k: t, alpha: scale,
                       a: dp, lda: t, b: k, ldb: ld, beta: 1, c: dQ, ldc: ldg)
        }
        if let dK {
            BLAS.sgemm(transposeA: true, transposeB: false, m: t, n: d, k: t, alpha: scale,
                       a: dp, lda: t, b: q, ldb: ld, beta: 1, c: dK, ldc: ldg)
        }
    }

    /// In-place softmax of a row of n scores; keys with mask 0 get 0. A row
    /// with every key masked becomes zeros.
    @inline(__always)
    static func softmaxRow(_ x: UnsafeMutablePointer<Float>, _ n: Int, _ mask: UnsafePointer<Float>?) {
        var mx = -Float.infinity
        if let mask {
            for i in 0..<n where mask[i] != 0 { mx = max(mx, x[i]) }
            if mx == -.infinity {
                x.update(repeating: 0, count: n)
                return
            }
        } else {
            // A select-based maximum: the generic pointwiseMax is a per-lane call.
            var i = 0
            if n >= 8 {
                var m = load(x)
                i = 8
                while i + 8 <= n {
                    let v = load(x + i)
                    m.replace(with: v, where: v .> m)
                    i += 8
                }
                mx = m.max()
            }
            while i < n { mx = max(mx, x[i]); i += 1 }
        }
        let vmx = SIMD8<Float>(repeating: mx)
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            var e = Kernels.exp8(load(x + i) - vmx)
            if let mask { e.replace(with: 0, where: load(mask + i) .== 0) }
            store(e, x + i)
            acc += e
            i += 8
        }
        var total = acc.sum()
        if i < n {
            var tail = SIMD8<Float>(repeating: -.infinity)
            for j in 0..<(n - i) { tail[j] = x[i + j] }
            var e = Kernels.exp8(tail - vmx)
            for j in 0..<(n - i) {
                let keep = mask.map { $0[i + j] != 0 } ?? true
                let value = keep ? e[j] : 0
                e[j] = value
                x[i + j] = value
                total += value
            }
        }
        let inverse = SIMD8<Float>(repeating: 1 / total)
        i = 0
        while i + 8 <= n { store(load(x + i) * inverse, x + i); i += 8 }
        while i < n { x[i] *= inverse[0]; i += 1 }
    }

    @inline(__always)
    static func multiply(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                         _ b: UnsafePointer<Float>, _ n: Int) {
        Kernels.mul(out, a, b, n)
    }
}

@inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
