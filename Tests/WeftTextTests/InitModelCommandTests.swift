import Foundation
import Testing
@testable import WeftText

/// `weft init-model`: the random-init encoder of the text ablation, through the built executable.
struct InitModelCommandTests {
    let commands = EmbedCommandTests()

    @Test func randomModelKeepsTheArchitectureAndTokenizerButNotTheWeights() throws {
        let source = try TinyModelFixture.make(maximumLength: 8)
        let root = source.deletingLastPathComponent()
        let first = root.appendingPathComponent("random-a"), again = root.appendingPathComponent("random-b")
        let other = root.appendingPathComponent("random-c")
        for (out, seed) in [(first, "3"), (again, "3"), (other, "4")] {
            let result = try commands.run(["init-model", "--like", source.path, "--out", out.path, "--seed", seed])
            #expect(result.status == 0, "\(result.errors)")
        }
        let trained = try EncoderCheckpoint.load(from: source), random = try EncoderCheckpoint.load(from: first)
        #expect(random.encoder.config == trained.encoder.config)
        #expect(random.pooling == trained.pooling)
        #expect(try String(contentsOf: first.appendingPathComponent("vocab.txt"), encoding: .utf8)
                == String(contentsOf: source.appendingPathComponent("vocab.txt"), encoding: .utf8))
        let word = random.encoder.embeddings.wordEmbeddings.weight.value.scalars
        #expect(word != trained.encoder.embeddings.wordEmbeddings.weight.value.scalars)
        // Seeded: the same seed writes the same weights, another seed others.
        let weights = { (url: URL) in try Data(contentsOf: url.appendingPathComponent("model.safetensors")) }
        #expect(try weights(first) == weights(again))
        #expect(try weights(first) != weights(other))
        // And it embeds text like any model folder.
        let embedded = try commands.run(["embed", "--model", first.path], standardInput: "gift card\nno fees\n")
        #expect(embedded.status == 0, "\(embedded.errors)")
        let vectors = try commands.lines(embedded.output)
        #expect(vectors.count == 2 && vectors.allSatisfy { $0.embedding.count == 16 })
    }

    @Test func needsOneSourceOfArchitecture() throws {
        let out = try TestSupport.temporaryDirectory().appendingPathComponent("m")
        let neither = try commands.run(["init-model", "--out", out.path])
        #expect(neither.status != 0 && neither.errors.contains("give either --like DIR or --preset"))
        let noTokenizer = try commands.run(["init-model", "--preset", "tiny", "--out", out.path])
        #expect(noTokenizer.status != 0 && noTokenizer.errors.contains("--preset needs --tokenizer"))
        let missing = try commands.run(["init-model", "--like", out.path + "-absent", "--out", out.path])
        #expect(missing.status != 0 && missing.errors.contains("config.json"), "\(missing.errors)")
    }
}
