import Foundation

/// Everything `WeftGNNRecommender.fit` needs to continue after its last
/// finished epoch as if it had never stopped: parameters, the best epoch's
/// parameters, optimizer moments, the random generator and the
/// early-stopping counters. Saved as one safetensors file (scalars in its
/// metadata), written atomically, so a kill leaves the previous epoch's file
/// or this one, never half of each.
public struct GNNTrainingProgress {
    public struct Counters: Codable, Equatable {
        /// Epochs finished.
        public var epoch: Int
        /// Best validation NDCG@10 so far, its epoch, and the evaluations and
        /// optimiser steps since.
        public var stopping: EarlyStopping
        /// Early stopping was reached: `fit` only restores the best parameters.
        public var stopped: Bool
        public var generator: SeededGenerator
        public var epochSeconds: [Double]
        public var optimizerSteps: [Int]

        public init(epoch: Int, stopping: EarlyStopping, stopped: Bool, generator: SeededGenerator,
                    epochSeconds: [Double], optimizerSteps: [Int]) {
            self.epoch = epoch
            self.stopping = stopping
            self.stopped = stopped
            self.generator = generator
            self.epochSeconds = epochSeconds
            self.optimizerSteps = optimizerSteps
        }

        private enum CodingKeys: String, CodingKey {
            case epoch, best, bestEpoch, sinceBest, stepsSinceBest, stopped, generator, epochSeconds, optimizerSteps
        }

        /// Flat keys, as before `stopping` existed; a checkpoint written then
        /// has no `stepsSinceBest` and resumes with 0.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            epoch = try c.decode(Int.self, forKey: .epoch)
            stopping = EarlyStopping(
                best: try c.decodeIfPresent(Double.self, forKey: .best) ?? -Double.infinity,
                bestEpoch: try c.decode(Int.self, forKey: .bestEpoch),
                evaluationsSinceBest: try c.decode(Int.self, forKey: .sinceBest),
                stepsSinceBest: try c.decodeIfPresent(Int.self, forKey: .stepsSinceBest) ?? 0)
            stopped = try c.decode(Bool.self, forKey: .stopped)
            generator = try c.decode(SeededGenerator.self, forKey: .generator)
            epochSeconds = try c.decode([Double].self, forKey: .epochSeconds)
            optimizerSteps = try c.decode([Int].self, forKey: .optimizerSteps)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(epoch, forKey: .epoch)
            // −∞ (no evaluation yet, with evaluateEvery > 1) is not JSON: leave the key out.
            if stopping.best.isFinite { try c.encode(stopping.best, forKey: .best) }
            try c.encode(stopping.bestEpoch, forKey: .bestEpoch)
            try c.encode(stopping.evaluationsSinceBest, forKey: .sinceBest)
            try c.encode(stopping.stepsSinceBest, forKey: .stepsSinceBest)
            try c.encode(stopped, forKey: .stopped)
            try c.encode(generator, forKey: .generator)
            try c.encode(epochSeconds, forKey: .epochSeconds)
            try c.encode(optimizerSteps, forKey: .optimizerSteps)
        }
    }

    public var counters: Counters
    /// By parameter name.
    public var parameters: [String: Tensor]
    public var bestParameters: [String: Tensor]
    /// Per optimizer, moment tensors by `AdamW.momentTensors` name.
    public var optimizerMoments: [[String: Tensor]]

    public func save(to url: URL) throws {
        var tensors: [(String, Tensor)] = []
        for (name, t) in parameters.sorted(by: { $0.key < $1.key }) { tensors.append(("parameter.\(name)", t)) }
        for (name, t) in bestParameters.sorted(by: { $0.key < $1.key }) { tensors.append(("best.\(name)", t)) }
        for (i, moments) in optimizerMoments.enumerated() {
            for (name, t) in moments.sorted(by: { $0.key < $1.key }) { tensors.append(("optimizer.\(i).\(name)", t)) }
        }
        let counters = String(data: try JSONEncoder().encode(self.counters), encoding: .utf8)!
        try Safetensors.write(tensors, metadata: ["counters": counters], to: url)
    }

    public static func load(from url: URL) throws -> GNNTrainingProgress {
        let file = try SafetensorsFile(contentsOf: url)
        guard let json = file.metadata["counters"] else {
            throw ModelDirectoryError.corrupt(path: url.path, reason: "no training counters in its metadata")
        }
        let counters = try JSONDecoder().decode(Counters.self, from: Data(json.utf8))
        var parameters: [String: Tensor] = [:], best: [String: Tensor] = [:]
        var moments = [[String: Tensor]](repeating: [:], count: counters.optimizerSteps.count)
        for name in file.names {
            let t = try file.tensor(named: name)
            if name.hasPrefix("parameter.") {
                parameters[String(name.dropFirst("parameter.".count))] = t
            } else if name.hasPrefix("best.") {
                best[String(name.dropFirst("best.".count))] = t
            } else if name.hasPrefix("optimizer.") {
                let rest = name.dropFirst("optimizer.".count)
                guard let dot = rest.firstIndex(of: "."), let i = Int(rest[..<dot]), i < moments.count else {
                    throw ModelDirectoryError.corrupt(path: url.path, reason: "unexpected tensor '\(name)'")
                }
                moments[i][String(rest[rest.index(after: dot)...])] = t
            }
        }
        return GNNTrainingProgress(counters: counters, parameters: parameters, bestParameters: best,
                                   optimizerMoments: moments)
    }
}
