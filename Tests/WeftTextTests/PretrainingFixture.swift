import Foundation
@testable import WeftText

/// Inputs of the pretraining tests: the committed English sample and a
/// 512-piece SentencePiece model trained on it (Tests/Fixtures/text/README.md),
/// small enough that the masked-LM head stays cheap in debug builds.
enum PretrainingFixture {
    static var samplePath: String { TestSupport.fixtures.appendingPathComponent("text/english_sample.txt").path }
    static var tokenizerPath: String { TestSupport.fixtures.appendingPathComponent("text/english-512.model").path }

    static func tokenizer() throws -> SentencePieceProcessor {
        try SentencePieceProcessor(contentsOfFile: tokenizerPath)
    }

    /// A run configuration of the tiny preset small enough for a debug build.
    static func configuration(steps: Int, batchSize: Int = 4, maximumLength: Int = 24, accumulation: Int = 1,
                              seed: UInt64 = 3) -> PretrainingRunConfiguration {
        var options = PretrainingOptions()
        options.steps = steps
        options.batchSize = batchSize
        options.maximumLength = maximumLength
        options.gradientAccumulation = accumulation
        options.peakLearningRate = 2e-3
        options.warmupSteps = 2
        options.seed = seed
        return PretrainingRunConfiguration(corpusPaths: [samplePath], heldOut: .fraction(0.05),
                                           tokenizerFile: tokenizerPath, preset: .tiny, options: options)
    }
}
