import Foundation
import Testing
@testable import WeftText
import WeftNN

struct MaskedLanguageModelTrainerTests {
    @Test func trainingLowersTheMaskedLanguageModelLoss() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let corpus = try PretrainingCorpus.prepare(
            paths: [PretrainingFixture.samplePath], heldOut: .none, tokenizer: tokenizer,
            tokenizerFile: URL(fileURLWithPath: PretrainingFixture.tokenizerPath), cacheDirectory: nil).training
        let options = PretrainingFixture.configuration(steps: 40, batchSize: 8, maximumLength: 32).options
        let model = try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize),
                                           seed: 1)
        let trainer = try MaskedLanguageModelTrainer(encoder: model, corpus: corpus,
                                                     specialTokenIds: tokenizer.specialTokenIds, options: options)
        var losses: [Double] = []
        while !trainer.isFinished { losses.append(try trainer.step().loss) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        #expect(first > 6.0, "an untrained model should be near ln(512) = 6.2, got \(first)")
        #expect(last < first - 0.4, "loss went from \(first) to \(last)")
        #expect(trainer.progress.step == 40)
        #expect(trainer.progress.tokensSeen == 40 * 8 * 32)
    }

    @Test func rejectsOptionsThatDoNotFitTheModel() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let corpus = PretrainingCorpus(tokens: [10, 11, 12], documentCount: 1, classificationId: 2, separatorId: 3)
        let model = try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: 512), seed: 1)
        var options = PretrainingOptions()
        options.maximumLength = 65
        #expect(throws: TrainingError.self) {
            try MaskedLanguageModelTrainer(encoder: model, corpus: corpus, specialTokenIds: tokenizer.specialTokenIds,
                                           options: options)
        }
        options.maximumLength = 32
        options.gradientAccumulation = 0
        #expect(throws: TrainingError.self) {
            try MaskedLanguageModelTrainer(encoder: model, corpus: corpus, specialTokenIds: tokenizer.specialTokenIds,
                                           options: options)
        }
        let headless = try TransformerEncoder(config: ModelPreset.tiny.config(vocabularySize: 512),
                                              languageModelHead: false, seed: 1)
        #expect(throws: TrainingError.self) {
            try MaskedLanguageModelTrainer(encoder: headless, corpus: corpus,
                                           specialTokenIds: tokenizer.specialTokenIds, options: PretrainingOptions())
        }
    }

    /// 2N steps straight equal N steps, a stop (checkpoint), and N resumed
    /// steps: weights, optimizer moments and progress, bit for bit.
    @Test func resumedRunEqualsTheUninterruptedRun() throws {
        let configuration = PretrainingFixture.configuration(steps: 6, accumulation: 2)
        var schedule = PretrainingSession.Schedule()
        schedule.checkpointEvery = 0
        schedule.evaluateEvery = 3
        schedule.evaluationSequences = 4

        let straightDirectory = try TestSupport.temporaryDirectory()
        let straight = PretrainingSession(configuration: configuration, outputDirectory: straightDirectory,
                                          schedule: schedule, resume: false)
        #expect(try straight.run() == .completed(model: straight.modelDirectory))

        let interruptedDirectory = try TestSupport.temporaryDirectory()
        let first = PretrainingSession(configuration: configuration, outputDirectory: interruptedDirectory,
                                       schedule: schedule, resume: false)
        var steps = 0
        let outcome = try first.run(shouldStop: { steps == 3 }, onEvent: { event in
            if case .stepped = event { steps += 1 }
        })
        guard case .interrupted(let checkpoint) = outcome else {
            Issue.record("expected an interruption, got \(outcome)")
            return
        }
        #expect(checkpoint.lastPathComponent == "step-000000003")
        #expect(!FileManager.default.fileExists(atPath: first.modelDirectory.path))

        let second = PretrainingSession(configuration: configuration, outputDirectory: interruptedDirectory,
                                        schedule: schedule, resume: true)
        var resumedAt: Int?
        let resumed = try second.run(onEvent: { event in
            if case .started(let step, _, _) = event { resumedAt = step }
        })
        #expect(resumed == .completed(model: second.modelDirectory))
        #expect(resumedAt == 3)

        for file in ["model/model.safetensors", "checkpoints/step-000000006/optimizer.safetensors"] {
            let a = try Data(contentsOf: straightDirectory.appendingPathComponent(file))
            let b = try Data(contentsOf: interruptedDirectory.appendingPathComponent(file))
            #expect(a == b, "\(file) differs between the straight and the resumed run")
        }
        let stateA = try TrainingCheckpoint.loadState(PretrainingCheckpointState.self,
                                                      from: straightDirectory.appendingPathComponent("checkpoints/step-000000006"))
        var stateB = try TrainingCheckpoint.loadState(PretrainingCheckpointState.self,
                                                      from: interruptedDirectory.appendingPathComponent("checkpoints/step-000000006"))
        stateB.progress.trainingSeconds = stateA.progress.trainingSeconds
        #expect(stateA == stateB)
        #expect(TrainingCheckpoint.completed(in: second.checkpointsDirectory).map(\.step) == [3, 6])

        // The finished model is an ordinary model folder with a summary.
        let loaded = try EncoderCheckpoint.load(from: second.modelDirectory)
        #expect(loaded.encoder.languageModelHead != nil)
        #expect(loaded.tokenizerFile?.lastPathComponent == "spm.model")
        let summary = try JSONSerialization.jsonObject(
            with: Data(contentsOf: second.modelDirectory.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect(summary?["steps"] as? Int == 6)
        #expect(summary?["held_out_masked_accuracy"] is Double)
    }

    @Test func resumeRefusesOtherSettingsAndAFreshRunRefusesAnOldFolder() throws {
        let directory = try TestSupport.temporaryDirectory()
        var schedule = PretrainingSession.Schedule()
        schedule.evaluateEvery = 0
        let configuration = PretrainingFixture.configuration(steps: 2)
        _ = try PretrainingSession(configuration: configuration, outputDirectory: directory, schedule: schedule,
                                   resume: false).run()
        var changed = configuration
        changed.options.peakLearningRate = 1e-4
        #expect {
            try PretrainingSession(configuration: changed, outputDirectory: directory, schedule: schedule,
                                   resume: true).run()
        } throws: { error in
            "\(error)".contains("--lr")
        }
        #expect(throws: TrainingError.self) {
            try PretrainingSession(configuration: configuration, outputDirectory: directory, schedule: schedule,
                                   resume: false).run()
        }
        // Another step count re-plans the schedule: more steps continue, fewer than done are refused.
        var longer = configuration
        longer.options.steps = 3
        var replanned: (Int, Int)?
        let extended = PretrainingSession(configuration: longer, outputDirectory: directory, schedule: schedule, resume: true)
        _ = try extended.run(onEvent: { event in
            if case let .replanned(from, to) = event { replanned = (from, to) }
        })
        #expect(replanned.map { [$0.0, $0.1] } == [2, 3])
        #expect(TrainingCheckpoint.latest(in: extended.checkpointsDirectory)?.lastPathComponent == "step-000000003")
        var shorter = configuration
        shorter.options.steps = 1
        #expect(throws: TrainingError.self) {
            try PretrainingSession(configuration: shorter, outputDirectory: directory, schedule: schedule, resume: true).run()
        }
        let empty = try TestSupport.temporaryDirectory()
        #expect(throws: TrainingError.self) {
            try PretrainingSession(configuration: configuration, outputDirectory: empty, schedule: schedule,
                                   resume: true).run()
        }
    }
}
