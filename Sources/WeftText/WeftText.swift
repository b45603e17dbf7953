import CSentencePiece
import WeftNN

/// Tokenizers, the BERT-compatible encoder and its training loops.
public enum WeftText {}
