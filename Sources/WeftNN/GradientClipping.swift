/// Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_`:
/// n = √(Σ_p ‖g_p‖²); when n > maxNorm every gradient is scaled by
/// maxNorm / (n + 1e-6). Returns n (before clipping).
@discardableResult
public func clipGradientNorm(_ parameters: [Variable], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        let n = Kernels.dot(g.data, g.data, g.count)
        total += Double(n)
    }
    let norm = Float(total.squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for p in parameters {
            guard let g = p.grad else { continue }
            Kernels.scale(g.data, g.data, coefficient, g.count)
        }
    }
    return norm
}
