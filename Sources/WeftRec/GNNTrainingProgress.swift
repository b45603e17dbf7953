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
        /// Best validation NDCG@10 so far (−∞ before the first evaluation).
        public var best: Double
        public var bestEpoch: Int
        public var sinceBest: Int
        /// Early stopping was reached: `fit` only restores the best parameters.
        public var stopped: Bool
        public var generator: SeededGenerator
        public var epochSeconds: [Double]
        public var optimizerSteps: [Int]
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
