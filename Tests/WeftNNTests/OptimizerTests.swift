import Foundation
import Testing
@testable import WeftNN

struct OptimizerTests {
    /// AdamW by hand in Float64, PyTorch's formula.
    func referenceAdamW(theta: [Double], grads: [[Double]], lr: Double, b1: Double, b2: Double, eps: Double,
                        wd: Double) -> [Double] {
        var p = theta
        var m = [Double](repeating: 0, count: p.count), v = m
        for (t, g) in grads.enumerated() {
            let step = Double(t + 1)
            for i in 0..<p.count {
                p[i] *= 1 - lr * wd
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let denom = (v[i].squareRoot() / (1 - pow(b2, step)).squareRoot()) + eps
                p[i] -= lr / (1 - pow(b1, step)) * m[i] / denom
            }
        }
        return p
    }

    @Test(arguments: [Float(0), Float(0.1)])
    func adamWStepsMatchHandComputedValues(weightDecay: Float) {
        let theta: [Float] = [0.5, -1.25, 2.0, 0.0, 3.5]
        let grads: [[Float]] = [[0.1, -0.2, 0.3, 0.0, 1.0], [0.05, 0.4, -0.3, 0.2, -1.0], [1e-4, -2, 0.3, 0.2, 0.5]]
        let p = Variable(Tensor(theta, shape: [5]), requiresGrad: true)
        let opt = AdamW(parameters: [("w", p)], learningRate: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8,
                        weightDecay: weightDecay)
        for g in grads {
            p.grad = Tensor(g, shape: [5])
            opt.update()
        }
        let expected = referenceAdamW(theta: theta.map(Double.init), grads: grads.map { $0.map(Double.init) },
                                      lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8, wd: Double(weightDecay))
        for i in 0..<5 { #expect(abs(Double(p.value.data[i]) - expected[i]) < 1e-6, "element \(i)") }
        #expect(opt.step == 3)
    }

    @Test func noDecayForBiasesAndNorms() {
        let w = Variable(Tensor([1], shape: [1]), requiresGrad: true)
        let b = Variable(Tensor([1], shape: [1]), requiresGrad: true)
        let opt = AdamW(parameters: [("dense.weight", w), ("dense.bias", b)], learningRate: 0.1, weightDecay: 0.5)
        w.grad = Tensor(zeros: [1]); b.grad = Tensor(zeros: [1])
        opt.update()
        #expect(abs(w.value.data[0] - 0.95) < 1e-6)
        #expect(b.value.data[0] == 1)
    }

    @Test func stateRoundTripsAndResumesIdentically() throws {
        func run(split: Bool) throws -> [Float] {
            let p = Variable(Tensor([1, 2, 3], shape: [3]), requiresGrad: true)
            var opt = AdamW(parameters: [("p", p)], learningRate: 0.05)
            for step in 0..<6 {
                if split && step == 3 {
                    let saved = opt.state
                    opt = AdamW(parameters: [("p", p)], learningRate: 0.05)
                    try opt.load(saved)
                }
                p.grad = Tensor([Float(step), -1, 0.5], shape: [3])
                opt.update()
            }
            return p.value.scalars
        }
        #expect(try run(split: true) == run(split: false))
        let opt = AdamW(parameters: [("q", Variable(Tensor(zeros: [2]), requiresGrad: true))])
        #expect(throws: OptimizerError.stateMismatch(parameter: "q")) {
            try opt.load(AdamW.State(step: 1, firstMoments: [:], secondMoments: [:]))
        }
    }

    @Test func schedulesFollowHuggingFace() {
        let linear = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, decay: .linear)
        #expect(linear.learningRate(at: 0) == 0)
        #expect(linear.learningRate(at: 5) == 0.5)
        #expect(linear.learningRate(at: 10) == 1)
        #expect(abs(linear.learningRate(at: 60) - 0.5) < 1e-6)
        #expect(linear.learningRate(at: 200) == 0)
        let cosine = LearningRateSchedule(peak: 2, warmupSteps: 0, totalSteps: 100, decay: .cosine)
        #expect(abs(cosine.learningRate(at: 50) - 1) < 1e-6)
        #expect(abs(cosine.learningRate(at: 100)) < 1e-6)
    }

    @Test func clippingScalesToTheGlobalNorm() {
        let a = Variable(Tensor(zeros: [2]), requiresGrad: true), b = Variable(Tensor(zeros: [1]), requiresGrad: true)
        a.grad = Tensor([3, 0], shape: [2]); b.grad = Tensor([4], shape: [1])
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(a.grad!.data[0] - 0.6) < 1e-5 && abs(b.grad!.data[0] - 0.8) < 1e-5)
        let unchanged = clipGradientNorm([a, b], maxNorm: 10)
        #expect(abs(unchanged - 1) < 1e-4 && abs(a.grad!.data[0] - 0.6) < 1e-5)
    }
}
