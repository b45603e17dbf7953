import ArgumentParser
import Foundation
import WeftRec
import WeftStore

/// `weft train`: trains the Weft GNN recommender and saves a model folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the text-plus-graph recommender on a dataset folder or store and save a model folder.",
        discussion: """
            Holds out each user's last product (by time) for validation, stops early on validation NDCG@10, \
            then embeds every node on all interactions and writes --out: config.json, ids.json, model.safetensors, \
            embeddings.safetensors (and text-encoder.json for hashed text). A checkpoint is written after every \
            epoch; --resume continues an interrupted run exactly. Example:
              weft train --data data/amazon2018-gift-cards --out models/gift-cards --epochs 30
            """)

    @Option(help: "Dataset folder in the Weft dataset format.")
    var data: String?

    @Option(help: "SQLite store to train on instead of --data.")
    var db: String?

    @Option(help: "Model folder to write.")
    var out: String

    @Option(help: "Text embeddings: 'hashed' (hashed TF-IDF fitted on product text), 'none', or a JSON-lines file of {\"id\", \"embedding\"} per product (default: hashed).")
    var textEmbeddings: String = "hashed"

    @Option(help: "Transformer encoder folder for the text (overrides --text-embeddings; uses the store's cache with --db).")
    var encoder: String?

    @Option(help: "Width of the hashed text vectors (default: 256).")
    var hashedDimension: Int = 256

    @Option(help: "Most epochs (default: 50).")
    var epochs: Int = 50

    @Option(help: "Validation evaluations without improvement before stopping (default: 5).")
    var patience: Int = 5

    @Option(help: "Optimiser steps without improvement also needed before stopping (default: 500; 0: --patience alone). Matters only for small data, where an epoch is a few steps.")
    var patienceSteps: Int = EarlyStopping.defaultPatienceSteps

    @Option(help: "Embedding width D (default: 64).")
    var dimension: Int = 64

    @Option(help: "Message-passing layers (default: 2).")
    var layers: Int = 2

    @Option(help: "Attention heads (default: 2).")
    var heads: Int = 2

    @Option(help: "Neighbours sampled per relation at each hop, one per layer (default: 10,5).")
    var fanouts: String = "10,5"

    @Option(help: "Learning rate (default: 0.005).")
    var learningRate: Float = 0.005

    @Option(help: "Training pairs per step (default: 1024).")
    var batch: Int = 1024

    @Option(help: "bpr or sampled-softmax (default: bpr).")
    var objective: String = "bpr"

    @Option(help: "Probability of dropping a node's ID embedding in a training step (default: 0.3).")
    var idDropout: Float = 0.3

    @Option(help: "K of the product–product text graph: each product adds the mean collaborative embedding of its K nearest trained products by text (default: 5; 0: off).")
    var textNeighbors: Int = 5

    @Option(help: "Seed of the split, initialisation and sampling (default: 42).")
    var seed: UInt64 = 42

    @Flag(help: "Continue from the checkpoint in --out (same data and settings).")
    var resume = false

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func validate() throws {
        if (data == nil) == (db == nil) { throw ValidationError("give exactly one of --data or --db") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if dimension < 1 || dimension % max(heads, 1) != 0 { throw ValidationError("--dimension must be a positive multiple of --heads") }
        if hashedDimension < 1 { throw ValidationError("--hashed-dimension must be positive") }
        if textNeighbors < 0 { throw ValidationError("--text-neighbors must be ≥ 0") }
    }

    func run() throws {
        if let threads { Parallelism.setThreadCount(threads) }
        var options = ModelTraining.Options()
        options.seed = seed
        options.resume = resume
        options.gnn = GNNConfiguration(dimension: dimension, layers: layers, heads: heads, idDropout: idDropout,
                                       textNeighbors: textNeighbors)
        options.training.maximumEpochs = epochs
        options.training.patience = patience
        guard patienceSteps >= 0 else { throw ValidationError("--patience-steps must be 0 or more") }
        options.training.patienceSteps = patienceSteps
        options.training.learningRate = learningRate
        options.training.batchSize = batch
        guard let objective = GNNTrainingOptions.Objective(rawValue: objective) else {
            throw ValidationError("--objective must be bpr or sampled-softmax")
        }
        options.training.objective = objective
        let fanouts = self.fanouts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard fanouts.count == self.fanouts.split(separator: ",").count, fanouts.count >= layers else {
            throw ValidationError("--fanouts must list at least --layers integers, e.g. 10,5")
        }
        options.training.fanouts = fanouts
        let started = Date()
        options.log = { line in
            FileHandle.standardError.write(Data(String(format: "[%6.1f s] %@\n", Date().timeIntervalSince(started), line).utf8))
        }

        var store: Store?
        let dataset: Dataset
        if let db {
            guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("--db \(db) does not exist") }
            let opened = try Store(path: db)
            store = opened
            dataset = try Dataset.load(store: opened, name: URL(fileURLWithPath: db).deletingPathExtension().lastPathComponent)
        } else {
            dataset = try Dataset.load(folder: data!)
        }
        var encoding: TextEncoding?
        var productText: Tensor?
        var source: TextEmbeddingSource?
        if let encoder {
            encoding = try TransformerTextEncoder(modelDirectory: URL(fileURLWithPath: encoder), cache: store)
        } else if textEmbeddings == "hashed" {
            encoding = HashedTextEncoder(fitting: dataset.products.map(\.text), dimension: hashedDimension)
        } else if textEmbeddings != "none" {
            let (vectors, found) = try ProductTextEmbeddings.load(path: textEmbeddings, dataset: dataset)
            productText = vectors
            let digest = try FileDigest.sha256(path: textEmbeddings)
            source = TextEmbeddingSource(kind: .file, dimension: vectors.lastDimension, identity: digest,
                                         detail: "\(textEmbeddings) (\(found) of \(dataset.productCount) products)")
        }
        let trained = try ModelTraining.run(dataset: dataset, directory: URL(fileURLWithPath: out), encoder: encoding,
                                            productText: productText, textSource: source, options: options)
        print(String(format: "saved %@: %d users, %d products; best epoch %d of %d, validation ndcg@10 %.4f, %.1f s",
                     out, trained.ids.users.count, trained.ids.products.count, trained.configuration.bestEpoch,
                     trained.configuration.epochsRun, trained.configuration.validationNDCG10,
                     trained.configuration.trainSeconds))
    }
}
