import Foundation

extension Tape {
    /// log σ(x) = −log(1 + e^{−x}), computed as min(x, 0) − log(1 + e^{−|x|})
    /// so large |x| neither overflows nor loses the tail.
    /// Backward: dx += dy · σ(−x).
    public func logSigmoid(_ x: Variable) -> Variable {
        let n = x.value.count
        let y = Tensor(uninitialized: x.value.shape)
        let (xp, yp) = (x.value.data, y.data)
        for i in 0..<n {
            let v = xp[i]
            yp[i] = Swift.min(v, 0) - Float(Foundation.log1p(Double(Foundation.exp(-Swift.abs(Double(v))))))
        }
        let rec = needsGradient(x)
        let out = output(y, recorded: rec)
        if rec {
            record {
                guard let dy = out.grad else { return }
                let gx = x.gradient().data, g = dy.data
                for i in 0..<n { gx[i] += g[i] / (1 + Float(Foundation.exp(Double(xp[i])))) }
            }
        }
        return out
    }
}
