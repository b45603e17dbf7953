import Foundation
import Testing
@testable import WeftRec
import WeftStore

/// `weft train`, `recommend`, `similar`, `audience`, `add-product` and
/// `explain` end to end on the committed Gift Cards sample: trained from
/// the folder, served from a store the sample was imported into.
struct RecommendationCommandLineTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sample = packageRoot.appendingPathComponent("data/amazon2018-gift-cards")

    static var binary: String? {
        if let override = ProcessInfo.processInfo.environment["WEFT_BINARY"] { return override }
        let testExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return [testExecutable.deletingLastPathComponent().appendingPathComponent("weft"),
                Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("weft"),
                packageRoot.appendingPathComponent(".build/debug/weft")]
            .map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Run { var status: Int32; var output: String; var error: String }

    static func weft(_ arguments: [String]) throws -> Run {
        let path = try #require(binary, "build the weft executable first: swift build --build-tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
                   error: String(decoding: error, as: UTF8.self))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ run: Run) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(run.output.utf8))
    }

    /// `weft evaluate --slice-category`: the category's figures and users in
    /// the report (matched ignoring case), beside the warm/cold slices; an
    /// unknown category is one clear error naming it.
    @Test func evaluateReportsCategorySlices() throws {
        let output = Fixtures.folder().appendingPathComponent("report.json")
        let run = try Self.weft(["evaluate", "--data", Self.sample.path, "--protocol", "warm", "--models", "popularity",
                                 "--slice-category", "gift cards", "--output", output.path])
        #expect(run.status == 0, "\(run.error)")
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: output))
        let slices = try #require(report.slices)
        #expect(Set(slices.keys) == ["warm", "cold", "category:Gift Cards"])
        #expect(slices["category:Gift Cards"] == report.split.testUsers, "every sampled product is a gift card")
        let metrics = try #require(report.models.first?.metrics)
        #expect(metrics["category:Gift Cards/ndcg@20"] == metrics["ndcg@20"])
        #expect(run.output.contains("Slice category:Gift Cards ("))
        let unknown = try Self.weft(["evaluate", "--data", Self.sample.path, "--models", "popularity",
                                     "--slice-category", "Finance"])
        #expect(unknown.status != 0 && unknown.error.contains("no category named 'Finance'"), "\(unknown.error)")
    }

    /// `weft evaluate --cold-folds`: the cold protocol in folds, from the
    /// command line; folds with another protocol are one clear error.
    @Test func evaluateRunsTheColdProtocolInFolds() throws {
        let output = Fixtures.folder().appendingPathComponent("cold.json")
        let run = try Self.weft(["evaluate", "--data", Self.sample.path, "--protocol", "cold", "--cold-folds", "5",
                                 "--models", "popularity,weft+tl+gnn", "--text-embeddings", "hashed", "--gnn-epochs", "2",
                                 "--threads", "1", "--output", output.path])
        #expect(run.status == 0, "\(run.error)")
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: output))
        #expect(report.coldFolds == 5 && report.coldProductLinks == false)
        #expect(report.models.allSatisfy { $0.folds?.count == 5 })
        // --gnn-layers auto: no attention layer with product text, under cold and warm alike.
        #expect(report.models[1].settings?.gnn?.layers == 0)
        let warmOutput = Fixtures.folder().appendingPathComponent("warm.json")
        let warmText = try Self.weft(["evaluate", "--data", Self.sample.path, "--protocol", "warm", "--models", "weft+tl+gnn",
                                      "--text-embeddings", "hashed", "--gnn-epochs", "1", "--threads", "1",
                                      "--output", warmOutput.path])
        #expect(warmText.status == 0, "\(warmText.error)")
        let warmReport = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: warmOutput))
        #expect(warmReport.models.first?.settings?.gnn?.layers == 0)
        #expect(report.pairedDifferences?.first?.reference == "weft+tl+gnn")
        #expect(run.output.hasPrefix("Cold protocol in 5 folds") && run.error.contains("fold 5/5 split cold"))
        let warm = try Self.weft(["evaluate", "--data", Self.sample.path, "--protocol", "warm", "--cold-folds", "10",
                                  "--models", "popularity"])
        #expect(warm.status != 0 && warm.error.contains("--cold-folds applies to --protocol cold only"), "\(warm.error)")
        let layers = try Self.weft(["evaluate", "--data", Self.sample.path, "--gnn-layers", "two", "--models", "popularity"])
        #expect(layers.status != 0 && layers.error.contains("--gnn-layers must be auto or a whole number"), "\(layers.error)")
    }

    /// Without product text, `--gnn-layers auto` keeps one attention layer under
    /// cold: a cold product is then placed by its brand and category alone. With
    /// no layer it would score zero for every user, tied like `popularity`'s
    /// cold products (AUC 0.5), which is what the rule once did on Beauty. Under
    /// warm it chooses none, as validation did on full Beauty and Ciao.
    @Test func evaluateColdWithoutTextKeepsTheRelations() throws {
        let beauty = Self.packageRoot.appendingPathComponent("data/s3rec-beauty")
        let output = Fixtures.folder().appendingPathComponent("beauty-cold.json")
        let run = try Self.weft(["evaluate", "--data", beauty.path, "--protocol", "cold", "--models", "popularity,weft-gnn",
                                 "--gnn-epochs", "3", "--threads", "1", "--output", output.path])
        #expect(run.status == 0, "\(run.error)")
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: output))
        let gnn = try #require(report.models.first { $0.name == "weft-gnn" })
        #expect(gnn.settings?.gnn?.layers == 1)
        let auc = try #require(gnn.metrics?["auc"]), popularity = try #require(report.models.first?.metrics?["auc"])
        #expect(abs(popularity - 0.5) < 1e-9, "cold products all have zero training interactions")
        #expect(abs(auc - 0.5) > 0.01, "weft-gnn tells cold products apart by their relations (AUC \(auc))")
        // Under warm, without text, auto chooses no attention layer (the collaborative pathway alone).
        let warmOutput = Fixtures.folder().appendingPathComponent("beauty-warm.json")
        let warm = try Self.weft(["evaluate", "--data", beauty.path, "--protocol", "warm", "--models", "weft-gnn",
                                  "--gnn-epochs", "2", "--threads", "1", "--output", warmOutput.path])
        #expect(warm.status == 0, "\(warm.error)")
        let warmReport = try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: warmOutput))
        #expect(warmReport.models.first?.settings?.gnn?.layers == 0)
    }

    @Test func trainServeAddAndExplainOnTheGiftCardSample() throws {
        let work = Fixtures.folder()
        let db = work.appendingPathComponent("weft.sqlite").path, model = work.appendingPathComponent("model").path
        let imported = try Self.weft(["import", "--data", Self.sample.path, "--db", db])
        #expect(imported.status == 0, "\(imported.error)")
        let trained = try Self.weft(["train", "--data", Self.sample.path, "--out", model, "--epochs", "2", "--dimension", "16",
                                     "--hashed-dimension", "64", "--batch", "256", "--seed", "1", "--threads", "1"])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.error.contains("validation ndcg@10"))
        #expect(trained.error.contains("text graph of"), "the text graph is on by default")
        let serve = ["--db", db, "--model", model]

        let user = "A31UBHTUUIFJUT"
        let recommended = try Self.weft(["recommend"] + serve + ["--user", user, "--k", "3", "--json"])
        #expect(recommended.status == 0, "\(recommended.error)")
        let list = try Self.decode([ProductRecommendation].self, recommended)
        #expect(list.count == 3 && list.map(\.rank) == [1, 2, 3])
        #expect(!list.contains { $0.product == "B004LLIKVU" }, "the user already has B004LLIKVU")

        let text = try Self.weft(["recommend"] + serve + ["--user", user, "--k", "2", "--explain"])
        #expect(text.status == 0 && text.output.contains("Top 2 for user \(user)") && text.output.contains("fusion gate")
                && text.output.contains("reads like"), "\(text.output)")

        let similar = try Self.decode([SimilarProduct].self, try Self.weft(["similar"] + serve + ["--product", "B004LLIKVU", "--k", "4", "--json"]))
        #expect(similar.count == 4 && !similar.contains { $0.product == "B004LLIKVU" })

        let newProduct = work.appendingPathComponent("new.json")
        try Data(#"{"id": "NEW-SPA", "title": "Spa Day Gift Card", "description": "Relax with a massage and facial. Valid at spas nationwide.", "brand": "Amazon", "categories": ["Gift Cards"], "links": {"also_bought": ["B004LLIKVU"]}}"#.utf8)
            .write(to: newProduct)
        let added = try Self.weft(["add-product"] + serve + ["--json", newProduct.path, "--audience", "3"])
        #expect(added.status == 0, "\(added.error)")
        #expect(added.output.contains("added NEW-SPA") && added.output.contains("saved to the store"))
        // A later process sees it.
        let audience = try Self.decode([AudienceMember].self, try Self.weft(["audience"] + serve + ["--product", "NEW-SPA", "--k", "5", "--json"]))
        #expect(audience.count == 5)
        let again = try Self.weft(["add-product"] + serve + ["--json", newProduct.path])
        #expect(again.status != 0 && again.error.contains("product 'NEW-SPA' already exists"))

        let explained = try Self.weft(["explain"] + serve + ["--user", user, "--product", list[0].product, "--json"])
        #expect(explained.status == 0, "\(explained.error)")
        let x = try Self.decode(Explanation.self, explained)
        let rows = Dictionary(uniqueKeysWithValues: try StoreCatalog.read(try Store(path: db)).interactions.map { ($0.id, $0) })
        let sampleReviews = try String(contentsOf: Self.sample.appendingPathComponent("interactions.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["review"] as? String
            }
        for r in x.reviews {
            // The review row named is in the store, holds the sentence verbatim, and so does the sample file.
            let id = try #require(r.reviewId)
            let row = try #require(rows[id])
            #expect(row.review?.contains(r.sentence) == true && row.user == r.reviewer && row.product == r.reviewedProduct)
            #expect(sampleReviews.contains { $0.contains(r.sentence) }, "\(r.sentence)")
        }
        #expect(!x.summary.isEmpty)

        let unknown = try Self.weft(["recommend"] + serve + ["--user", "nobody"])
        #expect(unknown.status != 0 && unknown.error.contains("unknown user 'nobody'"))
    }

    /// `weft train` killed with SIGKILL after a checkpoint and rerun with
    /// --resume writes the same model, byte for byte, as a run never
    /// interrupted (and so as any other process: training is reproducible).
    @Test func killedTrainingResumesToTheSameModel() throws {
        let work = Fixtures.folder()
        let arguments = ["train", "--data", Self.sample.path, "--epochs", "3", "--patience", "100", "--dimension", "8",
                         "--hashed-dimension", "32", "--batch", "256", "--seed", "2", "--threads", "1"]
        let whole = work.appendingPathComponent("whole"), killed = work.appendingPathComponent("killed")
        let first = try Self.weft(arguments + ["--out", whole.path])
        #expect(first.status == 0, "\(first.error)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary))
        process.arguments = arguments + ["--out", killed.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = killed.appendingPathComponent(TrainedModel.checkpointFile).path
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let resumed = try Self.weft(arguments + ["--out", killed.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        for file in [TrainedModel.parametersFile, TrainedModel.embeddingsFile, TrainedModel.idsFile] {
            let a = try Data(contentsOf: whole.appendingPathComponent(file)), b = try Data(contentsOf: killed.appendingPathComponent(file))
            #expect(a == b, "\(file) differs after kill and resume")
        }
    }
}
