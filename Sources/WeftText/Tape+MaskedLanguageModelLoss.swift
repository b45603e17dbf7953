import Foundation
import WeftCore

extension Tape {
    /// Mean cross-entropy of logits (M, V) against `targets` (M), every row
    /// counted, fused for the masked-LM head:
    ///
    ///   P = softmax(logits) row-wise,  L = −(1/M) Σ_i log P[i, t_i]
    ///   dlogits = dL · (P − onehot(t)) / M
    ///
    /// The softmax buffer (M, V) becomes the logits' gradient in place when
    /// nothing else has written one, so the backward neither zeroes nor
    /// allocates an (M, V) buffer. Also returns how many rows have their
    /// arg-max at the target (the masked accuracy's numerator).
    public func maskedLanguageModelCrossEntropy(_ logits: Variable, targets: [Int32]) -> (loss: Variable, correct: Int) {
        let m = logits.value.rowCount, v = logits.value.lastDimension
        precondition(targets.count == m, "maskedLanguageModelCrossEntropy: \(targets.count) targets for \(m) rows")
        precondition(targets.allSatisfy { $0 >= 0 && Int($0) < v }, "maskedLanguageModelCrossEntropy: target outside 0..<\(v)")
        let rec = needsGradient(logits)
        // (M, V) when recording; else one row per worker
        let probabilities = Tensor(uninitialized: rec ? [m, v] : [Parallelism.threadCount, v])
        let perRow = Tensor(uninitialized: [Swift.max(m, 1)])      // (M) −log P[i, t_i]
        var hits = [Int32](repeating: 0, count: Swift.max(m, 1))
        let x = logits.value.data, p = probabilities.data, lp = perRow.data
        hits.withUnsafeMutableBufferPointer { hitBuffer in
            let hit = UncheckedSendable(hitBuffer)
            let chunks = rec ? Swift.min(m, Parallelism.threadCount) : Swift.min(m, Parallelism.threadCount)
            parallelFor(chunks) { range in
                for chunk in range {
                    var i = chunk * m / chunks
                    let end = (chunk + 1) * m / chunks
                    while i < end {
                        let row = x + i * v
                        let out = rec ? p + i * v : p + chunk * v
                        Kernels.softmax(out, row, rows: 1, cols: v)
                        let t = Int(targets[i])
                        lp[i] = -Foundation.log(Swift.max(out[t], Float.leastNormalMagnitude))
                        var best = 0
                        var bestValue = row[0]
                        for j in 1..<v where row[j] > bestValue {
                            bestValue = row[j]
                            best = j
                        }
                        hit.value[i] = best == t ? 1 : 0
                        i += 1
                    }
                }
            }
        }
        let loss = m > 0 ? Float(Kernels.sum(lp, m) / Double(m)) : 0
        let correct = hits.prefix(m).reduce(0) { $0 + Int($1) }
        let out = output(Tensor(scalar: loss), recorded: rec)
        if rec {
            record {
                guard let dy = out.grad, m > 0 else { return }
                let g = dy.data[0] / Float(m)
                let d = probabilities.data
                Kernels.scale(d, d, g, m * v)
                for (i, t) in targets.enumerated() { d[i * v + Int(t)] -= g }
                if let existing = logits.grad {
                    Kernels.add(existing.data, existing.data, d, m * v)
                } else {
                    logits.grad = probabilities
                }
            }
        }
        return (out, correct)
    }
}
