import Foundation

/// `weft train`: trains `WeftGNNRecommender` on all of a dataset but a
/// validation holdout (per user with two or more distinct products, the
/// last by time), stops early on validation NDCG@10, then embeds every
/// node on the graph of all interactions (holdout included, so serving
/// sees everything) and saves a `TrainedModel` folder. A checkpoint is
/// written after every epoch; `resume` continues from it exactly as the
/// uninterrupted run would have (same seed, same random stream).
public enum ModelTraining {
    public struct Options {
        public var gnn = GNNConfiguration(dimension: 64, layers: 2, heads: 2)
        public var training = GNNTrainingOptions()
        public var seed: UInt64 = 42
        /// Continue from `checkpoint.safetensors` in the output folder when it is there.
        public var resume = false
        public var log: (String) -> Void = { _ in }
        /// Called after each epoch's checkpoint is written (tests use it to stop a run part-way).
        public var afterCheckpoint: (Int) throws -> Void = { _ in }

        public init() {}
    }

    /// The split: per user, the last distinct product (by time, then input
    /// order) is the validation item when the user has two or more; no test part.
    public static func split(_ dataset: Dataset, seed: UInt64) -> InteractionSplit {
        let perUser = InteractionSplit.distinctProductsPerUser(dataset)
        var train = UserProductPairs(), validation = UserProductPairs()
        for (u, items) in perUser.enumerated() {
            for (k, p) in items.enumerated() {
                if items.count >= 2 && k == items.count - 1 {
                    validation.append(user: Int32(u), product: p)
                } else {
                    train.append(user: Int32(u), product: p)
                }
            }
        }
        return InteractionSplit(evaluationProtocol: .warm, seed: seed, userCount: dataset.userCount,
                                productCount: dataset.productCount, train: train, validation: validation,
                                test: UserProductPairs())
    }

    /// Product text rows (P, T) from `encoder`, and the other node types'
    /// text (category and brand names, users' training reviews).
    static func text(dataset: Dataset, split: InteractionSplit, encoder: TextEncoding) throws
        -> (products: Tensor, others: [NodeType: Tensor]) {
        let products = try encoder.embed(dataset.products.map(\.text))
        var failure: Error?
        let others = Evaluation.otherNodeText(dataset: dataset, split: split) { texts in
            do { return try encoder.embed(texts) } catch {
                failure = error
                return Tensor(zeros: [texts.count, encoder.source.dimension])
            }
        }
        if let failure { throw failure }
        return (products, others)
    }

    /// Trains and saves to `directory`. `productText` (P, T) with `textSource`
    /// is used when given (vectors from a file); otherwise `encoder` encodes
    /// product text and the other node types' text; with neither, no text.
    @discardableResult
    public static func run(dataset: Dataset, directory: URL, encoder: TextEncoding?, productText: Tensor? = nil,
                           textSource: TextEmbeddingSource? = nil, options: Options) throws -> TrainedModel {
        let started = Date()
        let split = split(dataset, seed: options.seed)
        let graph = try dataset.graph(interactions: split.train)
        var product: Tensor? = productText, others: [NodeType: Tensor] = [:]
        var source = textSource
        if productText == nil, let encoder {
            options.log("weft train: encoding product text, category and brand names and training reviews with \(encoder.source)")
            let encodingStarted = Date()
            (product, others) = try text(dataset: dataset, split: split, encoder: encoder)
            options.log(String(format: "weft train: text encoded in %.1f s", Date().timeIntervalSince(encodingStarted)))
            source = encoder.source
        }
        var configuration = ModelConfiguration(
            gnn: options.gnn, training: options.training, seed: options.seed, dataset: dataset.name,
            dataDigests: dataset.fileDigests, textSource: source, trainPairs: split.train.count,
            validationPairs: split.validation.count)

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let checkpointURL = directory.appendingPathComponent(TrainedModel.checkpointFile)
        let runURL = directory.appendingPathComponent("run.json")
        let recommender = WeftGNNRecommender(name: "weft-gnn", configuration: options.gnn, options: options.training)
        if options.resume, FileManager.default.fileExists(atPath: checkpointURL.path) {
            guard let runData = FileManager.default.contents(atPath: runURL.path) else {
                throw ModelDirectoryError.missingFile(path: runURL.path)
            }
            let saved: ModelConfiguration
            do { saved = try JSONDecoder().decode(ModelConfiguration.self, from: runData) } catch {
                throw ModelDirectoryError.corrupt(path: runURL.path, reason: "\(error)")
            }
            if let field = configuration.sameRun(as: saved) {
                throw ModelDirectoryError.resumeMismatch(path: checkpointURL.path, field: field)
            }
            recommender.resumeFrom = try GNNTrainingProgress.load(from: checkpointURL)
        } else {
            // A fresh run: nothing of an earlier model may pass for this one if it is killed.
            try? FileManager.default.removeItem(at: checkpointURL)
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(TrainedModel.configurationFile))
            try JSONEncoder().encode(configuration).write(to: runURL, options: .atomic)
        }
        recommender.onEpochEnd = { progress in
            try progress.save(to: checkpointURL)
            try options.afterCheckpoint(progress.counters.epoch)
        }
        let validation = RankingEvaluator(split: split, phase: .validation, seed: options.seed)
        let context = TrainingContext(dataset: dataset, split: split, graph: graph, productText: product,
                                      nodeText: others, seed: options.seed,
                                      validate: { validation.evaluate($0).metrics["ndcg@10"] ?? 0 }, log: options.log)
        options.log("weft train: \(dataset.userCount) users, \(dataset.productCount) products, \(split.train.count) train and \(split.validation.count) validation pairs; text: \(source?.description ?? "none")")
        try recommender.fit(context)
        try recommender.embed(on: dataset.graph(interactions: split.train + split.validation))

        // Text widths are known only once the text is: the model's own configuration has them.
        configuration.gnn = recommender.model!.configuration
        configuration.bestEpoch = recommender.bestEpoch
        configuration.validationNDCG10 = recommender.bestValidation
        configuration.epochsRun = recommender.epochSeconds.count
        configuration.trainSeconds = Date().timeIntervalSince(started)
        let trained = TrainedModel(configuration: configuration, ids: ModelIdMaps(dataset), model: recommender.model!,
                                   inputs: recommender.inputs, userEmbeddings: recommender.userEmbeddings,
                                   productEmbeddings: recommender.productEmbeddings,
                                   hashedEncoder: encoder as? HashedTextEncoder)
        try trained.save(to: directory)
        options.log(String(format: "weft train: best epoch %d of %d, validation ndcg@10 %.4f, %.1f s; saved %@",
                           recommender.bestEpoch, recommender.epochSeconds.count, recommender.bestValidation,
                           configuration.trainSeconds, directory.path))
        return trained
    }
}
