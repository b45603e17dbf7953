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

/// `ProductFineTuning` checkpoints and `weft finetune --resume`.
struct FineTuningResumeTests {
    func configuration() -> ProductFineTuning.Configuration {
        var c = ProductFineTuning.Configuration(datasetDirectories: [ProductFineTuningTests.giftCards])
        c.heldOutFraction = 0.25
        c.languageModelSteps = 4
        c.languageModel.batchSize = 4
        c.languageModel.maximumLength = 24
        c.languageModel.warmupSteps = 1
        c.contrastive.steps = 4
        c.contrastive.batchSize = 4
        c.contrastive.maximumLength = 24
        c.contrastive.warmupSteps = 1
        c.contrastive.peakLearningRate = 1e-3
        return c
    }

    func freshEncoder(_ tokenizer: any Tokenizer) throws -> TransformerEncoder {
        try ProductFineTuning.withDropout(
            try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize), seed: 3),
            probability: 0.1)
    }

    func checkpointing(_ directory: URL) -> ProductFineTuning.Checkpointing {
        var c = ProductFineTuning.Checkpointing(directory: directory, every: 2, pooling: PoolingSettings(),
                                                tokenizerFile: nil, settings: ["run": "test"])
        c.keep = 10
        return c
    }

    /// Every checkpoint (mid masked-LM, the boundary, mid contrastive)
    /// resumes to the very weights and report figures of the uninterrupted
    /// run, with dropout on.
    @Test func resumingFromAnyCheckpointEndsAsTheUninterruptedRun() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("checkpoints")
        let whole = try freshEncoder(tokenizer)
        let report = try ProductFineTuning(configuration: configuration())
            .run(encoder: whole, tokenizer: tokenizer, checkpointing: checkpointing(directory))
        let saved = TrainingCheckpoint.completed(in: directory)
        #expect(saved.map(\.step) == [2, 4, 6], "checkpoints \(saved.map(\.step))")
        let expected = whole.namedParameters().map { ($0.name, $0.parameter.value.scalars) }
        for checkpoint in saved {
            let state = try TrainingCheckpoint.loadState(ProductFineTuning.CheckpointState.self, from: checkpoint.url)
            #expect(state.phase == (checkpoint.step == 2 ? .languageModel : .contrastive))
            let encoder = try ProductFineTuning.withDropout(try EncoderCheckpoint.load(from: checkpoint.url).encoder,
                                                            probability: 0.1)
            var resumedFrom: [Int] = []
            let resumed = try ProductFineTuning(configuration: configuration())
                .run(encoder: encoder, tokenizer: tokenizer, checkpointing: checkpointing(directory),
                     resumeFrom: checkpoint.url) { if case let .resumed(_, _, step) = $0 { resumedFrom.append(step) } }
            #expect(resumedFrom == [checkpoint.step == 4 ? 0 : 2], "the boundary checkpoint (step 4) is contrastive step 0")
            let got = encoder.namedParameters().map { ($0.name, $0.parameter.value.scalars) }
            #expect(got.map(\.0) == expected.map(\.0))
            #expect(zip(got, expected).allSatisfy { $0.1 == $1.1 }, "step \(checkpoint.step): weights differ")
            #expect(resumed.retrieval == report.retrieval)
        }
    }

    @Test func aCheckpointOfOtherSettingsIsRefusedNamingThem() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("checkpoints")
        var c = configuration()
        c.contrastive.steps = 0
        _ = try ProductFineTuning(configuration: c).run(encoder: try freshEncoder(tokenizer), tokenizer: tokenizer,
                                                        checkpointing: checkpointing(directory))
        let latest = try #require(TrainingCheckpoint.latest(in: directory))
        var other = checkpointing(directory)
        other.settings = ["run": "another"]
        do {
            _ = try ProductFineTuning(configuration: c).run(encoder: try freshEncoder(tokenizer), tokenizer: tokenizer,
                                                            checkpointing: other, resumeFrom: latest)
            Issue.record("resumed a checkpoint of other settings")
        } catch let TrainingError.incompatibleCheckpoint(_, reason) {
            #expect(reason.contains("run test (now another)"), "\(reason)")
        }
    }

    /// The command, killed with -9 mid-run (checkpoints every step), then
    /// --resume: it finishes with the very weights of an uninterrupted run,
    /// and a finished run leaves OUT without checkpoints. A second run
    /// without --resume refuses an unfinished run's checkpoints; --resume
    /// without any refuses too.
    @Test func killedFinetuneResumesToTheUninterruptedModel() throws {
        let root = try TestSupport.temporaryDirectory()
        func arguments(_ out: URL) -> [String] {
            ["finetune", "--random-init", "--preset", "tiny", "--tokenizer", PretrainingFixture.tokenizerPath,
             "--data", ProductFineTuningTests.giftCards.path, "--out", out.path, "--mlm-steps", "6",
             "--contrastive-steps", "30", "--batch-size", "4", "--max-length", "24", "--held-out-fraction", "0.25",
             "--checkpoint-every", "1"]
        }
        let straight = root.appendingPathComponent("straight"), killed = root.appendingPathComponent("killed")
        let commands = EmbedCommandTests()
        let none = try commands.run(arguments(killed) + ["--resume"])
        #expect(none.status != 0 && none.errors.contains("holds no checkpoint"), "\(none.errors)")
        let reference = try commands.run(arguments(straight))
        #expect(reference.status == 0, "\(reference.errors)")
        #expect(!FileManager.default.fileExists(atPath: straight.appendingPathComponent("checkpoints").path))

        let process = Process()
        process.executableURL = EmbedCommandTests.executable
        process.arguments = arguments(killed)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoints = killed.appendingPathComponent("checkpoints")
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline && (TrainingCheckpoint.completed(in: checkpoints).last?.step ?? 0) < 10 {
            Thread.sleep(forTimeInterval: 0.002)
        }
        #expect(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let reached = TrainingCheckpoint.completed(in: checkpoints).last?.step ?? 0
        #expect(reached >= 10 && reached < 36, "killed at checkpoint \(reached)")

        let again = try commands.run(arguments(killed))
        #expect(again.status != 0 && again.errors.contains("pass --resume"), "\(again.errors)")
        let resumed = try commands.run(arguments(killed) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.errors.contains("resumed from"), "\(resumed.errors)")
        #expect(!FileManager.default.fileExists(atPath: checkpoints.path), "a finished run leaves no checkpoints")
        let a = try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
        let b = try Data(contentsOf: killed.appendingPathComponent("model.safetensors"))
        #expect(a == b, "the resumed run's weights differ from the uninterrupted run's")
    }
}
