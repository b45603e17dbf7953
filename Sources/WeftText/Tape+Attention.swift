import WeftCore

extension Tape {
    /// Multi-head scaled dot-product attention as one op, heads taken from
    /// the channel dimension in place (no head split or merge copies):
    ///
    ///   for each row b and head h (D = C / H columns at h·D):
    ///   O[b, :, h] = softmax(Q[b, :, h] K[b, :, h]ᵀ / √D, keys masked by keyMask[b]) · V[b, :, h]
    ///
    /// query, key, value (B, T, C) → (B, T, C). `keyMask` (B, T): 1 for a
    /// token, 0 for padding (padded keys get probability 0; padded query
    /// rows are still computed, as in PyTorch). Saves P (B, H, T, T) for the
    /// backward when recording.
    public func multiHeadAttention(query: Variable, key: Variable, value: Variable, keyMask: Tensor?,
                                   heads: Int) -> Variable {
        attention(query, key, value, keyMask: keyMask, heads: heads, dropoutMask: nil)
    }

    /// `multiHeadAttention` with inverted dropout (probability p) on the
    /// attention probabilities, as BERT trains.
    public func multiHeadAttention(query: Variable, key: Variable, value: Variable, keyMask: Tensor?,
                                   heads: Int, dropoutProbability p: Float,
                                   using rng: inout SeededGenerator) -> Variable {
        guard p > 0 else { return multiHeadAttention(query: query, key: key, value: value, keyMask: keyMask, heads: heads) }
        let s = query.value.shape
        precondition(s.count == 3, "multiHeadAttention: query must be (B, T, C), got \(s)")
        // (B, H, T, T) entries 0 or 1/(1 − p)
        let mask = Tensor(uninitialized: [s[0], heads, s[1], s[1]])
        Kernels.dropoutMask(mask.data, count: mask.count, probability: p, using: &rng)
        return attention(query, key, value, keyMask: keyMask, heads: heads, dropoutMask: mask)
    }

    private func attention(_ query: Variable, _ key: Variable, _ value: Variable, keyMask: Tensor?, heads: Int,
                           dropoutMask: Tensor?) -> Variable {
        let s = query.value.shape
        precondition(s.count == 3 && key.value.shape == s && value.value.shape == s,
                     "multiHeadAttention: query \(query.shape), key \(key.shape), value \(value.shape) must be equal (B, T, C)")
        let (b, t, c) = (s[0], s[1], s[2])
        precondition(heads > 0 && c % heads == 0, "multiHeadAttention: \(heads) heads do not divide \(c) channels")
        if let keyMask { precondition(keyMask.count == b * t, "multiHeadAttention: key mask \(keyMask.shape) for \(s)") }
        let d = c / heads
        let scale = 1 / Float(d).squareRoot()
        let rec = needsGradient(query, key, value)
        let out = Tensor(uninitialized: s)                        // (B, T, C)
        // (B, H, T, T) when kept for the backward; else one (T, T) block per worker
        let probabilities = Tensor(uninitialized: rec ? [b, heads, t, t] : [Parallelism.threadCount, t, t])
        let dropScratch = dropoutMask == nil ? nil : Tensor(uninitialized: [Parallelism.threadCount, t, t])
        let qp = query.value.data, kp = key.value.data, vp = value.value.data, op = out.data
        let pp = probabilities.data, mp = keyMask?.data, dm = dropoutMask?.data, ds = dropScratch?.data
        BLAS.withSingleThread {
            WorkerPool.forEachItem(b * heads) { worker, item in
                let row = item / heads, h = item % heads
                let base = row * t * c + h * d
                let p = rec ? pp + item * t * t : pp + worker * t * t
                AttentionKernels.forwardHead(
                    query: qp + base, queryStride: c, key: kp + base, keyStride: c, value: vp + base, valueStride: c,
                    output: op + base, outputStride: c, queryCount: t, keyCount: t, headSize: d, scale: scale,
                    keyMask: mp.map { UnsafePointer($0 + row * t) }, probabilities: p,
                    dropoutMask: dm.map { UnsafePointer($0 + item * t * t) }, dropoutScratch: ds.map { $0 + worker * t * t })
            }
        }
        let result = output(out, recorded: rec)
        if rec {
            record {
                guard let dy = result.grad else { return }
                // Gradient buffers are created here, before the workers share them.
                let dq = query.requiresGrad ? query.gradient().data : nil
                let dk = key.requiresGrad ? key.gradient().data : nil
                let dv = value.requiresGrad ? value.gradient().data : nil
                let scratch = Tensor(uninitialized: [Parallelism.threadCount, 2 * t * t])
                let sp = scratch.data, gp = dy.data
                // Pointers are re-derived from the captured tensors, which keeps them alive until now.
                let qp = query.value.data, kp = key.value.data, vp = value.value.data
                let pp = probabilities.data, dm = dropoutMask?.data
                BLAS.withSingleThread {
                    WorkerPool.forEachItem(b * heads) { worker, item in
                        let row = item / heads, h = item % heads
                        let base = row * t * c + h * d
                        AttentionKernels.backwardHead(
                            query: qp + base, key: kp + base, value: vp + base, stride: c,
                            outputGradient: gp + base, queryGradient: dq.map { $0 + base },
                            keyGradient: dk.map { $0 + base }, valueGradient: dv.map { $0 + base }, gradientStride: c,
                            length: t, headSize: d, scale: scale, probabilities: pp + item * t * t,
                            dropoutMask: dm.map { UnsafePointer($0 + item * t * t) }, scratch: sp + worker * 2 * t * t)
                    }
                }
            }
        }
        return result
    }
}
