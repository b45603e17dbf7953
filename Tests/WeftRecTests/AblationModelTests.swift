import Foundation
import Testing
@testable import WeftRec

/// Paper A's ablation in `weft evaluate`: four Weft variants over two text
/// sources (transfer-learned and random-init encoder), with and without
/// message passing.
struct AblationModelTests {
    final class Lines: @unchecked Sendable { var all: [String] = [] }

    func options(_ lines: Lines) -> Evaluation.Options {
        var o = Evaluation.Options()
        o.gnn = GNNConfiguration(dimension: 8, layers: 1, heads: 2, idDropout: 0.3)
        o.gnnTraining.batchSize = 32
        o.gnnTraining.fanouts = [3]
        o.gnnTraining.maximumEpochs = 2
        o.log = { lines.all.append($0) }
        return o
    }

    /// The parameter count each model logged when it started training.
    func parameterCount(_ name: String, in lines: Lines) throws -> Int {
        let line = try #require(lines.all.first { $0.hasPrefix("\(name): ") && $0.contains(" parameters") })
        return try #require(Int(line.dropFirst(name.count + 2).prefix { $0.isNumber }))
    }

    @Test func everyAblationModelRunsOnItsOwnTextSource() throws {
        let d = Fixtures.clustered(groups: 3, usersPerGroup: 8, productsPerGroup: 8, perUser: 5)
        let lines = Lines()
        var o = options(lines)
        o.models = ["weft-baseline", "weft+tl", "weft+gnn", "weft+tl+gnn", "weft-nognn", "weft-gnn"]
        // Different widths, so the logged parameter counts show which source each model read.
        o.productText = HashedTextFeatures.embed(d.products.map(\.text), dimension: 32)
        o.productTextSource = "hashed"
        var rng = SeededGenerator(seed: 5)
        o.baselineProductText = Tensor.randomNormal([d.productCount, 16], using: &rng)
        o.baselineProductTextSource = "random"
        let report = try Evaluation.run(dataset: d, options: o)
        #expect(report.models.map(\.name) == o.models!)
        for m in report.models {
            let metrics = try #require(m.metrics, "\(m.name): \(m.skipped ?? "")")
            #expect(metrics["ndcg@20"]! >= 0 && metrics["ndcg@20"]! <= 1)
        }
        #expect(report.textEmbeddings == "hashed" && report.baselineTextEmbeddings == "random")
        // The reported validation NDCG@10 is that of the model kept: the best epoch's, as logged in training.
        for m in report.models {
            let logged = lines.all.filter { $0.hasPrefix("\(m.name) epoch ") }
                .compactMap { $0.components(separatedBy: "validation ndcg@10 ").last?.split(separator: ",").first }
                .compactMap { Double($0) }
            let best = try #require(logged.max(), "\(m.name) logged no validation")
            let reported = try #require(m.validationMetrics?["ndcg@10"])
            #expect(abs(reported - best) <= 5e-5, "\(m.name): reported \(reported), best logged \(best)")
            // The settings record the architecture each arm ran and the epoch kept (whose validation is the best logged).
            let settings = try #require(m.settings, "\(m.name) has no settings")
            #expect(settings.gnnTraining == o.gnnTraining && settings.bpr == nil)
            let graph = Evaluation.ablation[m.name]?.graph ?? (m.name != "weft-nognn")
            #expect(settings.gnn?.layers == (graph ? o.gnn.layers : 0), "\(m.name)")
            #expect(settings.gnn?.idPropagationLayers == (graph ? o.gnn.idPropagationLayers : 0), "\(m.name)")
            let bestEpoch = try #require(settings.bestEpoch)
            let atBest = lines.all.first { $0.hasPrefix("\(m.name) epoch \(bestEpoch):") }
            #expect(atBest.map { $0.contains(String(format: "validation ndcg@10 %.4f", best)) } == true,
                    "\(m.name): epoch \(bestEpoch) logged \(atBest ?? "nothing")")
        }
        // The text projection is (T, D) + (D): 16 × 8 more weights for the 32-wide source.
        let widthGap = (32 - 16) * 8
        #expect(try parameterCount("weft+tl", in: lines) - parameterCount("weft-baseline", in: lines) == widthGap)
        #expect(try parameterCount("weft+tl+gnn", in: lines) - parameterCount("weft+gnn", in: lines) == widthGap)
        // Message passing adds the layer's transforms; the legacy names are the transfer-learned pair.
        #expect(try parameterCount("weft+gnn", in: lines) > parameterCount("weft-baseline", in: lines))
        #expect(try parameterCount("weft-gnn", in: lines) == parameterCount("weft+tl+gnn", in: lines))
        #expect(try parameterCount("weft-nognn", in: lines) == parameterCount("weft+tl", in: lines))
        #expect(Evaluation.modelNames.filter { Evaluation.ablation[$0] != nil } == ["weft-baseline", "weft+tl", "weft+gnn", "weft+tl+gnn"])
    }

    @Test func missingTextSourcesAreReportedWithTheirReason() throws {
        let d = Fixtures.clustered(groups: 2, usersPerGroup: 6, productsPerGroup: 6, perUser: 4)
        var o = options(Lines())
        o.models = ["weft-baseline", "weft+tl", "weft+gnn", "weft+tl+gnn"]
        o.productText = HashedTextFeatures.embed(d.products.map(\.text), dimension: 16)
        let report = try Evaluation.run(dataset: d, options: o)
        let skipped = Dictionary(uniqueKeysWithValues: report.models.map { ($0.name, $0.skipped) })
        let randomInit = "no random-init encoder's product text embeddings were given (--baseline-text-embeddings)"
        #expect(skipped["weft-baseline"] == randomInit && skipped["weft+gnn"] == randomInit)
        #expect(skipped["weft+tl"]! == nil && skipped["weft+tl+gnn"]! == nil)
        #expect(report.baselineTextEmbeddings == nil)
        #expect(report.markdownTable().contains("| weft+gnn | cannot run: no random-init encoder's"))

        o.productText = nil
        let none = try Evaluation.run(dataset: d, options: o)
        #expect(none.models.allSatisfy { $0.metrics == nil })
        #expect(none.models[1].skipped == "no transfer-learned encoder's product text embeddings were given (--text-embeddings)")

        // Called directly, without the up-front check, the model itself refuses with the same reason.
        let s = InteractionSplit.make(d, protocol: .warm, seed: 1)
        let context = TrainingContext(dataset: d, split: s, graph: try d.graph(interactions: s.train), productText: nil,
                                      seed: 1, validate: { _ in 0 })
        for name in ["weft-baseline", "weft+tl", "weft+gnn", "weft+tl+gnn"] {
            let model = try Evaluation.makeModel(name, options: o)
            do {
                try model.fit(context)
                Issue.record("\(name) trained without text")
            } catch let error as RecommenderUnavailable {
                #expect(error.model == name)
                #expect(error.reason == Evaluation.missingTextReason(Evaluation.ablation[name]!.text))
                #expect(error.description.hasPrefix("\(name) cannot run: no "))
            }
        }
    }
}
