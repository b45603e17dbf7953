/// Inverted dropout: in training, each element is zeroed with probability
/// `probability` and the rest scaled by 1/(1 − p); at inference it is the identity.
public final class Dropout: Module {
    public let probability: Float

    public init(probability: Float) {
        precondition(probability >= 0 && probability < 1, "dropout probability \(probability) outside [0, 1)")
        self.probability = probability
    }

    public func callAsFunction(_ x: Variable, tape: Tape, training: Bool, using rng: inout SeededGenerator) -> Variable {
        guard training, probability > 0 else { return x }
        return tape.dropout(x, probability: probability, using: &rng)
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] { [] }
}
