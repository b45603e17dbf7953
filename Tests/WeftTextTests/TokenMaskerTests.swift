import Foundation
import Testing
@testable import WeftText
import WeftNN

struct TokenMaskerTests {
    let specials = SpecialTokenIds(padding: 0, unknown: 1, classification: 2, separator: 3, mask: 4)

    @Test func choosesFifteenPercentAndCorruptsEightyTenTen() throws {
        let masker = try TokenMasker(specialTokenIds: specials, vocabularySize: 1000, policy: .training)
        var rng = SeededGenerator(seed: 11)
        var masked = 0, kept = 0, replaced = 0, chosenTotal = 0
        for _ in 0..<400 {
            // 100 tokens: [CLS], 97 words with two [SEP]s among them, [SEP]
            var original: [Int32] = [2] + (0..<97).map { _ in Int32(5 + rng.nextInt(below: 995)) } + [3]
            original[30] = 3
            original[70] = 3
            var ids = original
            let (positions, labels) = masker.mask(&ids, using: &rng)
            #expect(positions.count == 15, "round(0.15 · 100) tokens must be chosen, got \(positions.count)")
            #expect(positions == positions.sorted() && Set(positions).count == positions.count)
            #expect(positions.allSatisfy { original[$0] >= 5 }, "a special token was chosen")
            #expect(zip(positions, labels).allSatisfy { original[$0.0] == $0.1 })
            let chosen = Set(positions)
            #expect(ids.indices.allSatisfy { chosen.contains($0) || ids[$0] == original[$0] })
            #expect(positions.allSatisfy { ids[$0] == 4 || ids[$0] >= 5 }, "a random replacement was a special token")
            masked += positions.filter { ids[$0] == 4 }.count
            kept += positions.filter { ids[$0] == original[$0] }.count
            chosenTotal += positions.count
        }
        replaced = chosenTotal - masked - kept
        let n = Double(chosenTotal)
        #expect(abs(Double(masked) / n - 0.8) < 0.03)
        #expect(abs(Double(replaced) / n - 0.1) < 0.02)
        #expect(abs(Double(kept) / n - 0.1) < 0.02)
    }

    @Test func evaluationMaskingIsFixedPerSequenceWhateverTheBatch() throws {
        let masker = try TokenMasker(specialTokenIds: specials, vocabularySize: 100, policy: .evaluation)
        var rng = SeededGenerator(seed: 5)
        let sequences = (0..<6).map { _ in [2] + (0..<(10 + rng.nextInt(below: 10))).map { _ in Int32(5 + rng.nextInt(below: 95)) } + [3] }
        let whole = try masker.makeDeterministicBatch(sequences, seed: 9, firstIndex: 0)
        let first = try masker.makeDeterministicBatch(Array(sequences[0..<2]), seed: 9, firstIndex: 0)
        let rest = try masker.makeDeterministicBatch(Array(sequences[2...]), seed: 9, firstIndex: 2)
        func chosen(_ batch: MaskedBatch, offset: Int) -> [[Int32]] {
            let t = batch.input.sequenceLength
            return batch.positions.map { p in [Int32(Int(p) / t + offset), Int32(Int(p) % t)] }
        }
        #expect(chosen(whole, offset: 0) == chosen(first, offset: 0) + chosen(rest, offset: 2))
        #expect(whole.labels == first.labels + rest.labels)
        #expect(whole.positions.allSatisfy { whole.input.ids[Int($0)] == 4 }, "evaluation replaces every chosen token by [MASK]")
        let again = try masker.makeDeterministicBatch(sequences, seed: 9, firstIndex: 0)
        let other = try masker.makeDeterministicBatch(sequences, seed: 10, firstIndex: 0)
        #expect(again.positions == whole.positions)
        #expect(other.positions != whole.positions)
    }

    @Test func everySequenceHasAPrediction() throws {
        let policy = MaskingPolicy(selectionProbability: 1e-6, maskProbability: 0.8, randomProbability: 0.1)
        let masker = try TokenMasker(specialTokenIds: specials, vocabularySize: 100, policy: policy)
        var rng = SeededGenerator(seed: 1)
        let batch = try masker.makeBatch([[2, 10, 11, 3], [2, 12, 3]], using: &rng)
        #expect(batch.positions.count == 2, "every sequence with a maskable token gets a prediction")
        #expect(batch.positions[1] == 5 && batch.labels[1] == 12)
        #expect(batch.tokenCount == 7)
        #expect(batch.input.attentionMask == [1, 1, 1, 1, 1, 1, 1, 0])
        #expect(throws: TrainingError.self) { try masker.makeBatch([[2, 3], [0, 0]], using: &rng) }
    }

    @Test func refusesATokenizerWithoutMask() {
        let noMask = SpecialTokenIds(padding: 0, unknown: 1, classification: 2, separator: 3, mask: nil)
        #expect(throws: TrainingError.missingSpecialToken(token: "[MASK]", tokenizer: "tokenizer")) {
            try TokenMasker(specialTokenIds: noMask, vocabularySize: 100, policy: .training)
        }
        #expect(throws: TrainingError.self) {
            try TokenMasker(specialTokenIds: specials, vocabularySize: 100,
                            policy: MaskingPolicy(selectionProbability: 0.15, maskProbability: 0.9, randomProbability: 0.2))
        }
    }
}
