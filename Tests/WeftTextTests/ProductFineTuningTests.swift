import Foundation
import Testing
@testable import WeftText
import WeftNN

struct ProductFineTuningTests {
    static var giftCards: URL { TestSupport.fixtures.appendingPathComponent("products/gift-cards") }

    @Test func readsProductsReviewsAndAlsoBoughtLinks() throws {
        let dataset = try ProductTextDataset.load(directories: [Self.giftCards])
        #expect(dataset.products.count == 60)
        #expect(dataset.products.reduce(0) { $0 + $1.reviews.count } == 300)
        #expect(dataset.products.reduce(0) { $0 + $1.alsoBought.count } == 478)
        let first = try #require(dataset.products.first)
        #expect(first.id.hasPrefix("gift-cards/"))
        let line = try String(contentsOf: Self.giftCards.appendingPathComponent("products.jsonl"), encoding: .utf8)
            .split(separator: "\n")[0]
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        if let title = object["title"] as? String, !title.isEmpty {
            #expect(first.text?.hasPrefix(title) == true)
        }
    }

    @Test func badLinesAreNamedByFileAndLine() throws {
        let dir = try TestSupport.temporaryDirectory()
        try "{\"id\": \"A\", \"title\": \"Card\"}\n".write(to: dir.appendingPathComponent("products.jsonl"), atomically: true, encoding: .utf8)
        try "{\"user\": \"u\", \"product\": \"A\", \"review\": \"fine\"}\n\n{\"user\": \"u\", \"product\": \"B\"}\n"
            .write(to: dir.appendingPathComponent("interactions.jsonl"), atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("interactions.jsonl").path
        #expect(throws: TrainingError.invalidLine(file: path, line: 3, reason: "product \"B\" is not in products.jsonl")) {
            try ProductTextDataset.load(directories: [dir])
        }
        try "{\"user\": \"u\", \"product\": \"A\"\n".write(to: dir.appendingPathComponent("interactions.jsonl"), atomically: true, encoding: .utf8)
        #expect(throws: TrainingError.invalidLine(file: path, line: 1, reason: "invalid JSON")) {
            try ProductTextDataset.load(directories: [dir])
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("interactions.jsonl"))
        #expect(throws: TrainingError.self) { try ProductTextDataset.load(directories: [dir]) }
    }

    @Test func heldOutProductsNeverAppearInTrainingPairs() throws {
        let dataset = try ProductTextDataset.load(directories: [Self.giftCards])
        let (training, heldOut) = dataset.split(heldOutFraction: 0.25)
        #expect(training.isDisjoint(with: heldOut) && training.count + heldOut.count == 60)
        #expect(heldOut.count > 5 && heldOut.count < 25)
        #expect(dataset.split(heldOutFraction: 0.25).heldOut == heldOut)
        let pairs = TextPair.pairs(from: dataset, products: training)
        #expect(Set(pairs.map(\.kind)) == Set(TextPair.Kind.allCases))
        #expect(pairs.allSatisfy { $0.products.allSatisfy(training.contains) })
        let heldOutTexts = Set(dataset.products.filter { heldOut.contains($0.id) }.flatMap { [$0.text].compactMap { $0 } + $0.reviews })
        let trainingTexts = Set(dataset.products.filter { training.contains($0.id) }.flatMap { [$0.text].compactMap { $0 } + $0.reviews })
        #expect(pairs.allSatisfy { !heldOutTexts.subtracting(trainingTexts).contains($0.first) && !heldOutTexts.subtracting(trainingTexts).contains($0.second) })
    }

    @Test func contrastiveBatchesHoldDistinctProductsAndTheLossFalls() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let dataset = try ProductTextDataset.load(directories: [Self.giftCards])
        let pairs = TextPair.pairs(from: dataset, products: Set(dataset.products.map(\.id)))
        let encoder = try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize),
                                             seed: 2)
        var options = ContrastiveOptions()
        options.batchSize = 8
        options.maximumLength = 24
        options.steps = 12
        options.peakLearningRate = 2e-3
        options.warmupSteps = 0
        let tuner = try ContrastiveFineTuner(encoder: encoder, tokenizer: tokenizer, pairs: pairs, options: options)
        for _ in 0..<20 {
            let batch = tuner.nextBatch()
            let products = batch.flatMap { tuner.pairs[$0].products }
            #expect(batch.count == 8 && Set(products).count == products.count)
        }
        // Eight pairs of eight products: every batch is the same eight, which a working loss and gradient memorise.
        var seen = Set<String>()
        let eight = pairs.filter { $0.kind == .productReview && seen.insert($0.products[0]).inserted }.prefix(8)
        let memorising = try ContrastiveFineTuner(encoder: encoder, tokenizer: tokenizer, pairs: Array(eight), options: options)
        var losses: [Float] = []
        for _ in 0..<12 { losses.append(try memorising.trainStep().loss) }
        #expect(abs(losses[0] - log(8)) < 0.5, "an untrained encoder should be near ln 8, got \(losses[0])")
        #expect(losses.suffix(3).reduce(0, +) / 3 < losses[0] - 1, "contrastive loss went \(losses)")
        #expect(throws: TrainingError.self) {
            var bad = options
            bad.batchSize = 1
            return try ContrastiveFineTuner(encoder: encoder, tokenizer: tokenizer, pairs: pairs, options: bad)
        }
    }

    /// Reviews identical to their product's text must retrieve it first.
    @Test func retrievalFindsIdenticalTexts() throws {
        let dir = try TestSupport.temporaryDirectory().appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let texts = ["river boat tour", "mountain hiking boots", "kitchen knife set", "garden hose reel", "tea kettle"]
        try texts.enumerated().map { "{\"id\": \"P\($0.offset)\", \"title\": \"\($0.element)\"}" }.joined(separator: "\n")
            .write(to: dir.appendingPathComponent("products.jsonl"), atomically: true, encoding: .utf8)
        try texts.enumerated().flatMap { i, t in
            ["{\"user\": \"a\", \"product\": \"P\(i)\", \"review\": \"\(t)\"}", "{\"user\": \"b\", \"product\": \"P\(i)\", \"review\": \"\(t)\"}"]
        }.joined(separator: "\n").write(to: dir.appendingPathComponent("interactions.jsonl"), atomically: true, encoding: .utf8)
        let dataset = try ProductTextDataset.load(directories: [dir])
        let tokenizer = try PretrainingFixture.tokenizer()
        let encoder = try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize), seed: 3)
        let embedder = try TextEmbedder(encoder: encoder, tokenizer: tokenizer, pooling: PoolingSettings(), batchSize: 4)
        let report = try RetrievalEvaluator.evaluate(embedder, dataset: dataset, products: Set(dataset.products.map(\.id)), k: 1)
        #expect(report.reviewToProductQueries == 10 && report.reviewToProductRecall == 1)
        #expect(report.reviewToReviewQueries == 10 && report.reviewToReviewRecall == 1)
        #expect(report.products == 5)
        #expect(report.datasets?.keys.sorted() == ["shop"])
        #expect(report.datasets?["shop"]?.reviewToProductQueries == 10)
        let values: [Float] = [0.1, 0.9, 0.5, 0.9, -1]
        #expect(values.withUnsafeBufferPointer { RetrievalEvaluator.topIndices($0.baseAddress!, count: 5, k: 3) } == [1, 3, 2])
    }

    @Test func finetuneCommandWritesAModelAndItsReport() throws {
        let out = try TestSupport.temporaryDirectory().appendingPathComponent("tuned")
        let run = try EmbedCommandTests().run([
            "finetune", "--random-init", "--preset", "tiny", "--tokenizer", PretrainingFixture.tokenizerPath,
            "--data", Self.giftCards.path, "--out", out.path, "--mlm-steps", "3", "--contrastive-steps", "3",
            "--batch-size", "4", "--max-length", "24", "--held-out-fraction", "0.25"])
        #expect(run.status == 0, "\(run.errors)")
        let lastLine = try #require(run.output.split(separator: "\n").last)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        let retrieval = try #require(report["retrieval"] as? [String: Any])
        #expect(Set(retrieval.keys) == ["before", "after_masked_language_model", "after_contrastive"])
        let loaded = try EncoderCheckpoint.load(from: out)
        #expect(loaded.encoder.config.hiddenDropoutProbability == 0.1)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("finetune-report.json").path))
        let evaluation = try EmbedCommandTests().run(["finetune", "--model", out.path, "--eval-only", "--data",
                                                      Self.giftCards.path, "--held-out-fraction", "0.25"])
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        let evaluated = try #require(try JSONSerialization.jsonObject(with: Data(evaluation.output.utf8)) as? [String: Any])
        #expect((evaluated["retrieval"] as? [String: Any])?.keys.sorted() == ["before"])
        let bad = try EmbedCommandTests().run(["finetune", "--model", out.path, "--random-init", "--data", Self.giftCards.path,
                                               "--out", out.path])
        #expect(bad.status != 0)
    }
}
