extension Tape {
    /// Row gather (embedding look-up, index select): table (R, C), ids (n)
    /// → (n, C). Backward: scatter-add into the table's gradient.
    public func gatherRows(_ table: Variable, ids: [Int32]) -> Variable {
        let c = table.value.lastDimension, r = table.value.rowCount
        let y = Tensor(uninitialized: [ids.count, c])
        ids.withUnsafeBufferPointer { p in
            for id in p { precondition(id >= 0 && Int(id) < r, "gatherRows: id \(id) outside 0..<\(r)") }
            guard let base = p.baseAddress else { return }
            Kernels.gatherRows(y.data, table.value.data, ids: base, count: ids.count, cols: c)
        }
        let rec = needsGradient(table)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                ids.withUnsafeBufferPointer { p in
                    guard let base = p.baseAddress else { return }
                    Kernels.scatterAddRows(table.gradient().data, dy.data, ids: base, count: ids.count, cols: c)
                }
            }
        }
        return out
    }

    /// Mean cross-entropy over rows of logits (N, V) whose target is not
    /// `ignoreIndex` → shape [1]. Backward: dlogits += dloss · (softmax − onehot) / count.
    public func crossEntropy(_ logits: Variable, targets: [Int32], ignoreIndex: Int32 = -100) -> Variable {
        let v = logits.value.lastDimension, n = logits.value.rowCount
        precondition(targets.count == n, "crossEntropy: \(targets.count) targets for \(n) rows")
        let rec = needsGradient(logits)
        let probs = rec ? Tensor(uninitialized: logits.value.shape) : nil
        let (loss, _) = targets.withUnsafeBufferPointer { t -> (loss: Float, count: Int) in
            guard let base = t.baseAddress else { return (0, 0) }
            return Kernels.crossEntropy(logits.value.data, targets: base, rows: n, classes: v,
                                 ignoreIndex: ignoreIndex, probabilities: probs?.data)
        }
        let out = output(Tensor(scalar: loss), recorded: rec)
        if rec, let probs {
            record {
                guard let dy = out.grad else { return }
                Kernels.axpy(logits.gradient().data, dy.data[0], probs.data, probs.count)
            }
        }
        return out
    }
}
