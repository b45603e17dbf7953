import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft bench encoder`: text-embedding throughput at batch 1 and 32, and
/// its effective FLOP rate as a fraction of the sgemm rate measured in the
/// same run (so a busy or slow machine lowers both).
///
/// FLOPs per text of n real tokens: 2 · P · n for the linear layers (P =
/// non-embedding parameters) plus 4 · n² · C per layer for attention
/// (Q Kᵀ and P V). Padding is never counted.
struct BenchEncoder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder",
        abstract: "Text-embedding throughput at batch 1 and 32 vs the same-run sgemm rate.",
        discussion: "The last line is one JSON object with the figures.")

    @Option(help: "Model folder (e.g. models/external/all-MiniLM-L6-v2).")
    var model: String

    @Option(help: "Texts: JSON lines with \"text\" or one text a line (default: data/product-descriptions/descriptions.jsonl).")
    var input: String = "data/product-descriptions/descriptions.jsonl"

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    @Option(help: "Minimum seconds to time each measurement (default: 3).")
    var seconds: Double = 3

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) } else { Parallelism.setThreadCount(Parallelism.threadCount) }
        let texts = try readTexts()
        guard !texts.isEmpty else { throw ValidationError("\(input) holds no texts") }
        let folder = URL(fileURLWithPath: model)
        let batch1 = try TextEmbedder(modelDirectory: folder, batchSize: 1)
        let batch32 = try TextEmbedder(modelDirectory: folder, batchSize: 32)
        let config = batch1.engine.config

        // Work per text, from its real token count.
        let lengths = try texts.map { text in
            min(try batch1.tokenizer.contentIds(text).count + 2, batch1.maximumLength)
        }
        let tokens = lengths.reduce(0, +)
        let flops = lengths.reduce(0.0) { total, n in
            total + 2 * Double(config.nonEmbeddingParameterCount) * Double(n)
                + 4 * Double(n * n) * Double(config.hiddenSize) * Double(config.layerCount)
        }
        let sorted = lengths.sorted()
        print("bench encoder: \(model), \(texts.count) texts, \(tokens) tokens "
              + "(median \(sorted[sorted.count / 2]), max \(sorted.last!)), \(Parallelism.threadCount) threads")

        let square = Self.sgemmRate(m: 1024, n: 1024, k: 1024, seconds: seconds)
        print(String(format: "sgemm 1024×1024×1024: %.1f GFLOP/s", square))
        let meanLength = max(1, tokens / texts.count)
        let c = config.hiddenSize, i = config.intermediateSize
        for rows in [meanLength, 32 * meanLength] {
            let shapes = [(rows, 3 * c, c), (rows, c, c), (rows, i, c), (rows, c, i)]
            let rates = shapes.map { Self.sgemmRate(m: $0.0, n: $0.1, k: $0.2, transposeB: true, seconds: seconds / 4) }
            let described = zip(shapes, rates).map { String(format: "%d×%d×%d %.1f", $0.0.0, $0.0.1, $0.0.2, $0.1) }
            print("sgemm at encoder shapes (GFLOP/s): " + described.joined(separator: ", "))
        }

        var figures: [String: Double] = ["sgemm_gflops": square, "threads": Double(Parallelism.threadCount),
                                         "texts": Double(texts.count), "tokens": Double(tokens)]
        for (name, embedder) in [("batch1", batch1), ("batch32", batch32)] {
            _ = try embedder.embed(Array(texts.prefix(64)))
            var passes = 0
            let start = Date()
            repeat {
                _ = try embedder.embed(texts)
                passes += 1
            } while Date().timeIntervalSince(start) < seconds
            let elapsed = Date().timeIntervalSince(start) / Double(passes)
            let gflops = flops / elapsed / 1e9
            figures["\(name)_texts_per_s"] = Double(texts.count) / elapsed
            figures["\(name)_tokens_per_s"] = Double(tokens) / elapsed
            figures["\(name)_gflops"] = gflops
            figures["\(name)_ratio"] = gflops / square
            print(String(format: "%@: %.1f texts/s, %.0f tokens/s, %.1f GFLOP/s effective = %.2f of sgemm",
                         name, Double(texts.count) / elapsed, Double(tokens) / elapsed, gflops, gflops / square))
        }
        let json = figures.keys.sorted().map { key in
            let value = figures[key]!
            return "\"\(key)\":" + (value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4g", value))
        }
        print("{" + json.joined(separator: ",") + "}")
    }

    private func readTexts() throws -> [String] {
        let reader = try TextLineReader(path: input)
        let jsonLines = input.lowercased().hasSuffix(".jsonl")
        var texts: [String] = []
        while let line = try reader.next() {
            if jsonLines {
                if line.allSatisfy(\.isWhitespace) { continue }
                texts.append(try JSONLineRecord(line, file: input, line: reader.lineNumber).text)
            } else if !line.isEmpty {
                texts.append(line)
            }
        }
        return texts
    }

    /// Best rate over repeated C = A·op(B) of the given shape for at least `seconds`.
    static func sgemmRate(m: Int, n: Int, k: Int, transposeB: Bool = false, seconds: Double) -> Double {
        var rng = SeededGenerator(seed: 1)
        let a = Tensor.randomUniform([m, k], low: -1, high: 1, using: &rng)
        let b = Tensor.randomUniform(transposeB ? [n, k] : [k, n], low: -1, high: 1, using: &rng)
        let c = Tensor(zeros: [m, n])
        func once() {
            BLAS.sgemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: a.data, b: b.data,
                       beta: 0, c: c.data)
        }
        once()
        var best = 0.0
        let start = Date()
        repeat {
            var reps = 0
            let t0 = Date()
            repeat {
                once()
                reps += 1
            } while Date().timeIntervalSince(t0) < 0.1
            best = max(best, 2 * Double(m) * Double(n) * Double(k) * Double(reps) / Date().timeIntervalSince(t0) / 1e9)
        } while Date().timeIntervalSince(start) < seconds
        return best
    }
}
