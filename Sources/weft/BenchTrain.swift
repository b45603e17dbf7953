import ArgumentParser
import Foundation
import WeftCore
import WeftNN
import WeftText

/// `weft bench train`: masked-LM training throughput of a preset and its
/// effective FLOP rate as a fraction of the sgemm rate of the same run.
///
/// FLOPs of one step of B·T tokens with M masked positions (forward + backward = 3 × forward):
///   6 · P · B·T                 linear layers (P = non-embedding parameters)
/// + 12 · L · B · T² · C         attention scores and weighted sums (Q Kᵀ, P V)
/// + 6 · M · (C² + C · V)        the MLM head at the masked positions (transform and tied decoder)
/// Padding, embedding look-ups, LayerNorm, GELU, softmax and the optimizer are not counted.
struct BenchTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Masked-LM training tokens/s for a preset (default small, batch 32 × 128) vs the same-run sgemm rate.",
        discussion: """
            Random token ids (the work does not depend on them). Each timed step is followed by a burst of \
            1024³ sgemms lasting about as long; ratio is the median over steps of (the step's effective \
            GFLOP/s) / (its burst's GFLOP/s), so a busy machine slows both sides of each ratio alike. \
            The last line is one JSON object.
            """)

    @Option(help: "Model size (default: small).")
    var preset: ModelPreset = .small

    @Option(help: "Layer normalisation with --preset: post (BERT) or pre (default: post).")
    var layerNorm: LayerNormPlacement = .post

    @Option(help: "Sequences per step (default: 32).")
    var batchSize: Int = 32

    @Option(help: "Tokens per sequence (default: 128).")
    var maxLength: Int = 128

    @Option(help: "Vocabulary size (default: 16000, as tokenizers/weft-general-16k.model).")
    var vocabularySize: Int = 16000

    @Option(help: "Timed optimizer steps after two warm-up steps (default: 8).")
    var steps: Int = 8

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    @Flag(help: "Print the time of each step.")
    var verbose = false

    func validate() throws {
        if batchSize < 1 || steps < 1 || vocabularySize < 10 { throw ValidationError("sizes must be positive") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) } else { Parallelism.setThreadCount(Parallelism.threadCount) }
        let config = preset.config(vocabularySize: vocabularySize, layerNormPlacement: layerNorm)
        guard maxLength <= config.maximumPositionCount else {
            throw ValidationError("--max-length \(maxLength) exceeds the preset's \(config.maximumPositionCount) positions")
        }
        var rng = SeededGenerator(seed: 3)
        let tokens = (0..<(batchSize * (maxLength - 2) * (steps + 3))).map { _ in Int32(5 + rng.nextInt(below: vocabularySize - 5)) }
        let corpus = PretrainingCorpus(tokens: tokens, documentCount: 1, classificationId: 2, separatorId: 3)
        var options = PretrainingOptions()
        options.steps = steps + 2
        options.batchSize = batchSize
        options.maximumLength = maxLength
        options.warmupSteps = 1
        let model = try TransformerEncoder(config: config, seed: 1)
        let trainer = try MaskedLanguageModelTrainer(
            encoder: model, corpus: corpus,
            specialTokenIds: SpecialTokenIds(padding: 0, unknown: 1, classification: 2, separator: 3, mask: 4),
            options: options)
        print("bench train: \(preset.rawValue) (\(config.layerCount) layers, hidden \(config.hiddenSize), "
              + "\(config.nonEmbeddingParameterCount) non-embedding parameters), vocabulary \(vocabularySize), "
              + "batch \(batchSize) × \(maxLength), \(Parallelism.threadCount) threads")

        // The machine is shared: each timed step is followed by an sgemm burst of about the same
        // duration, and every step is compared with its own burst, so load swings hit both alike.
        var rng2 = SeededGenerator(seed: 5)
        let a = Tensor.randomUniform([1024, 1024], low: -1, high: 1, using: &rng2)
        let b = Tensor.randomUniform([1024, 1024], low: -1, high: 1, using: &rng2)
        let c = Tensor(zeros: [1024, 1024])
        func sgemmBurst(seconds: Double) -> Double {
            var reps = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                BLAS.sgemm(transposeA: false, transposeB: false, m: 1024, n: 1024, k: 1024, a: a.data, b: b.data, c: c.data)
                reps += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < seconds
            return 2 * 1024 * 1024 * 1024 * Double(reps) / elapsed / 1e9
        }
        _ = sgemmBurst(seconds: 0.5)
        for _ in 0..<2 { try trainer.step() }
        var times: [Double] = [], rates: [Double] = [], ratios: [Double] = [], flops = 0.0, tokenCount = 0
        for _ in 0..<steps {
            let start = DispatchTime.now().uptimeNanoseconds
            let report = try trainer.step()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let stepFlops = Self.flops(config: config, batchSize: batchSize, length: maxLength, predictions: report.predictions)
            let rate = sgemmBurst(seconds: min(seconds, 2))
            times.append(seconds)
            rates.append(rate)
            ratios.append(stepFlops / seconds / 1e9 / rate)
            flops += stepFlops
            tokenCount += report.tokens
            if verbose {
                print(String(format: "step %d: %.3f s, %.1f GFLOP/s effective, sgemm burst %.1f GFLOP/s, ratio %.3f, loss %.3f, %d MB pooled",
                             report.step, seconds, stepFlops / seconds / 1e9, rate, ratios.last!, report.loss,
                             BufferPool.shared.heldBytes >> 20))
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let total = times.reduce(0, +)
        let tokensPerSecond = Double(tokenCount) / total
        let gflops = flops / total / 1e9
        let sgemm = median(rates), ratio = median(ratios)
        print(String(format: "sgemm 1024³ bursts after each step: median %.1f GFLOP/s (%.1f–%.1f)",
                     sgemm, rates.min()!, rates.max()!))
        print(String(format: "training: %.3f s per step (median %.3f), %.0f tokens/s, %.1f GFLOP/s effective; "
                     + "median ratio to the burst after each step %.3f", total / Double(steps), median(times),
                     tokensPerSecond, gflops, ratio))
        BenchTiming.printJSON([
            "tokens_per_s": BenchTiming.round(tokensPerSecond, 1), "ratio": BenchTiming.round(ratio),
            "sgemm_gflops": BenchTiming.round(sgemm, 1), "effective_gflops": BenchTiming.round(gflops, 1),
            "seconds_per_step": BenchTiming.round(total / Double(steps), 4), "batch_size": batchSize,
            "max_length": maxLength, "preset": preset.rawValue, "threads": Parallelism.threadCount,
        ])
    }

    static func flops(config: BertConfig, batchSize: Int, length: Int, predictions: Int) -> Double {
        let tokens = Double(batchSize * length), c = Double(config.hiddenSize)
        let linear = 6 * Double(config.nonEmbeddingParameterCount) * tokens
        let attention = 12 * Double(config.layerCount) * Double(batchSize) * Double(length * length) * c
        let head = 6 * Double(predictions) * (c * c + c * Double(config.vocabularySize))
        return linear + attention + head
    }
}
