/// Reverse-mode automatic differentiation over coarse operations.
///
/// Each op on a recording tape computes its output with a forward kernel and,
/// when any input requires a gradient, appends a closure that runs the op's
/// hand-written backward kernel. `backward(_:)` runs the closures in reverse
/// order; each accumulates (+=) into its inputs' gradients.
///
/// A tape made with `recording: false` (`Tape.inference`) runs the same ops
/// without storing closures, saved activations or gradients, so inference
/// carries no autodiff memory.
public final class Tape {
    public let isRecording: Bool
    private var steps: [() -> Void] = []

    public init(recording: Bool = true) { isRecording = recording }

    /// A tape that records nothing, for inference.
    public static var inference: Tape { Tape(recording: false) }

    /// Number of recorded backward steps.
    public var recordedCount: Int { steps.count }

    /// Whether an op over `inputs` must record its backward.
    @inline(__always)
    public func needsGradient(_ inputs: Variable...) -> Bool {
        guard isRecording else { return false }
        for v in inputs where v.requiresGrad { return true }
        return false
    }

    @inline(__always)
    public func needsGradient(_ inputs: [Variable]) -> Bool {
        isRecording && inputs.contains { $0.requiresGrad }
    }

    /// Wraps an op's output; it requires a gradient when its op recorded one.
    @inline(__always)
    public func output(_ value: Tensor, recorded: Bool) -> Variable {
        Variable(value, requiresGrad: recorded)
    }

    /// Appends an op's backward. Ops in other modules use this too.
    public func record(_ backward: @escaping () -> Void) {
        precondition(isRecording, "record on a tape that is not recording")
        steps.append(backward)
    }

    /// Back-propagates from `output`, seeding its gradient with ones (a
    /// scalar loss) or with `seed`. The tape is cleared afterwards, so the
    /// activations it held are freed.
    public func backward(_ output: Variable, seed: Tensor? = nil) {
        let g = output.gradient()
        if let seed {
            precondition(seed.count == g.count, "seed shape \(seed.shape) for output \(output.shape)")
            Kernels.add(g.data, g.data, seed.data, g.count)
        } else {
            let ones = Tensor(repeating: 1, shape: g.shape)
            Kernels.add(g.data, g.data, ones.data, g.count)
        }
        for step in steps.reversed() { step() }
        steps.removeAll(keepingCapacity: true)
    }

    /// Drops recorded steps without running them.
    public func reset() { steps.removeAll(keepingCapacity: true) }
}
