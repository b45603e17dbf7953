import ArgumentParser
import Foundation
import WeftRec

/// `weft evaluate`: trains and scores models on one split of a dataset folder.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Train and evaluate recommenders on a dataset folder under one protocol.",
        discussion: """
        Writes the report as JSON (--output) and prints a Markdown table. Example:
          weft evaluate --data data/lastfm --protocol random-811 --models lightgcn --output lastfm.json
        Paper A's ablation reads two text sources: --text-embeddings (pretrained + fine-tuned encoder: weft+tl,
        weft+tl+gnn, text-knn) and --baseline-text-embeddings (random-init encoder: weft-baseline, weft+gnn).
        """)

    @Option(help: "Dataset folder in the Weft dataset format (products.jsonl, interactions.jsonl, ...).")
    var data: String

    @Option(name: .customLong("protocol"), help: "warm, cold or random-811.")
    var evaluationProtocol: String = "warm"

    @Option(help: "Comma-separated models (default: all; those the dataset cannot support are listed with the reason). Known: \(Evaluation.modelNames.joined(separator: ", ")) (and the older \(Evaluation.legacyModelNames.joined(separator: ", "))).")
    var models: String?

    @Option(help: "Seed of the split, negatives and training.")
    var seed: UInt64 = 42

    @Option(help: "Cold protocol only: cut the products with interactions into K seeded groups and train every model K times, fold f testing on group f and validating on group f+1, so every product is tested once; figures are pooled over all folds' test users (1: the single 20% split; 10 keeps 20% cold per fold).")
    var coldFolds: Int = 1

    @Option(help: "Write the JSON report here, and the Markdown table beside it with the extension .md (default: print only).")
    var output: String?

    @Option(help: "Product text embeddings: a JSON-lines file of {\"id\", \"embedding\"}, or 'hashed' for hashed TF-IDF vectors of the product text (default: none).")
    var textEmbeddings: String?

    @Option(help: "Product text embeddings of a randomly initialised encoder of the same architecture as --text-embeddings' (the ablation's weft-baseline and weft+gnn; make one with `weft init-model --like MODEL_DIR` and `weft embed`): a JSON-lines file of {\"id\", \"embedding\"} (default: none, and those two models are listed as unable to run).")
    var baselineTextEmbeddings: String?

    @Option(help: "Cold protocol: whether the held-out cold products keep their product links (also_bought, also_viewed, ...) in the graph: drop (a product nobody has bought has only text, category and brand) or keep (the runs before 2026-12-04).")
    var coldProductLinks: String = "drop"

    @Option(help: "Embedding width of the BPR baselines, bpr-mf and lightgcn (64: RecBole's).")
    var dimension: Int = 64

    @Option(help: "Most training epochs of the BPR models.")
    var epochs: Int = 1000

    @Option(help: "Validation evaluations without improvement before early stopping.")
    var patience: Int = 50

    @Option(help: "Optimiser steps without improvement also needed before the BPR models stop (0: --patience alone). Matters only where an epoch is under 10 steps, as on the Amazon 2018 cuts, where one epoch is one step.")
    var patienceSteps: Int = EarlyStopping.defaultPatienceSteps

    @Option(help: "Most training epochs of the Weft GNN models (the BPR baselines' budget).")
    var gnnEpochs: Int = 1000

    @Option(help: "Validation evaluations without improvement before the GNN stops (as the BPR baselines).")
    var gnnPatience: Int = 50

    @Option(help: "Optimiser steps without improvement also needed before the GNN stops (as --patience-steps).")
    var gnnPatienceSteps: Int = EarlyStopping.defaultPatienceSteps

    @Option(help: "Width D of the GNN's ID, text and hidden vectors (64: LightGCN's and RecBole's embedding size).")
    var gnnDimension: Int = 64

    @Option(help: "GNN message-passing (attention) layers, or auto, the validation choices (see docs/RESULTS.md): 0, except 1 under the cold protocol without product text, since a cold product's relations are then all it has.")
    var gnnLayers: String = "auto"

    @Option(help: "Neighbours sampled per relation at each hop, comma-separated, one per layer.")
    var gnnFanouts: String = "10,5"

    @Option(help: "GNN learning rate.")
    var gnnLearningRate: Float = 1e-3

    @Option(help: "Learning rate of the GNN's transforms as a multiple of --gnn-learning-rate.")
    var gnnTransformRateScale: Float = 1

    @Option(help: "GNN training pairs per step.")
    var gnnBatch: Int = 4096

    @Option(help: "GNN objective: bpr (one uniform negative per pair) or sampled-softmax (in-batch negatives).")
    var gnnObjective: String = "bpr"

    @Option(help: "Temperature of the GNN's sampled softmax.")
    var gnnTemperature: Float = 0.1

    @Option(help: "Weight λ of the GNN's contrastive regulariser on its collaborative pathway (SimGCL: InfoNCE between two noisy views of the propagated ID embeddings; 0: off).")
    var gnnContrastiveWeight: Float = 0

    @Option(help: "Noise length ε of the contrastive regulariser's views.")
    var gnnContrastiveNoise: Float = 0.1

    @Option(help: "Temperature τ of the contrastive regulariser's InfoNCE.")
    var gnnContrastiveTemperature: Float = 0.2

    @Option(help: "Probability that a product of a GNN training batch is trained as a cold product (no ID, no collaborative term, none of its buyers in the sampled subgraph); 0: off.")
    var gnnColdSimulation: Float = 0

    @Flag(help: "Keep each GNN batch's own user–product edges in its sampled subgraph (LightGCN's habit; default: leave them out).")
    var keepBatchEdges = false

    @Option(help: "Probability of dropping a node's ID embedding in a GNN training step.")
    var idDropout: Float = 0.3

    @Option(help: "LightGCN layers of the GNN's collaborative pathway (parameter-free ID propagation over the whole interaction graph; 0: none).")
    var gnnIdPropagationLayers: Int = 3

    @Option(help: "The ID view the GNN fuses with text for users and products: propagated (their collaborative-pathway, LightGCN-propagated embedding) or raw (the ID rows themselves, the models before 2026-11-24).")
    var gnnIdView: String = "propagated"

    @Option(help: "Whether the GNN's collaborative pathway also propagates over user–user links (friendships, trust): on or off.")
    var gnnSocialPropagation: String = "on"

    @Option(help: "L2 weight λ on the GNN batch's ID embeddings (BPR), in LightGCN's form (1e-3: the validation choice, see docs/RESULTS.md).")
    var gnnRegularization: Float = 1e-3

    @Option(help: "The GNN's text-similarity pathway (s² cos(user history text, product text) added to every score): on, off, or auto (on for the cold protocol only, the choice validation NDCG@10 made; see docs/RESULTS.md).")
    var gnnTextSimilarity: String = "auto"

    @Option(help: "The GNN's text prior (a product term w·x̂_p learned from product text, added to every score): on or off.")
    var gnnTextPrior: String = "off"

    @Option(help: "K of the GNN's product–product text graph: each product's output adds the mean collaborative embedding of its K nearest trained products by text (0: off; 5: the validation choice on the Amazon cuts, see docs/RESULTS.md).")
    var gnnTextNeighbors: Int = 5

    @Option(help: "A category (by name, any case) whose products get test metrics of their own, e.g. Finance; repeat for more. Warm and cold products (with and without training interactions) always get theirs under warm and random-811.")
    var sliceCategory: [String] = []

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        guard let evaluationProtocol = EvaluationProtocol(rawValue: evaluationProtocol) else {
            throw ValidationError("--protocol must be one of: \(EvaluationProtocol.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let dataset = try Dataset.load(folder: data)
        var options = Evaluation.Options()
        options.evaluationProtocol = evaluationProtocol
        options.seed = seed
        guard coldFolds == 1 || (coldFolds >= 3 && evaluationProtocol == .cold) else {
            throw ValidationError(EvaluationError.badColdFolds(coldFolds, protocol: evaluationProtocol.rawValue).description)
        }
        options.coldFolds = coldFolds
        guard ["drop", "keep"].contains(coldProductLinks) else {
            throw ValidationError("--cold-product-links must be drop or keep")
        }
        options.coldProductLinks = coldProductLinks == "keep"
        options.sliceCategories = sliceCategory
        options.models = models.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        guard dimension > 0 else { throw ValidationError("--dimension must be positive") }
        options.bpr.dimension = dimension
        options.bpr.maximumEpochs = epochs
        options.bpr.patience = patience
        guard patienceSteps >= 0, gnnPatienceSteps >= 0 else {
            throw ValidationError("--patience-steps and --gnn-patience-steps must be 0 or more")
        }
        options.bpr.patienceSteps = patienceSteps
        guard gnnDimension > 0, gnnDimension % max(options.gnn.heads, 1) == 0 else {
            throw ValidationError("--gnn-dimension must be a positive multiple of the GNN's \(options.gnn.heads) attention heads")
        }
        options.gnn.dimension = gnnDimension
        if gnnLayers == "auto" {
            // The validation choices (docs/RESULTS.md): no attention layer, the collaborative pathway
            // and the text view alone, except under cold without product text, where a cold product's
            // relations (brand, category) are all it has and only a layer reads them. With text, warm
            // chose one layer until early stopping counted optimiser steps, and none since.
            let productText = textEmbeddings != nil || baselineTextEmbeddings != nil
            options.gnn.layers = evaluationProtocol == .cold && !productText ? 1 : 0
        } else if let layers = Int(gnnLayers), layers >= 0 {
            options.gnn.layers = layers
        } else {
            throw ValidationError("--gnn-layers must be auto or a whole number ≥ 0 (got '\(gnnLayers)')")
        }
        options.gnn.idDropout = idDropout
        options.gnn.idPropagationLayers = gnnIdPropagationLayers
        switch gnnIdView {
        case "propagated": options.gnn.propagatedIDView = true
        case "raw": options.gnn.propagatedIDView = false
        default: throw ValidationError("--gnn-id-view must be propagated or raw")
        }
        guard ["on", "off"].contains(gnnSocialPropagation) else {
            throw ValidationError("--gnn-social-propagation must be on or off")
        }
        options.gnn.socialPropagation = gnnSocialPropagation == "on"
        options.gnnTraining.regularization = gnnRegularization
        switch gnnTextSimilarity {
        case "auto": options.gnn.textSimilarity = evaluationProtocol == .cold
        case "on": options.gnn.textSimilarity = true
        case "off": options.gnn.textSimilarity = false
        default: throw ValidationError("--gnn-text-similarity must be auto, on or off")
        }
        guard ["on", "off"].contains(gnnTextPrior) else { throw ValidationError("--gnn-text-prior must be on or off") }
        options.gnn.textPrior = gnnTextPrior == "on"
        guard gnnTextNeighbors >= 0 else { throw ValidationError("--gnn-text-neighbors must be ≥ 0") }
        options.gnn.textNeighbors = gnnTextNeighbors
        options.gnnTraining.maximumEpochs = gnnEpochs
        options.gnnTraining.patience = gnnPatience
        options.gnnTraining.patienceSteps = gnnPatienceSteps
        options.gnnTraining.learningRate = gnnLearningRate
        options.gnnTraining.batchSize = gnnBatch
        options.gnnTraining.transformLearningRateScale = gnnTransformRateScale
        guard let objective = GNNTrainingOptions.Objective(rawValue: gnnObjective) else {
            throw ValidationError("--gnn-objective must be sampled-softmax or bpr")
        }
        options.gnnTraining.objective = objective
        options.gnnTraining.temperature = gnnTemperature
        guard gnnContrastiveWeight >= 0, gnnContrastiveNoise >= 0, gnnContrastiveTemperature > 0 else {
            throw ValidationError("--gnn-contrastive-weight and --gnn-contrastive-noise must be ≥ 0, --gnn-contrastive-temperature > 0")
        }
        options.gnnTraining.contrastiveWeight = gnnContrastiveWeight
        options.gnnTraining.contrastiveNoise = gnnContrastiveNoise
        options.gnnTraining.contrastiveTemperature = gnnContrastiveTemperature
        guard (0...1).contains(gnnColdSimulation) else { throw ValidationError("--gnn-cold-simulation must be in 0...1") }
        options.gnnTraining.coldSimulation = gnnColdSimulation
        options.gnnTraining.excludeBatchEdges = !keepBatchEdges
        let fanouts = gnnFanouts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard fanouts.count == gnnFanouts.split(separator: ",").count, fanouts.count >= options.gnn.layers else {
            throw ValidationError("--gnn-fanouts must list at least --gnn-layers integers, e.g. 10,5")
        }
        options.gnnTraining.fanouts = fanouts
        options.log = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if let textEmbeddings {
            if textEmbeddings == "hashed" {
                options.productText = HashedTextFeatures.embed(dataset.products.map(\.text))
                options.productTextSource = "hashed-tfidf-256 of product title and description"
                options.textEncoder = { HashedTextFeatures.embed($0) }
            } else {
                let (embeddings, found) = try ProductTextEmbeddings.load(path: textEmbeddings, dataset: dataset)
                options.productText = embeddings
                options.productTextSource = "\(textEmbeddings) (\(found) of \(dataset.productCount) products)"
            }
        }
        if let baselineTextEmbeddings {
            let (embeddings, found) = try ProductTextEmbeddings.load(path: baselineTextEmbeddings, dataset: dataset)
            options.baselineProductText = embeddings
            options.baselineProductTextSource = "\(baselineTextEmbeddings) (\(found) of \(dataset.productCount) products)"
        }
        let report = try Evaluation.run(dataset: dataset, options: options)
        let table = report.markdownTable()
        print(table, terminator: "")
        if let output {
            let url = URL(fileURLWithPath: output)
            try report.json().write(to: url, options: .atomic)
            let header = "# \(report.dataset), \(report.evaluationProtocol), seed \(report.seed)\n\n"
            try Data((header + table).utf8).write(to: url.deletingPathExtension().appendingPathExtension("md"),
                                                  options: .atomic)
        }
    }
}
