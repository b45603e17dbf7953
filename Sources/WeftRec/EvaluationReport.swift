import Foundation

/// The result of `weft evaluate`: what was run on which exact data, and
/// each model's test metrics.
public struct EvaluationReport: Codable, Sendable {
    public struct Model: Codable, Sendable {
        public var name: String
        /// Test metrics: recall@K, ndcg@K (full ranking), precision, recall, f1
        /// (pairs with one sampled negative, threshold chosen on validation),
        /// auc, coverage@20, gini@20. Absent when the model could not run.
        public var metrics: [String: Double]?
        /// Wall-clock seconds of training, including validation for early stopping.
        public var trainSeconds: Double?
        /// Why the model did not run, when it did not.
        public var skipped: String?
        /// The same ranking metrics (recall@K, ndcg@K) and AUC of the final
        /// model on the validation phase, the data early stopping chose on: a
        /// gap between these and the test metrics shows how well that choice
        /// carried over. Absent when the model could not run.
        public var validationMetrics: [String: Double]?
        /// What the model was trained with, so a figure can be reproduced
        /// from its report alone. Absent when the model could not run.
        public var settings: Settings?
        /// Standard error of each ranking metric's test mean (recall@K,
        /// ndcg@K) over the test users (with folds: the (fold, user) cases).
        public var standardErrors: [String: Double]?
        /// With cold folds: each fold's own figures (the pooled ones are `metrics`).
        public var folds: [Fold]?

        public init(name: String, metrics: [String: Double]?, trainSeconds: Double?, skipped: String?,
                    validationMetrics: [String: Double]? = nil, settings: Settings? = nil) {
            self.name = name
            self.metrics = metrics
            self.trainSeconds = trainSeconds
            self.skipped = skipped
            self.validationMetrics = validationMetrics
            self.settings = settings
        }

        enum CodingKeys: String, CodingKey {
            case name, metrics, skipped, settings, folds
            case trainSeconds = "train_seconds"
            case validationMetrics = "validation_metrics"
            case standardErrors = "standard_errors"
        }
    }

    /// One model on one cold fold.
    public struct Fold: Codable, Sendable {
        public var fold: Int
        public var testUsers: Int
        /// Test recall@K and ndcg@K on this fold alone.
        public var metrics: [String: Double]
        public var validationNDCG10: Double?
        public var bestEpoch: Int?
        public var trainSeconds: Double

        enum CodingKeys: String, CodingKey {
            case fold, metrics
            case testUsers = "test_users"
            case validationNDCG10 = "validation_ndcg@10"
            case bestEpoch = "best_epoch"
            case trainSeconds = "train_seconds"
        }
    }

    /// `reference`'s test metric minus `model`'s, as the mean of the per-user
    /// (per (fold, user) case) differences, with that mean's standard error.
    public struct PairedDifference: Codable, Sendable, Equatable {
        public var reference: String
        public var model: String
        public var metric: String
        public var difference: Double
        public var standardError: Double
        public var cases: Int

        enum CodingKeys: String, CodingKey {
            case reference, model, metric, difference, cases
            case standardError = "standard_error"
        }
    }

    /// A model's training settings: the BPR baselines' options (and
    /// LightGCN's layer count), or the Weft GNN's architecture and training
    /// options as that model ran them (the ablation arms without the graph
    /// have 0 layers and no collaborative pathway). The epoch whose weights
    /// were kept is recorded for the GNN models.
    public struct Settings: Codable, Sendable, Equatable {
        public var bpr: BPRTrainingOptions?
        public var lightGCNLayers: Int?
        public var gnn: GNNConfiguration?
        public var gnnTraining: GNNTrainingOptions?
        public var bestEpoch: Int?

        public init(bpr: BPRTrainingOptions? = nil, lightGCNLayers: Int? = nil, gnn: GNNConfiguration? = nil,
                    gnnTraining: GNNTrainingOptions? = nil, bestEpoch: Int? = nil) {
            self.bpr = bpr
            self.lightGCNLayers = lightGCNLayers
            self.gnn = gnn
            self.gnnTraining = gnnTraining
            self.bestEpoch = bestEpoch
        }

        enum CodingKeys: String, CodingKey {
            case bpr, gnn
            case lightGCNLayers = "lightgcn_layers"
            case gnnTraining = "gnn_training"
            case bestEpoch = "best_epoch"
        }
    }

    public struct SplitSizes: Codable, Sendable {
        public var train: Int
        public var validation: Int
        public var test: Int
        public var testUsers: Int
        public var testCandidates: Int

        enum CodingKeys: String, CodingKey {
            case train, validation, test
            case testUsers = "test_users"
            case testCandidates = "test_candidates"
        }
    }

