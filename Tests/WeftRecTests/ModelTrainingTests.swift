import Foundation
import Testing
@testable import WeftRec

struct ModelTrainingTests {
    @Test func splitHoldsOutEachUsersLastProduct() throws {
        var d = Dataset(name: "t")
        for p in ["a", "b", "c"] { d.addProduct(id: p) }
        let u = d.addUser(id: "u"), v = d.addUser(id: "v")
        d.interactions = [.init(user: u, product: 2, timestamp: 30), .init(user: u, product: 0, timestamp: 10),
                          .init(user: u, product: 1, timestamp: 20), .init(user: v, product: 1, timestamp: 5)]
        let s = ModelTraining.split(d, seed: 1)
        #expect(s.validation.users == [u] && s.validation.products == [2])
        #expect(s.train.count == 3 && s.test.count == 0)
    }

    /// The saved folder reproduces the trained model: same embeddings, same
    /// scores, and the saved GNN recomputes the saved embeddings (with a
    /// text graph too, which is not saved but rebuilt from the saved text).
    @Test(arguments: [0, 3])
    func savedModelScoresExactlyAsTrained(textNeighbors: Int) throws {
        let folder = RecommendationFixture.folder()
        var options = RecommendationFixture.options()
        options.gnn.textNeighbors = textNeighbors
        let (out, trained) = try RecommendationFixture.train(folder, options: options)
        #expect(trained.model.configuration.textNeighbors == textNeighbors)
        #expect((trained.inputs.textNeighbors != nil) == (textNeighbors > 0))
        let loaded = try TrainedModel.load(from: out)
        #expect(loaded.ids == trained.ids)
        #expect(loaded.inputs.textNeighbors == trained.inputs.textNeighbors, "the text graph is saved, not rebuilt")
        #expect(loaded.configuration.textSource?.kind == .hashed)
        #expect(loaded.userEmbeddings.scalars == trained.userEmbeddings.scalars)
        #expect(loaded.productEmbeddings.scalars == trained.productEmbeddings.scalars)
        for (a, b) in zip(loaded.model.namedParameters(), trained.model.namedParameters()) {
            #expect(a.name == b.name && a.parameter.value.scalars == b.parameter.value.scalars)
        }
        let engine = try RecommendationEngine(modelDirectory: out, datasetFolder: folder.path)
        let user = trained.ids.users[3]
        let recommended = try engine.recommend(user: user, k: 5)
        let u = trained.ids.users.firstIndex(of: user)!
        let asTrained = WeftGNNRecommender(restoring: trained.model, graph: engine.recommender.graph!, inputs: trained.inputs,
                                           options: trained.configuration.training, userEmbeddings: trained.userEmbeddings,
                                           productEmbeddings: trained.productEmbeddings).scores(users: [Int32(u)])
        for r in recommended {
            let p = trained.ids.products.firstIndex(of: r.product)!
            #expect(r.score == asTrained.data[p])
        }
        #expect(recommended.first?.score == asTrained.scalars.enumerated().filter { !engine.owned[u].contains(Int32($0.offset)) }.map(\.element).max())
        // The loaded GNN on the rebuilt graph gives the saved embeddings again.
        let recomputed = WeftGNNRecommender(restoring: loaded.model, graph: engine.recommender.graph!, inputs: loaded.inputs,
                                            options: loaded.configuration.training, userEmbeddings: Tensor(zeros: [0, 0]),
                                            productEmbeddings: Tensor(zeros: [0, 0]))
        recomputed.refresh()
        #expect(recomputed.productEmbeddings.scalars == trained.productEmbeddings.scalars)
        #expect(recomputed.userEmbeddings.scalars == trained.userEmbeddings.scalars)
    }

    /// A saved text graph that is not a graph over the products is named as corrupt, not used.
    @Test func corruptSavedTextGraphIsNamed() throws {
        let good = try TrainedModel.textNeighbors(offsets: [0, 1, 2], targets: [1, 0], file: "m/embeddings.safetensors")
        #expect(Array(good.neighbors(of: 0)) == [1] && Array(good.neighbors(of: 1)) == [0])
        for (offsets, targets) in [([0, 1, 2], [1, 5]), ([0, 2, 1], [1, 0]), ([0, 1], [1, 0]), ([1, 2], [1, 0])] as [([Int32], [Int32])] {
            #expect(throws: ModelDirectoryError.corrupt(path: "m/embeddings.safetensors",
                                                        reason: "text_neighbors.offsets and .targets are not a graph over the products")) {
                try TrainedModel.textNeighbors(offsets: offsets, targets: targets, file: "m/embeddings.safetensors")
            }
        }
    }

    struct Interrupted: Error {}

    /// A run killed after epoch 2 and resumed ends with the parameters of the
    /// run that was never interrupted.
    @Test func resumedRunMatchesUninterruptedRun() throws {
        let folder = RecommendationFixture.folder()
        let (_, whole) = try RecommendationFixture.train(folder)

        let dataset = try Dataset.load(folder: folder.path)
        let out = Fixtures.folder()
        let encoder = HashedTextEncoder(fitting: dataset.products.map(\.text), dimension: 32)
        var options = RecommendationFixture.options()
        options.afterCheckpoint = { epoch in if epoch == 2 { throw Interrupted() } }
        #expect(throws: Interrupted.self) {
            try ModelTraining.run(dataset: dataset, directory: out, encoder: encoder, options: options)
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(TrainedModel.checkpointFile).path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(TrainedModel.configurationFile).path))
        options.afterCheckpoint = { _ in }
        options.resume = true
        var lines: [String] = []
        options.log = { lines.append($0) }
        let resumed = try ModelTraining.run(dataset: dataset, directory: out, encoder: encoder, options: options)
        #expect(lines.contains { $0.contains("resuming after epoch 2") })
        #expect(resumed.configuration.epochsRun == 4)
        for (a, b) in zip(resumed.model.namedParameters(), whole.model.namedParameters()) {
            #expect(a.parameter.value.scalars == b.parameter.value.scalars, "\(a.name)")
        }
        #expect(resumed.productEmbeddings.scalars == whole.productEmbeddings.scalars)

        // Resuming with another seed is refused, naming what differs.
        options.seed = 99
        #expect(throws: ModelDirectoryError.resumeMismatch(path: out.appendingPathComponent(TrainedModel.checkpointFile).path,
                                                           field: "seed")) {
            try ModelTraining.run(dataset: dataset, directory: out, encoder: encoder, options: options)
        }
    }

    @Test func hashedEncoderRoundTripsAndIsBatchIndependent() throws {
        let encoder = HashedTextEncoder(fitting: ["red jazz trumpet", "blue metal guitar", "red opera"], dimension: 16)
        let decoded = try JSONDecoder().decode(HashedTextEncoder.self, from: try JSONEncoder().encode(encoder))
        #expect(decoded.documentFrequency == encoder.documentFrequency)
        let alone = encoder.embed(["red trumpet"]).scalars
        let batched = decoded.embed(["something else entirely", "red trumpet"]).row(1).scalars
        #expect(alone == batched)
    }

    @Test func missingModelFolderIsNamed() {
        let folder = Fixtures.folder()
        #expect(throws: ModelDirectoryError.missingFile(path: folder.appendingPathComponent("config.json").path)) {
            try TrainedModel.load(from: folder)
        }
    }
}
