import Foundation
import Testing
@testable import WeftRec

struct EvaluationTests {
    @Test func evaluateWritesEveryMetricAndPinsTheData() throws {
        let folder = Fixtures.folder()
        Fixtures.write(Fixtures.clustered(groups: 3, usersPerGroup: 10, productsPerGroup: 10, perUser: 6), to: folder)
        let d = try Dataset.load(folder: folder.path)
        var options = Evaluation.Options()
        options.evaluationProtocol = .warm
        options.seed = 3
        options.bpr.dimension = 8
        options.bpr.maximumEpochs = 3
        options.bpr.batchSize = 32
        options.models = ["popularity", "bpr-mf", "lightgcn", "text-knn"]
        options.sliceCategories = ["GENRE1"]
        let report = try Evaluation.run(dataset: d, options: options)
        #expect(report.models.map(\.name) == ["popularity", "bpr-mf", "lightgcn", "text-knn"])
        let textKNN = report.models[3]
        #expect(textKNN.metrics == nil && textKNN.skipped == "no product text embeddings were given")
        for m in report.models.prefix(3) {
            let metrics = try #require(m.metrics)
            for key in ["recall@10", "ndcg@10", "recall@20", "ndcg@20", "precision", "recall", "f1", "auc", "coverage@20", "gini@20"] {
                let v = try #require(metrics[key], "\(m.name) lacks \(key)")
                #expect(v >= 0 && v <= 1, "\(m.name) \(key) = \(v)")
            }
            #expect(m.trainSeconds! >= 0)
            let validation = try #require(m.validationMetrics, "\(m.name) lacks validation metrics")
            #expect(validation.keys.sorted() == ["auc", "ndcg@10", "ndcg@20", "recall@10", "recall@20"])
            #expect(validation.values.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(m.name): \(validation)")
        }
        #expect(textKNN.validationMetrics == nil)
        // Each trained model's settings are in the report: what it ran with, not only the data.
        #expect(report.models[0].settings == nil && textKNN.settings == nil)
        #expect(report.models[1].settings == .init(bpr: options.bpr))
        #expect(report.models[2].settings == .init(bpr: options.bpr, lightGCNLayers: options.lightGCNLayers))
        #expect(report.split.test == 30 && report.split.validation == 30 && report.split.testUsers == 30)
        #expect(report.files.keys.sorted() == ["interactions.jsonl", "products.jsonl"])
        #expect(report.files.values.allSatisfy { $0.count == 64 })

        let json = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        #expect(json["protocol"] as? String == "warm" && json["seed"] as? Int == 3)
        let first = (json["models"] as! [[String: Any]])[0]
        #expect(first["name"] as? String == "popularity" && first["train_seconds"] != nil)
        let written = try #require((first["validation_metrics"] as? [String: Double])?["ndcg@10"])
        #expect(abs(written - report.models[0].validationMetrics!["ndcg@10"]!) < 1e-12)
        let lightGCNSettings = try #require((json["models"] as! [[String: Any]])[2]["settings"] as? [String: Any])
        #expect(lightGCNSettings["lightgcn_layers"] as? Int == 3)
        #expect((lightGCNSettings["bpr"] as? [String: Any])?["dimension"] as? Int == 8)
        // Slices: every test product has training interactions here; group 1's 10 users buy genre1 only.
        let slices = try #require(report.slices)
        #expect(slices == ["warm": 30, "cold": 0, "category:genre1": 10])
        for m in report.models.prefix(3) {
            let metrics = try #require(m.metrics)
            #expect(metrics["warm/ndcg@20"] == metrics["ndcg@20"], "\(m.name): all test users are in the warm slice")
            #expect(metrics["cold/ndcg@20"] == nil)
            #expect(metrics["category:genre1/ndcg@20"] != nil)
        }
        let table = report.markdownTable()
        #expect(table.contains("| popularity |") && table.contains("| text-knn | cannot run: no product text"))
        #expect(table.hasPrefix("| model | Recall@10 |") && table.contains("| validation NDCG@10 | train s |"))
        // Every row has the header's cell count, the rows of models that could not run included.
        let cells = table.split(separator: "\n").prefix(6).map { $0.filter { $0 == "|" }.count }
        #expect(Set(cells).count == 1, "\(cells)")
        #expect(table.contains("Slice category:genre1 (10 test users):") && table.contains("Slice warm (30 test users):"))
        #expect(!table.contains("Slice cold"))
        // Lightgcn (the last model that ran) against the other two, paired per user.
        #expect(table.contains("lightgcn minus each model") && table.contains("| bpr-mf | "))
        #expect(table.split(separator: "\n").count == 6 + 5 + 2 * 6)
        let paired = try #require(report.pairedDifferences)
        #expect(paired.map(\.model) == ["popularity", "popularity", "bpr-mf", "bpr-mf"])
        for p in paired {
            let a = report.models[2].metrics![p.metric]!, b = report.models.first { $0.name == p.model }!.metrics![p.metric]!
            #expect(abs(p.difference - (a - b)) < 1e-12 && p.cases == 30 && p.reference == "lightgcn")
        }
        #expect(report.models.prefix(3).allSatisfy { $0.standardErrors?.keys.sorted() == ["ndcg@10", "ndcg@20", "recall@10", "recall@20"] })
        #expect(report.coldFolds == nil && report.models.allSatisfy { $0.folds == nil } && report.coldProductLinks == nil)

        options.sliceCategories = ["Finance"]
        #expect(throws: EvaluationError.unknownCategory("Finance", dataset: d.name, count: 3)) {
            try Evaluation.run(dataset: d, options: options)
        }
    }

    @Test func textModelsFindColdProductsThatIDModelsCannot() throws {
        let d = Fixtures.clustered(groups: 4, usersPerGroup: 10, productsPerGroup: 25, perUser: 12)
        var options = Evaluation.Options()
        options.evaluationProtocol = .cold
        options.models = ["popularity", "text-knn"]
        options.productText = HashedTextFeatures.embed(d.products.map(\.text), dimension: 64)
        let report = try Evaluation.run(dataset: d, options: options)
        let popularity = report.models[0].metrics!, text = report.models[1].metrics!
        // Cold products' text names their group; the user's history does too. Popularity
        // knows nothing of cold products: all tie, so its AUC is exactly one half.
        #expect(popularity["auc"] == 0.5)
        #expect(text["auc"]! > 0.95, "text-knn \(text)")
        #expect(text["ndcg@10"]! > popularity["ndcg@10"]! + 0.2, "text-knn \(text), popularity \(popularity)")
    }

    /// `--cold-folds K`: every model trained K times; pooled figures are the
    /// users-weighted means of the folds', with standard errors over the
    /// (fold, user) cases and paired differences against the reference model.
    @Test func coldFoldsPoolEveryFoldsUsers() throws {
        let d = Fixtures.clustered(groups: 4, usersPerGroup: 10, productsPerGroup: 25, perUser: 12)
        var options = Evaluation.Options()
        options.evaluationProtocol = .cold
        options.coldFolds = 4
        options.models = ["popularity", "text-knn"]
        options.productText = HashedTextFeatures.embed(d.products.map(\.text), dimension: 64)
        let report = try Evaluation.run(dataset: d, options: options)
        #expect(report.coldFolds == 4 && report.coldProductLinks == false)
        #expect(report.split.testCandidates == Set(d.interactions.map(\.product)).count, "every product tested once")
        for m in report.models {
            let folds = try #require(m.folds)
            #expect(folds.map(\.fold) == [0, 1, 2, 3])
            #expect(folds.map(\.testUsers).reduce(0, +) == report.split.testUsers)
            for key in ["ndcg@20", "recall@10"] {
                let weighted = folds.map { $0.metrics[key]! * Double($0.testUsers) }.reduce(0, +) / Double(report.split.testUsers)
                #expect(abs(m.metrics![key]! - weighted) < 1e-12, "\(m.name) \(key)")
            }
            #expect(m.metrics!["coverage@20"]! > 0 && m.metrics!["f1"] != nil && m.metrics!["auc"] != nil)
            #expect(m.standardErrors!["ndcg@20"]! > 0)
        }
        #expect(report.models[0].metrics!["auc"] == 0.5, "popularity ties every cold product in every fold")
        let textKNN = report.models[1].metrics!, popularity = report.models[0].metrics!
        let paired = try #require(report.pairedDifferences?.first { $0.metric == "ndcg@20" })
        #expect(paired.reference == "text-knn" && paired.model == "popularity" && paired.cases == report.split.testUsers)
        #expect(abs(paired.difference - (textKNN["ndcg@20"]! - popularity["ndcg@20"]!)) < 1e-12)
        #expect(paired.difference > 4 * paired.standardError, "\(paired)")
        #expect(report.markdownTable().hasPrefix("Cold protocol in 4 folds"))

        options.coldFolds = 2
        #expect(throws: EvaluationError.badColdFolds(2, protocol: "cold")) { try Evaluation.run(dataset: d, options: options) }
        options.coldFolds = 1000
        #expect(throws: EvaluationError.tooFewProductsForFolds(1000, products: 100, dataset: d.name)) {
            try Evaluation.run(dataset: d, options: options)
        }
        options.coldFolds = 10
        options.evaluationProtocol = .warm
        #expect(throws: EvaluationError.badColdFolds(10, protocol: "warm")) { try Evaluation.run(dataset: d, options: options) }
    }

    @Test func standardErrorIsTheSampleDeviationOverRootN() {
        // [1, 2, 3, 4]: sample variance 5/3, so the standard error is √(5/12).
        #expect(abs(Statistics.standardError([1, 2, 3, 4])! - (5.0 / 12).squareRoot()) < 1e-15)
        #expect(Statistics.standardError([7]) == nil)
    }

    @Test func unknownModelsAreRejectedByName() {
        var options = Evaluation.Options()
        options.models = ["lightgcn", "deepfm"]
        #expect(throws: EvaluationError.unknownModel("deepfm", known: Evaluation.modelNames)) {
            _ = try Evaluation.run(dataset: Fixtures.clustered(), options: options)
        }
    }

    @Test func hashedTextFeaturesAreDeterministicUnitVectors() {
        let texts = ["jazz trumpet solo", "jazz trumpet quartet", "heavy metal guitar", ""]
        let a = HashedTextFeatures.embed(texts, dimension: 128), b = HashedTextFeatures.embed(texts, dimension: 128)
        #expect(a.scalars == b.scalars)
        func row(_ i: Int) -> [Float] { a.row(i).scalars }
        func dot(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }
        for i in 0..<3 { #expect(abs(dot(row(i), row(i)) - 1) < 1e-5) }
        #expect(row(3).allSatisfy { $0 == 0 })
        #expect(dot(row(0), row(1)) > dot(row(0), row(2)) + 0.2)
    }
}
