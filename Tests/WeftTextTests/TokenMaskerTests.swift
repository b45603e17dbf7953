import Foundation
import Testing
@testable import WeftText
import WeftNN

struct TokenMaskerTests {
    let specials = SpecialTokenIds(padding: 0, unknown: 1, classification: 2, separator: 3, mask: 4)

    @Test func choosesFifteenPercentAndCorruptsEightyTenTen() throws {
        let masker = try TokenMasker(specialTokenIds: specials, vocabularySize: 1000, policy: .training)
        var rng = SeededGenerator(seed: 11)
        var original: [Int32] = []
        for i in 0..<40_000 { original.append(i % 50 == 0 ? Int32(i / 50 % 5) : Int32(5 + rng.nextInt(below: 995))) }
        var ids = original
        let (positions, labels) = masker.mask(&ids, using: &rng)
        let eligible = original.filter { $0 >= 5 }.count
        let chosen = Double(positions.count) / Double(eligible)
        #expect(abs(chosen - 0.15) < 0.01, "chose \(chosen) of eligible tokens")
        #expect(positions.allSatisfy { original[$0] >= 5 }, "a special token was chosen")
        #expect(zip(positions, labels).allSatisfy { original[$0.0] == $0.1 })
        let masked = positions.filter { ids[$0] == 4 }.count
        let kept = positions.filter { ids[$0] == original[$0] }.count
        let replaced = positions.count - masked - kept
        let n = Double(positions.count)
        #expect(abs(Double(masked) / n - 0.8) < 0.03)
        #expect(abs(Double(replaced) / n - 0.1) < 0.02)
        #expect(abs(Double(kept) / n - 0.1) < 0.02)
        #expect(positions.allSatisfy { ids[$0] == 4 || ids[$0] >= 5 }, "a random replacement was a special token")
        let unchosen = Set(positions)
        #expect(ids.indices.allSatisfy { unchosen.contains($0) || ids[$0] == original[$0] })
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

    @Test func aBatchAlwaysHasOnePrediction() throws {
        let policy = MaskingPolicy(selectionProbability: 1e-6, maskProbability: 0.8, randomProbability: 0.1)
        let masker = try TokenMasker(specialTokenIds: specials, vocabularySize: 100, policy: policy)
        var rng = SeededGenerator(seed: 1)
        let batch = try masker.makeBatch([[2, 10, 11, 3], [2, 12, 3]], using: &rng)
        #expect(batch.positions.count == 1)
        #expect(batch.input.ids[Int(batch.positions[0])] == 4)
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
