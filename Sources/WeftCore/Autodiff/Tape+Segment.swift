/// Segment (CSR) reductions on the tape, for message passing: `offsets`
/// (S + 1 entries, non-decreasing, last = E) split the rows of values (E, C).
public enum SegmentReduction: Sendable { case sum, mean, max }

extension Tape {
    /// Reduces each segment's rows to one row: (E, C) → (S, C).
    public func segmentReduce(_ values: Variable, offsets: [Int32], _ op: SegmentReduction) -> Variable {
        let c = values.value.lastDimension, e = values.value.rowCount, s = offsets.count - 1
        precondition(s >= 0 && offsets.last.map(Int.init) == e, "segmentReduce: offsets end at \(offsets.last ?? -1), values have \(e) rows")
        let y = Tensor(uninitialized: [s, c])
        let rec = needsGradient(values)
        var argmax: [Int32] = []
        offsets.withUnsafeBufferPointer { o in
            switch op {
            case .sum, .mean:
                Kernels.segmentSum(y.data, values.value.data, offsets: o.baseAddress!, segments: s, cols: c, mean: op == .mean)
            case .max:
                argmax = [Int32](repeating: -1, count: s * c)
                argmax.withUnsafeMutableBufferPointer { a in
                    Kernels.segmentMax(y.data, argmax: a.baseAddress!, values.value.data, offsets: o.baseAddress!,
                                       segments: s, cols: c)
                }
            }
        }
        let out = output(y, recorded: rec)
        if rec {
            let saved = argmax
            record {
                guard let dy = out.grad else { return }
                let gv = values.gradient()
                switch op {
                case .sum, .mean:
                    offsets.withUnsafeBufferPointer { o in
                        Kernels.segmentSumBackward(gv.data, dy.data, offsets: o.baseAddress!, segments: s, cols: c,
                                                   mean: op == .mean)
                    }
                case .max:
                    saved.withUnsafeBufferPointer { a in
                        Kernels.segmentMaxBackward(gv.data, dy.data, argmax: a.baseAddress!, segments: s, cols: c)
                    }
                }
            }
        }
        return out
    }

    /// Softmax of scores (E, H) within each segment, per column (head).
    public func segmentSoftmax(_ scores: Variable, offsets: [Int32]) -> Variable {
        let c = scores.value.lastDimension, s = offsets.count - 1
        precondition(s >= 0 && offsets.last.map(Int.init) == scores.value.rowCount,
                     "segmentSoftmax: offsets do not cover \(scores.shape)")
        let y = Tensor(zeros: scores.value.shape)
        offsets.withUnsafeBufferPointer { o in
            Kernels.segmentSoftmax(y.data, scores.value.data, offsets: o.baseAddress!, segments: s, cols: c)
        }
        let rec = needsGradient(scores)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                offsets.withUnsafeBufferPointer { o in
                    Kernels.segmentSoftmaxBackward(scores.gradient().data, dy.data, y.data, offsets: o.baseAddress!,
                                                   segments: s, cols: c)
                }
            }
        }
        return out
    }
}
