/// Splits, GNN training, scoring, cold start, explanations and evaluation.
public enum WeftRec {}
