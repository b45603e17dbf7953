import ArgumentParser
import Foundation
import WeftNN

/// `weft bench core`: WeftCore against the machine's own sgemm, in one run.
struct BenchCore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "sgemm vs WeftCore matmul, kernel bandwidth, and the autodiff overhead of an MLP step.",
        discussion: "Run in a release build with nothing else running. The last line is one JSON object.")

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    @Option(help: "Timed repetitions per measurement; the median is reported (default: 15).")
    var runs: Int = 15

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        var rng = SeededGenerator(seed: 1)
        var fields: [String: Any] = ["threads": Parallelism.threadCount]

        // 1. sgemm and WeftCore matmul at the same shapes, interleaved.
        let sgemm1024 = BenchTiming.sgemmGFlops(m: 1024, n: 1024, k: 1024)
        print(String(format: "sgemm 1024³: %.1f GFLOP/s", sgemm1024))
        fields["sgemm_1024_gflops"] = BenchTiming.round(sgemm1024, 1)
        // (M, N, K): the shape, then MiniLM encoder shapes for 32 texts × 64 tokens.
        let shapes: [(String, Int, Int, Int)] = [
            ("512x1024x256", 512, 1024, 256), ("qkv 2048x384x384", 2048, 384, 384),
            ("ffn-up 2048x1536x384", 2048, 1536, 384), ("ffn-down 2048x384x1536", 2048, 384, 1536),
        ]
        for (name, m, n, k) in shapes {
            let a = Tensor.randomUniform([m, k], using: &rng), b = Tensor.randomUniform([k, n], using: &rng)
            let c = Tensor(zeros: [m, n])
            var rawTimes: [Double] = [], weftTimes: [Double] = []
            for _ in 0..<2 { _ = a.matmul(b) }
            for _ in 0..<runs {
                let t0 = BenchTiming.now()
                BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a.data, b: b.data, c: c.data)
                let t1 = BenchTiming.now()
                _ = a.matmul(b)
                let t2 = BenchTiming.now()
                rawTimes.append(Double(t1 - t0) / 1e9)
                weftTimes.append(Double(t2 - t1) / 1e9)
            }
            let flops = 2 * Double(m * n * k)
            let raw = flops / rawTimes.sorted()[runs / 2] / 1e9, weft = flops / weftTimes.sorted()[runs / 2] / 1e9
            print(name.padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(format: " sgemm %6.1f GFLOP/s  WeftCore matmul %6.1f GFLOP/s  ratio %.3f", raw, weft, weft / raw))
            if name == "512x1024x256" {
                fields["sgemm_gflops"] = BenchTiming.round(raw, 1)
                fields["matmul_gflops"] = BenchTiming.round(weft, 1)
                fields["matmul_ratio"] = BenchTiming.round(weft / raw)
            }
        }

        // 2. Memory-bound kernels: bytes read + written per second.
        let rows = 4096, cols = 1024, n = rows * cols
        let x = Tensor.randomNormal([rows, cols], using: &rng), y = Tensor(zeros: [rows, cols])
        let w = Tensor(repeating: 1, shape: [cols]), bias = Tensor(zeros: [cols])
        let bytes = Double(2 * n * 4)
        let ln = BenchTiming.median(runs: runs) {
            Kernels.layerNorm(y.data, mean: nil, rstd: nil, x.data, weight: w.data, bias: bias.data,
                              rows: rows, cols: cols, eps: 1e-12)
        }
        let sm = BenchTiming.median(runs: runs) { Kernels.softmax(y.data, x.data, rows: rows, cols: cols) }
        let ge = BenchTiming.median(runs: runs) { Kernels.gelu(y.data, x.data, n) }
        let cp = BenchTiming.median(runs: runs) { y.data.update(from: x.data, count: n) }
        for (name, s) in [("layer norm", ln), ("softmax", sm), ("GELU", ge), ("memcpy (reference)", cp)] {
            print(name.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: " %6.1f GB/s  (4096×1024 floats)", bytes / s / 1e9))
        }
        fields["layernorm_gbps"] = BenchTiming.round(bytes / ln / 1e9, 1)
        fields["softmax_gbps"] = BenchTiming.round(bytes / sm / 1e9, 1)
        fields["gelu_gbps"] = BenchTiming.round(bytes / ge / 1e9, 1)
        fields["memcpy_gbps"] = BenchTiming.round(bytes / cp / 1e9, 1)

        // 3. One MLP training step through the tape vs the same kernels called directly.
        let mlp = MLPBench(batch: 256, width: 512, classes: 10, seed: 2)
        var tapeTimes: [Double] = [], kernelTimes: [Double] = []
        for _ in 0..<3 { mlp.tapeStep(); mlp.kernelStep() }
        for _ in 0..<max(runs, 21) {
            let t0 = BenchTiming.now()
            mlp.tapeStep()
            let t1 = BenchTiming.now()
            mlp.kernelStep()
            let t2 = BenchTiming.now()
            tapeTimes.append(Double(t1 - t0) / 1e9)
            kernelTimes.append(Double(t2 - t1) / 1e9)
        }
        let stepMs = tapeTimes.sorted()[tapeTimes.count / 2] * 1e3
        let kernelMs = kernelTimes.sorted()[kernelTimes.count / 2] * 1e3
        print(String(format: "MLP step (3×512, batch 256): tape %.3f ms, direct kernels %.3f ms, overhead %+.1f%%",
                     stepMs, kernelMs, (stepMs / kernelMs - 1) * 100))
        fields["mlp_step_ms"] = BenchTiming.round(stepMs)
        fields["mlp_kernels_ms"] = BenchTiming.round(kernelMs)
        fields["autodiff_overhead"] = BenchTiming.round(stepMs / kernelMs - 1, 4)
        BenchTiming.printJSON(fields)
    }
}