    public var dataset: String
    public var evaluationProtocol: String
    public var seed: UInt64
    /// File name → SHA-256 of every input file.
    public var files: [String: String]
    /// Where the product text embeddings came from (absent: none were used).
    public var textEmbeddings: String?
    /// Where the random-init encoder's product text embeddings came from (absent: none were used).
    public var baselineTextEmbeddings: String?
    public var split: SplitSizes
    public var models: [Model]
    /// Test users behind each slice's metrics (absent: no slices).
    public var slices: [String: Int]?
    /// The cold protocol's fold count K when it ran in K folds (absent: one
    /// split). Then the split sizes are sums over the folds, `test_users`
    /// counts (fold, user) cases and `test_candidates` every fold's test products.
    public var coldFolds: Int?
    /// The full model against each other model, paired per test user.
    public var pairedDifferences: [PairedDifference]?
    /// Cold protocol: whether the held-out products kept their product links
    /// (also_bought, …) in the graph (absent for the other protocols).
    public var coldProductLinks: Bool?

    public init(dataset: String, evaluationProtocol: String, seed: UInt64, files: [String: String],
                textEmbeddings: String?, baselineTextEmbeddings: String?, split: SplitSizes, models: [Model],
                slices: [String: Int]?, coldFolds: Int? = nil, pairedDifferences: [PairedDifference]? = nil,
                coldProductLinks: Bool? = nil) {
        self.dataset = dataset
        self.evaluationProtocol = evaluationProtocol
        self.seed = seed
        self.files = files
        self.textEmbeddings = textEmbeddings
        self.baselineTextEmbeddings = baselineTextEmbeddings
        self.split = split
        self.models = models
        self.slices = slices
        self.coldFolds = coldFolds
        self.pairedDifferences = pairedDifferences
        self.coldProductLinks = coldProductLinks
    }

    enum CodingKeys: String, CodingKey {
        case dataset, seed, files, split, models, slices
        case coldFolds = "cold_folds"
        case pairedDifferences = "paired_differences"
        case coldProductLinks = "cold_product_links"
        case evaluationProtocol = "protocol"
        case textEmbeddings = "text_embeddings"
        case baselineTextEmbeddings = "baseline_text_embeddings"
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    static let columns: [(key: String, title: String)] = [
        ("recall@10", "Recall@10"), ("ndcg@10", "NDCG@10"), ("recall@20", "Recall@20"), ("ndcg@20", "NDCG@20"),
        ("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"), ("auc", "AUC"),
        ("coverage@20", "Coverage@20"), ("gini@20", "Gini@20"),
    ]

    /// One row per model, the metric columns in a fixed order (NDCG@20 with
    /// its standard error beside it), then training seconds; each slice's
    /// table; and the paired differences against the full model.
    public func markdownTable() -> String {
        var lines: [String] = []
        if let coldFolds {
            lines += ["Cold protocol in \(coldFolds) folds: every figure is pooled over \(split.testUsers) (fold, user) test cases.", ""]
        }
        lines += ["| model | " + Self.columns.map(\.title).joined(separator: " | ")
                  + " | NDCG@20 SE | validation NDCG@10 | train s |",
                  "|---|" + String(repeating: "---:|", count: Self.columns.count + 3)]
        for m in models {
            if let metrics = m.metrics {
                let cells = Self.columns.map { c in metrics[c.key].map { String(format: "%.4f", $0) } ?? "–" }
                let se = m.standardErrors?["ndcg@20"].map { String(format: "%.4f", $0) } ?? "–"
                let validation = m.validationMetrics?["ndcg@10"].map { String(format: "%.4f", $0) } ?? "–"
                let seconds = m.trainSeconds.map { String(format: "%.1f", $0) } ?? "–"
                lines.append("| \(m.name) | " + cells.joined(separator: " | ") + " | \(se) | \(validation) | \(seconds) |")
            } else {
                lines.append("| \(m.name) | cannot run: \(m.skipped ?? "unknown reason") |"
                             + String(repeating: " |", count: Self.columns.count + 2))
            }
        }
        if let paired = pairedDifferences, let reference = paired.first?.reference {
            lines += ["", "\(reference) minus each model, mean of the per-user differences ± its standard error:", "",
                      "| model | NDCG@10 | NDCG@20 |", "|---|---:|---:|"]
            for m in models where paired.contains(where: { $0.model == m.name }) {
                let cells = ["ndcg@10", "ndcg@20"].map { metric in
                    paired.first { $0.model == m.name && $0.metric == metric }
                        .map { String(format: "%+.4f ± %.4f", $0.difference, $0.standardError) } ?? "–"
                }
                lines.append("| \(m.name) | " + cells.joined(separator: " | ") + " |")
            }
        }
        for (slice, users) in (slices ?? [:]).sorted(by: { $0.key < $1.key }) where users > 0 {
            let keys = ["recall@10", "ndcg@10", "recall@20", "ndcg@20"]
            lines += ["", "Slice \(slice) (\(users) test users):", "",
                      "| model | Recall@10 | NDCG@10 | Recall@20 | NDCG@20 |", "|---|---:|---:|---:|---:|"]
            for m in models {
                guard let metrics = m.metrics else { continue }
                let cells = keys.map { k in metrics["\(slice)/\(k)"].map { String(format: "%.4f", $0) } ?? "–" }
                lines.append("| \(m.name) | " + cells.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
