/// Losses. Formulas in the doc comments; each is a single tape op (or a
/// composition of checked ops) so its gradient is checked with the ops.
public enum Loss {
    /// Mean cross-entropy over rows whose target is not `ignoreIndex`
    /// (PyTorch's `ignore_index`, default −100):
    /// L = (1/|valid|) Σ_{i valid} (log Σ_j e^{z_ij} − z_{i,t_i}).
    public static func crossEntropy(_ logits: Variable, targets: [Int32], ignoreIndex: Int32 = -100,
                                    tape: Tape) -> Variable {
        tape.crossEntropy(logits, targets: targets, ignoreIndex: ignoreIndex)
    }
}
