/// Heterogeneous graphs and relation-aware message passing (see ARCHITECTURE.md).
public enum WeftGraph {}
