import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft bench tokenizer`: texts per second for a batch of product
/// descriptions, WordPiece and SentencePiece, on one thread and on all.
struct BenchTokenizer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Tokenizer throughput (texts/s) on a batch of product descriptions; last line is JSON.",
        discussion: """
            Encodes --count texts (the committed descriptions repeated) with encodeBatch at
            --max-length, best of --repetitions runs, on 1 thread and on --threads. It also
            measures sgemm on MiniLM-shaped matrices to estimate a lower bound on the time an
            all-MiniLM-L6-v2-sized encoder needs for the same tokens (dense layers only), so the
            reported tokenizer share of encoding is an upper bound.
            """
    )

    @Option(name: .long, help: "WordPiece vocabulary (default: models/external/all-MiniLM-L6-v2/vocab.txt).")
    var vocabulary = "models/external/all-MiniLM-L6-v2/vocab.txt"

    @Option(name: .long, help: "SentencePiece model (default: tokenizers/weft-general-16k.model).")
    var model = "tokenizers/weft-general-16k.model"

    @Option(name: .long, help: "JSON lines with a \"text\" field (default: data/product-descriptions/descriptions.jsonl).")
    var descriptions = "data/product-descriptions/descriptions.jsonl"

    @Option(name: .long, help: "Texts per batch; the descriptions are repeated to fill it (default: 10000).")
    var count = 10_000

    @Option(name: .long, help: "Maximum ids per text, specials included (default: 256).")
    var maxLength = 256

    @Option(name: .long, help: "Timed runs per setting; the fastest counts (default: 3).")
    var repetitions = 3

    @Option(name: .long, help: "Threads for the multi-threaded runs (default: all cores).")
    var threads: Int?

    func run() async throws {
        guard count > 0, maxLength > 2, repetitions > 0 else {
            throw ValidationError("--count and --repetitions must be positive and --max-length above 2")
        }
        let texts = try loadTexts()
        guard FileManager.default.fileExists(atPath: vocabulary) else {
            throw TokenizerCommandError("\(vocabulary) is missing: run Scripts/fetch-pretrained.sh (or pass --vocabulary)")
        }
        let allThreads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let tokenizers: [(String, any Tokenizer)] = [
            ("wordpiece", try WordPieceTokenizer(vocabularyFile: vocabulary)),
            ("sentencepiece", try SentencePieceProcessor(contentsOfFile: model)),
        ]
        print("bench tokenizer: \(texts.count) texts from \(descriptions), max length \(maxLength), best of \(repetitions)")

        let gflops = measureSgemmGigaflops(threads: allThreads)
        print(String(format: "sgemm (tokens×384 · 384×1536) on %d threads: %.1f GFLOP/s", allThreads, gflops))

        var results: [String: Any] = [:]
        for (name, tokenizer) in tokenizers {
            let single = try time(tokenizer, texts, threads: 1)
            let multi = try time(tokenizer, texts, threads: allThreads)
            let tokens = single.tokens
            // A MiniLM-L6 layer's dense weights (Q, K, V, O and the two feed-forward
            // matrices) cost 2 · (4·384² + 2·384·1536) FLOPs per token; six layers.
            let encoderSeconds = Double(tokens) * 6 * 2 * (4 * 384 * 384 + 2 * 384 * 1536) / (gflops * 1e9)
            let share = multi.seconds / (multi.seconds + encoderSeconds)
            print(String(format: "%@: %.0f texts/s on 1 thread, %.0f texts/s on %d threads, %.1f tokens/text; "
                    + "encoder lower bound %.1f s → tokenizer ≤ %.2f%% of encoding",
                    name, Double(texts.count) / single.seconds, Double(texts.count) / multi.seconds,
                    allThreads, Double(tokens) / Double(texts.count), encoderSeconds, share * 100))
            results[name] = [
                "texts_per_second_1_thread": (Double(texts.count) / single.seconds).rounded(),
                "texts_per_second_all_threads": (Double(texts.count) / multi.seconds).rounded(),
                "tokens_per_text": Double(tokens) / Double(texts.count),
                "estimated_encoder_seconds": encoderSeconds,
                "share_of_encoding_upper_bound": share,
            ]
        }
        results["bench"] = "tokenizer"
        results["texts"] = texts.count
        results["max_length"] = maxLength
        results["threads"] = allThreads
        results["sgemm_gflops"] = gflops
        let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func loadTexts() throws -> [String] {
        guard let data = FileManager.default.contents(atPath: descriptions) else {
            throw TokenizerCommandError("cannot read \(descriptions): run from the package root or pass --descriptions")
        }
        var samples = [String]()
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            samples.append(try TokenizerEncodeCommand.text(
                ofJSONLine: String(line), field: "text", source: descriptions, line: index + 1))
        }
        guard !samples.isEmpty else { throw TokenizerCommandError("\(descriptions) holds no texts") }
        return (0 ..< count).map { samples[$0 % samples.count] }
    }

    private func time(_ tokenizer: any Tokenizer, _ texts: [String], threads: Int) throws
        -> (seconds: Double, tokens: Int)
    {
        Parallelism.setThreadCount(threads)
        _ = try tokenizer.encodeBatch(Array(texts.prefix(500)), maxLength: maxLength)
        var best = Double.infinity
        var tokens = 0
        for _ in 0 ..< repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            let batch = try tokenizer.encodeBatch(texts, maxLength: maxLength)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, seconds)
            tokens = batch.lengths.reduce(0, +)
        }
        return (best, tokens)
    }

    /// Best sgemm rate over a few (4096, 384) × (384, 1536) products.
    private func measureSgemmGigaflops(threads: Int) -> Double {
        Parallelism.setThreadCount(threads)
        let (m, k, n) = (4096, 384, 1536)
        let a = Tensor(repeating: 0.01, shape: [m, k])
        let b = Tensor(repeating: 0.02, shape: [k, n])
        let c = Tensor(zeros: [m, n])
        var best = Double.infinity
        for _ in 0 ..< 5 {
            let start = DispatchTime.now().uptimeNanoseconds
            BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a.data, b: b.data, c: c.data)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2 * Double(m * n * k) / best / 1e9
    }
}
