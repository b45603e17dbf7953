import Foundation
import Testing
@testable import WeftText
import WeftNN

/// `weft pretrain --initial-model`: a second phase starts from a first phase's weights.
struct InitialModelTests {
    @Test func secondPhaseStartsFromTheFirstPhasesWeights() throws {
        var schedule = PretrainingSession.Schedule()
        schedule.evaluateEvery = 0
        schedule.checkpointEvery = 0
        let first = PretrainingSession(configuration: PretrainingFixture.configuration(steps: 3, maximumLength: 16),
                                       outputDirectory: try TestSupport.temporaryDirectory(), schedule: schedule,
                                       resume: false)
        #expect(try first.run() == .completed(model: first.modelDirectory))

        var configuration = PretrainingFixture.configuration(steps: 2, maximumLength: 24)
        configuration.initialModel = first.modelDirectory.path
        let tokenizer = try PretrainingFixture.tokenizer()
        let config = configuration.preset.config(vocabularySize: tokenizer.vocabularySize)
        let start = try PretrainingSession.initialEncoder(from: first.modelDirectory.path, config: config,
                                                          preset: configuration.preset)
        let saved = try EncoderCheckpoint.load(from: first.modelDirectory).encoder
        for ((name, a), (_, b)) in zip(start.namedParameters(), saved.namedParameters()) {
            #expect(a.value.scalars == b.value.scalars, "\(name)")
        }

        let secondDirectory = try TestSupport.temporaryDirectory()
        let second = PretrainingSession(configuration: configuration, outputDirectory: secondDirectory,
                                        schedule: schedule, resume: false)
        var losses: [Double] = []
        #expect(try second.run(onEvent: { event in
            if case .stepped(let report, _) = event { losses.append(report.loss) }
        }) == .completed(model: second.modelDirectory))
        #expect(losses.count == 2)
        let recorded = try JSONDecoder().decode(PretrainingRunConfiguration.self,
                                                from: Data(contentsOf: secondDirectory.appendingPathComponent("run.json")))
        #expect(recorded.initialModel == first.modelDirectory.path)
        // Resuming with another starting model is refused by name.
        var other = configuration
        other.initialModel = nil
        other.options.steps = 3
        #expect(other.differences(from: recorded).contains { $0.hasPrefix("--init") })
    }

    @Test func refusesAModelOfAnotherShapeOrWithoutAHead() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let directory = try TestSupport.temporaryDirectory()
        let post = ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize)
        try EncoderCheckpoint.save(try TransformerEncoder(config: post, seed: 1), to: directory.appendingPathComponent("post"),
                                   pooling: PoolingSettings(), tokenizerFile: nil)
        try EncoderCheckpoint.save(try TransformerEncoder(config: post, languageModelHead: false, seed: 1),
                                   to: directory.appendingPathComponent("headless"), pooling: PoolingSettings(), tokenizerFile: nil)
        let pre = ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize, layerNormPlacement: .pre)
        #expect { try PretrainingSession.initialEncoder(from: directory.appendingPathComponent("post").path, config: pre, preset: .tiny) }
            throws: { "\($0)".contains("--init") && "\($0)".contains("post-LN") }
        #expect { try PretrainingSession.initialEncoder(from: directory.appendingPathComponent("headless").path, config: post, preset: .tiny) }
            throws: { "\($0)".contains("no masked-language-model head") }
    }
}