/// A 3-layer MLP (width → width → width → classes, GELU between, cross-entropy)
/// trained by AdamW two ways with identical kernels: through the tape, and by
/// calling the kernels directly on preallocated buffers.
final class MLPBench {
    let batch: Int, width: Int, classes: Int
    let layers: [Linear]
    let tapeOptimizer: AdamW, kernelOptimizer: AdamW
    let input: Variable
    let targets: [Int32]
    // Buffers for the direct path: activations (B, W) and their gradients.
    let h1, a1, h2, a2, logits, dLogits, dA2, dH2, dA1, dH1: Tensor

    init(batch: Int, width: Int, classes: Int, seed: UInt64) {
        self.batch = batch
        self.width = width
        self.classes = classes
        var rng = SeededGenerator(seed: seed)
        layers = [Linear(inFeatures: width, outFeatures: width, using: &rng),
                  Linear(inFeatures: width, outFeatures: width, using: &rng),
                  Linear(inFeatures: width, outFeatures: classes, using: &rng)]
        let named = layers.enumerated().flatMap { i, l in prefixed("layer\(i)", l) }
        tapeOptimizer = AdamW(parameters: named, learningRate: 1e-4)
        kernelOptimizer = AdamW(parameters: named, learningRate: 1e-4)
        input = Variable(Tensor.randomNormal([batch, width], using: &rng))
        targets = (0..<batch).map { _ in Int32(rng.nextInt(below: classes)) }
        h1 = Tensor(zeros: [batch, width]); a1 = Tensor(zeros: [batch, width])
        h2 = Tensor(zeros: [batch, width]); a2 = Tensor(zeros: [batch, width])
        logits = Tensor(zeros: [batch, classes]); dLogits = Tensor(zeros: [batch, classes])
        dA2 = Tensor(zeros: [batch, width]); dH2 = Tensor(zeros: [batch, width])
        dA1 = Tensor(zeros: [batch, width]); dH1 = Tensor(zeros: [batch, width])
    }

    func tapeStep() {
        let tape = Tape()
        var h = input
        for (i, layer) in layers.enumerated() {
            h = layer(h, tape: tape)
            if i < layers.count - 1 { h = tape.gelu(h) }
        }
        let loss = Loss.crossEntropy(h, targets: targets, tape: tape)
        for l in layers { l.zeroGradients() }
        tape.backward(loss)
        tapeOptimizer.update()
    }

    /// The same computation with the kernels called directly (llm.c style).
    func kernelStep() {
        let (b, w, c) = (batch, width, classes)
        func forward(_ layer: Linear, _ x: Tensor, _ out: Tensor, _ outF: Int) {
            for r in 0..<b { (out.data + r * outF).update(from: layer.bias!.value.data, count: outF) }
            BLAS.sgemm(transposeA: false, transposeB: true, m: b, n: outF, k: layer.inFeatures,
                       a: x.data, b: layer.weight.value.data, beta: 1, c: out.data)
        }
        func backward(_ layer: Linear, _ x: Tensor, _ dy: Tensor, _ dx: Tensor?, _ outF: Int) {
            if let dx {
                BLAS.sgemm(transposeA: false, transposeB: false, m: b, n: layer.inFeatures, k: outF,
                           a: dy.data, b: layer.weight.value.data, beta: 0, c: dx.data)
            }
            BLAS.sgemm(transposeA: true, transposeB: false, m: outF, n: layer.inFeatures, k: b,
                       a: dy.data, b: x.data, beta: 1, c: layer.weight.gradient().data)
            Kernels.accumulateColumnSums(layer.bias!.gradient().data, dy.data, rows: b, cols: outF)
        }
        forward(layers[0], input.value, h1, w)
        Kernels.gelu(a1.data, h1.data, b * w)
        forward(layers[1], a1, h2, w)
        Kernels.gelu(a2.data, h2.data, b * w)
        forward(layers[2], a2, logits, c)
        _ = targets.withUnsafeBufferPointer {
            Kernels.crossEntropy(logits.data, targets: $0.baseAddress!, rows: b, classes: c, ignoreIndex: -100,
                                 probabilities: dLogits.data)
        }
        for l in layers { l.zeroGradients() }
        backward(layers[2], a2, dLogits, dA2, c)
        dH2.zero()
        Kernels.geluBackward(dH2.data, dA2.data, h2.data, b * w)
        backward(layers[1], a1, dH2, dA1, w)
        dH1.zero()
        Kernels.geluBackward(dH1.data, dA1.data, h1.data, b * w)
        backward(layers[0], input.value, dH1, nil, w)
        kernelOptimizer.update()
    }
}
