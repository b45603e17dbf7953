extension Tape {
    /// y = x · Wᵀ + b, PyTorch's Linear layout.
    /// x (..., I), weight (O, I), bias (O) → y (..., O).
    /// Backward: dx += dy · W, dW += dyᵀ · x, db += Σ_rows dy.
    public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let inF = x.value.lastDimension, rows = x.value.rowCount
        precondition(weight.value.rank == 2 && weight.value.shape[1] == inF,
                     "linear: input \(x.shape) does not match weight \(weight.shape)")
        let outF = weight.value.shape[0]
        let y = Tensor(uninitialized: Array(x.value.shape.dropLast()) + [outF])
        if let bias {
            precondition(bias.value.count == outF, "linear: bias \(bias.shape) for \(outF) outputs")
            // Broadcast the bias into y, then accumulate x·Wᵀ with beta = 1: one pass fewer over y.
            for r in 0..<rows { (y.data + r * outF).update(from: bias.value.data, count: outF) }
            BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: outF, k: inF,
                       a: x.value.data, b: weight.value.data, beta: 1, c: y.data)
        } else {
            BLAS.sgemm(transposeA: false, transposeB: true, m: rows, n: outF, k: inF,
                       a: x.value.data, b: weight.value.data, beta: 0, c: y.data)
        }
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let rec = needsGradient(inputs)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                if x.requiresGrad {
                    BLAS.sgemm(transposeA: false, transposeB: false, m: rows, n: inF, k: outF,
                               a: dy.data, b: weight.value.data, beta: 1, c: x.gradient().data)
                }
                if weight.requiresGrad {
                    BLAS.sgemm(transposeA: true, transposeB: false, m: outF, n: inF, k: rows,
                               a: dy.data, b: x.value.data, beta: 1, c: weight.gradient().data)
                }
                if let bias, bias.requiresGrad {
                    Kernels.accumulateColumnSums(bias.gradient().data, dy.data, rows: rows, cols: outF)
                }
            }
        }
        return out
    }

    /// C = op(A) · op(B) on the last two dimensions; A's leading dimensions
    /// fold into rows when it is not transposed. See `Tensor.matmul`.
    /// Backward: dA += dC · op(B)ᵀ (transposed to A's layout), dB likewise.
    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        let c = a.value.matmul(b.value, transposeSelf: transposeA, transposeOther: transposeB)
        let rec = needsGradient(a, b)
        let out = output(c, recorded: rec)
        if rec {
            let m = c.rowCount, n = c.lastDimension
            let k = transposeA ? a.value.shape[0] : a.value.lastDimension
            record {
                guard let dc = out.grad else { return }
                if a.requiresGrad {
                    let ga = a.gradient()
                    if transposeA {
                        // A is (K, M): dA = op(B) · dCᵀ
                        BLAS.sgemm(transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                                   a: b.value.data, b: dc.data, beta: 1, c: ga.data)
                    } else {
                        // A is (M, K): dA = dC · op(B)ᵀ
                        BLAS.sgemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                                   a: dc.data, b: b.value.data, beta: 1, c: ga.data)
                    }
                }
                if b.requiresGrad {
                    let gb = b.gradient()
                    if transposeB {
                        // B is (N, K): dB = dCᵀ · op(A)
                        BLAS.sgemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                                   a: dc.data, b: a.value.data, beta: 1, c: gb.data)
                    } else {
                        // B is (K, N): dB = op(A)ᵀ · dC
                        BLAS.sgemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                                   a: a.value.data, b: dc.data, beta: 1, c: gb.data)
                    }
                }
            }
        }
        return out
    }

    /// Batched C[i] = alpha · op(A[i]) · op(B[i]) for A (B, ·, ·), B (B, ·, ·).
    public func batchedMatmul(_ a: Variable, _ b: Variable, transposeA: Bool = false,
                              transposeB: Bool = false, alpha: Float = 1) -> Variable {
        let c = a.value.batchedMatmul(b.value, transposeSelf: transposeA, transposeOther: transposeB, alpha: alpha)
        let rec = needsGradient(a, b)
        let out = output(c, recorded: rec)
        if rec {
            let batch = c.shape[0], m = c.shape[1], n = c.shape[2]
            let k = transposeA ? a.value.shape[1] : a.value.shape[2]
            record {
                guard let dc = out.grad else { return }
                if a.requiresGrad {
                    let ga = a.gradient()
                    if transposeA {
                        Tensor.batchedSgemm(batch: batch, transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                                            alpha: alpha, a: b.value.data, strideA: n * k, b: dc.data, strideB: m * n,
                                            beta: 1, c: ga.data, strideC: k * m)
                    } else {
                        Tensor.batchedSgemm(batch: batch, transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                                            alpha: alpha, a: dc.data, strideA: m * n, b: b.value.data, strideB: n * k,
                                            beta: 1, c: ga.data, strideC: m * k)
                    }
                }
                if b.requiresGrad {
                    let gb = b.gradient()
                    if transposeB {
                        Tensor.batchedSgemm(batch: batch, transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                                            alpha: alpha, a: dc.data, strideA: m * n, b: a.value.data, strideB: m * k,
                                            beta: 1, c: gb.data, strideC: n * k)
                    } else {
                        Tensor.batchedSgemm(batch: batch, transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                                            alpha: alpha, a: a.value.data, strideA: m * k, b: dc.data, strideB: m * n,
                                            beta: 1, c: gb.data, strideC: k * n)
                    }
                }
            }
        }
        return out
    }
}
