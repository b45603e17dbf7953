import Foundation

/// Adam with decoupled weight decay, exactly as `torch.optim.AdamW`:
///
///   θ ← θ − lr·λ·θ                       (decoupled decay, skipped when λ = 0)
///   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
///   θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
///
/// With `weightDecay` 0 this is `torch.optim.Adam`. Parameters whose name
/// `decays` rejects (by default biases and LayerNorm weights, as BERT
/// training does) get no weight decay.
public final class AdamW {
    public struct State: Codable, Sendable {
        public var step: Int
        public var firstMoments: [String: [Float]]
        public var secondMoments: [String: [Float]]
    }

    public var learningRate: Float
    public let beta1: Float, beta2: Float, eps: Float, weightDecay: Float
    public private(set) var step = 0
    private let named: [(name: String, parameter: Variable, decays: Bool)]
    private var m: [Tensor]
    private var v: [Tensor]

    public init(parameters: [(name: String, parameter: Variable)], learningRate: Float = 1e-3,
                beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01,
                decays: (String) -> Bool = AdamW.defaultDecays) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        named = parameters.filter { $0.parameter.requiresGrad }.map { ($0.name, $0.parameter, decays($0.name)) }
        m = named.map { Tensor(zeros: $0.parameter.value.shape) }
        v = named.map { Tensor(zeros: $0.parameter.value.shape) }
    }

    /// No decay for biases and normalisation weights.
    public static func defaultDecays(_ name: String) -> Bool {
        !(name.hasSuffix("bias") || name.contains("LayerNorm") || name.contains("layer_norm") || name.contains("norm."))
    }

    /// One update from the accumulated gradients (parameters without a
    /// gradient are left alone, as PyTorch does).
    public func update() {
        step += 1
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let bc2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let stepSize = Float(Double(learningRate) / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        let (b1, b2, e) = (beta1, beta2, eps)
        for (i, entry) in named.enumerated() {
            guard let g = entry.parameter.grad else { continue }
            let p = entry.parameter.value.data, gp = g.data, mp = m[i].data, vp = v[i].data
            let n = g.count
            let decay: Float = entry.decays ? 1 - learningRate * weightDecay : 1
            parallelFor(n, minimumPerChunk: 65_536) { range in
                for j in range {
                    let gj = gp[j]
                    let mj = b1 * mp[j] + (1 - b1) * gj
                    let vj = b2 * vp[j] + (1 - b2) * gj * gj
                    mp[j] = mj
                    vp[j] = vj
                    p[j] = p[j] * decay - stepSize * mj / (vj.squareRoot() / bc2Sqrt + e)
                }
            }
        }
    }

    /// Moments and step, by parameter name, for checkpoints.
    public var state: State {
        var first: [String: [Float]] = [:], second: [String: [Float]] = [:]
        for (i, entry) in named.enumerated() {
            first[entry.name] = m[i].scalars
            second[entry.name] = v[i].scalars
        }
        return State(step: step, firstMoments: first, secondMoments: second)
    }

    /// Restores `state`; every parameter's moments must be present with the right size.
    public func load(_ state: State) throws {
        for (i, entry) in named.enumerated() {
            guard let f = state.firstMoments[entry.name], let s = state.secondMoments[entry.name],
                  f.count == m[i].count, s.count == v[i].count else {
                throw OptimizerError.stateMismatch(parameter: entry.name)
            }
            m[i].assign(Tensor(f, shape: m[i].shape))
            v[i].assign(Tensor(s, shape: v[i].shape))
        }
        step = state.step
    }

    /// Moment tensors by name, for saving as safetensors (`m.<name>`, `v.<name>`).
    public var momentTensors: [(name: String, tensor: Tensor)] {
        named.enumerated().flatMap { i, e in [("m.\(e.name)", m[i]), ("v.\(e.name)", v[i])] }
    }

    /// Restores moments saved by `momentTensors` and the step count.
    public func loadMoments(_ lookup: (String) throws -> Tensor?, step: Int) throws {
        for (i, entry) in named.enumerated() {
            guard let f = try lookup("m.\(entry.name)"), let s = try lookup("v.\(entry.name)"),
                  f.count == m[i].count, s.count == v[i].count else {
                throw OptimizerError.stateMismatch(parameter: entry.name)
            }
            m[i].assign(f)
            v[i].assign(s)
        }
        self.step = step
    }
}

public enum OptimizerError: Error, CustomStringConvertible, Equatable {
    case stateMismatch(parameter: String)

    public var description: String {
        switch self {
        case .stateMismatch(let p): "optimizer state has no moments of the right size for parameter '\(p)'"
        }
    }
}
