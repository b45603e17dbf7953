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
    /// MLM logits (M, V) at `positions` (flat indices b·T + t) of a last hidden state (B, T, C):
    /// the head's transform, GELU and LayerNorm, then the tied decoder with its bias
    /// fused into the product (`Tape.linear`), as `MaskedLanguageModelHead` computes them.
    public func languageModelLogits(_ hidden: Variable, at positions: [Int32],
                                    tape: Tape) throws(EncoderError) -> Variable {
        guard let head = languageModelHead else {
            throw .invalidInput(reason: "this encoder has no masked-language-model head (no cls.predictions.* weights)")
        }
        let rows = hidden.value.rowCount, c = hidden.value.lastDimension
        if let bad = positions.first(where: { $0 < 0 || Int($0) >= rows }) {
            throw .invalidInput(reason: "masked position \(bad) is outside the \(rows) rows of the batch")
        }
        let selected = tape.gatherRows(tape.reshape(hidden, [rows, c]), ids: positions)     // (M, C)
        let transformed = head.layerNorm(tape.gelu(head.transform(selected, tape: tape)), tape: tape)
        return tape.linear(transformed, weight: head.decoderWeight, bias: head.bias)         // (M, V)
    }

    /// Mean cross-entropy at the batch's chosen positions, the logits (M, V) it came
    /// from, and how many chosen tokens the arg-max predicts right.
    public func maskedLanguageModelLoss(_ batch: MaskedBatch, tape: Tape, training: Bool,
                                        using rng: inout SeededGenerator) throws(EncoderError)
        -> (loss: Variable, logits: Variable, correct: Int) {
        guard !batch.positions.isEmpty else { throw .invalidInput(reason: "the batch has no masked positions") }
        if let bad = batch.labels.first(where: { $0 < 0 || Int($0) >= config.vocabularySize }) {
            throw .invalidInput(reason: "label \(bad) is outside the vocabulary of \(config.vocabularySize)")
        }
        guard batch.labels.count == batch.positions.count else {
            throw .invalidInput(reason: "\(batch.labels.count) labels for \(batch.positions.count) masked positions")
        }
        let hidden = try self(batch.input, tape: tape, training: training, using: &rng)
        let logits = try languageModelLogits(hidden, at: batch.positions, tape: tape)
        let (loss, correct) = tape.maskedLanguageModelCrossEntropy(logits, targets: batch.labels)
        return (loss, logits, correct)
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

    /// Adds one batch: its predictions, how many were right, its mean loss and its tokens.
    public mutating func add(predictions count: Int, correct hits: Int, meanLoss: Float, tokens: Int) {
        predictions += count
        correct += hits
        totalLoss += Double(meanLoss) * Double(count)
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
