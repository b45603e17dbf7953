/// The learned gate that fuses a node's text view with its ID embedding:
///
///   g  = σ(W_g [t ; e] + b_g)          (N, D)
///   h⁰ = g ⊙ t + (1 − g) ⊙ e = e + g ⊙ (t − e)
///
/// t (N, D) is the projected text embedding (zeros for nodes without
/// text), e (N, D) the ID embedding (zeros for nodes without a trained ID
/// and for IDs dropped in training). The gate decides per node and
/// dimension how much to trust each view, so a node seen often can lean on
/// its ID and a new one on its text.
public final class TextIDFusion: Module {
    public let gate: Linear

    public init(dimension: Int, using rng: inout SeededGenerator) {
        // Starts half-open (g ≈ 0.5) for every node.
        gate = Linear(inFeatures: 2 * dimension, outFeatures: dimension, std: 0.02, using: &rng)
    }

    public func callAsFunction(text t: Variable, id e: Variable, tape: Tape) -> Variable {
        let g = tape.sigmoid(gate(tape.concatenateColumns([t, e]), tape: tape))   // (N, D)
        return tape.add(e, tape.mul(g, tape.sub(t, e)))                          // (N, D)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] { prefixed("gate", gate) }
}
