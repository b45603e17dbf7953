import Foundation

/// `config.json` of a trained model folder: how it was made (settings,
/// seed, data digests, text source) and how it did (best epoch, validation
/// NDCG@10), so a result is pinned to exact data and settings.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var formatVersion = ModelConfiguration.currentVersion
    public var gnn: GNNConfiguration
    public var training: GNNTrainingOptions
    public var seed: UInt64
    public var dataset: String
    /// Input file name (or `store:<path>`) → SHA-256, as `Dataset.fileDigests`.
    public var dataDigests: [String: String]
    /// nil: the model has no text input.
    public var textSource: TextEmbeddingSource?
    public var trainPairs: Int
    public var validationPairs: Int
    public var bestEpoch: Int
    public var validationNDCG10: Double
    public var epochsRun: Int
    public var trainSeconds: Double

    public init(gnn: GNNConfiguration, training: GNNTrainingOptions, seed: UInt64, dataset: String,
                dataDigests: [String: String], textSource: TextEmbeddingSource?, trainPairs: Int, validationPairs: Int,
                bestEpoch: Int = 0, validationNDCG10: Double = 0, epochsRun: Int = 0, trainSeconds: Double = 0) {
        self.gnn = gnn
        self.training = training
        self.seed = seed
        self.dataset = dataset
        self.dataDigests = dataDigests
        self.textSource = textSource
        self.trainPairs = trainPairs
        self.validationPairs = validationPairs
        self.bestEpoch = bestEpoch
        self.validationNDCG10 = validationNDCG10
        self.epochsRun = epochsRun
        self.trainSeconds = trainSeconds
    }

    /// The fields a resumed run must share with the run it continues.
    func sameRun(as other: ModelConfiguration) -> String? {
        if gnn != other.gnn { return "GNN configuration" }
        if training != other.training { return "training options" }
        if seed != other.seed { return "seed" }
        if dataDigests != other.dataDigests { return "data (file digests)" }
        if textSource != other.textSource { return "text embeddings" }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", gnn, training, seed, dataset, dataDigests = "data_digests"
        case textSource = "text_source", trainPairs = "train_pairs", validationPairs = "validation_pairs"
        case bestEpoch = "best_epoch", validationNDCG10 = "validation_ndcg@10", epochsRun = "epochs_run"
        case trainSeconds = "train_seconds"
    }
}
