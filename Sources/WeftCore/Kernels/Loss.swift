import Foundation

extension Kernels {
    /// Mean cross-entropy of rows of logits (N, V) against integer targets;
    /// rows whose target equals `ignoreIndex` take no part. Writes
    /// dlogits = (softmax − onehot) / count when `dlogits` is given, ready to be
    /// scaled by the upstream gradient. Returns (loss, counted rows).
    public static func crossEntropy(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
                                    rows n: Int, classes v: Int, ignoreIndex: Int32,
                                    probabilities dlogits: UnsafeMutablePointer<Float>?) -> (loss: Float, count: Int) {
        var valid = 0
        for i in 0..<n where targets[i] != ignoreIndex {
            precondition(targets[i] >= 0 && Int(targets[i]) < v, "cross-entropy target \(targets[i]) outside 0..<\(v)")
            valid += 1
        }
        let perRow = Tensor(zeros: [Swift.max(n, 1)])
        let lp = perRow.data
        let inv = valid > 0 ? 1 / Float(valid) : 0
        parallelFor(n, minimumPerChunk: Swift.max(1, 8192 / Swift.max(v, 1))) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: v)
            defer { scratch.deallocate() }
            for i in range {
                let t = targets[i]
                let row = logits + i * v
                if t == ignoreIndex {
                    dlogits?.advanced(by: i * v).update(repeating: 0, count: v)
                    continue
                }
                softmaxRow(scratch, row, v, 1, nil)
                let mx = max(row, v)
                var total: Double = 0
                for j in 0..<v { total += Double(Foundation.exp(row[j] - mx)) }
                lp[i] = Float(Double(mx) + Foundation.log(total)) - row[Int(t)]
                if let d = dlogits {
                    let dr = d + i * v
                    scale(dr, scratch, inv, v)
                    dr[Int(t)] -= inv
                }
            }
        }
        let loss = valid > 0 ? Float(sum(lp, n) / Double(valid)) : 0
        return (loss, valid)
    }
}
