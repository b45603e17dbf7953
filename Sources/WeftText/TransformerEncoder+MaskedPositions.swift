import Foundation
import WeftNN

/// The masked-LM loss with the head applied only where it is needed.
///
/// Hugging Face's `BertForMaskedLM` computes logits (B·T, V) at every
/// position and then ignores all but the ~15 % chosen ones. With V = 16 000
/// and C = 256 that decoder product costs more than the whole encoder, so
/// here the hidden rows at the chosen positions are gathered first:
///
///   H_sel = H[positions]                    (M, C), M ≈ 0.15·B·T
///   logits = MLMHead(H_sel)                 (M, V)
///   loss = mean_i CE(logits_i, label_i)
///
/// The gather's backward scatters the head's gradient back into those rows.
extension TransformerEncoder {
    /// MLM logits (M, V) at `positions` (flat indices b·T + t) of a last hidden state (B, T, C).
    public func languageModelLogits(_ hidden: Variable, at positions: [Int32],
                                    tape: Tape) throws(EncoderError) -> Variable {
        let rows = hidden.value.rowCount, c = hidden.value.lastDimension
        if let bad = positions.first(where: { $0 < 0 || Int($0) >= rows }) {
            throw .invalidInput(reason: "masked position \(bad) is outside the \(rows) rows of the batch")
        }
        let flat = tape.reshape(hidden, [rows, c])
        return try languageModelLogits(tape.gatherRows(flat, ids: positions), tape: tape)
    }

    /// Mean cross-entropy at the batch's chosen positions, and the logits (M, V) it came from.
    public func maskedLanguageModelLoss(_ batch: MaskedBatch, tape: Tape, training: Bool,
                                        using rng: inout SeededGenerator) throws(EncoderError)
        -> (loss: Variable, logits: Variable) {
        guard !batch.positions.isEmpty else { throw .invalidInput(reason: "the batch has no masked positions") }
        if let bad = batch.labels.first(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
            throw .invalidInput(reason: "label \(bad) is outside the vocabulary of \(config.vocabularySize)")
        }
        let hidden = try self(batch.input, tape: tape, training: training, using: &rng)
        let logits = try languageModelLogits(hidden, at: batch.positions, tape: tape)
        return (Loss.crossEntropy(logits, targets: batch.labels, tape: tape), logits)
    }
}

/// Counts of a masked-LM evaluation, summed over batches.
public struct MaskedPredictionTally: Sendable, Equatable {
    /// Predictions made (chosen positions).
    public var predictions = 0
    /// Predictions whose arg-max is the original token.
    public var correct = 0
    /// Σ cross-entropy over predictions, in nats.
    public var totalLoss: Double = 0
    /// Real tokens in the evaluated sequences, special tokens included.
    public var tokens = 0

    public init() {}

    public var accuracy: Double { predictions > 0 ? Double(correct) / Double(predictions) : 0 }
    public var meanLoss: Double { predictions > 0 ? totalLoss / Double(predictions) : 0 }
    /// exp(mean cross-entropy) over the masked tokens.
    public var perplexity: Double { predictions > 0 ? Foundation.exp(meanLoss) : .nan }

    /// Adds one batch: its logits (M, V), labels (M) and mean loss.
    public mutating func add(logits: Tensor, labels: [Int32], meanLoss: Float, tokens: Int) {
        predictions += labels.count
        correct += Self.correctCount(logits: logits, labels: labels)
        totalLoss += Double(meanLoss) * Double(labels.count)
        self.tokens += tokens
    }

    /// How many rows of `logits` (M, V) have their maximum at the label.
    public static func correctCount(logits: Tensor, labels: [Int32]) -> Int {
        let v = logits.lastDimension
        var correct = 0
        for (i, label) in labels.enumerated() {
            let row = logits.data + i * v
            var best = 0
            var bestValue = row[0]
            for j in 1..<v where row[j] > bestValue {
                bestValue = row[j]
                best = j
            }
            if best == Int(label) { correct += 1 }
        }
        return correct
    }
}
