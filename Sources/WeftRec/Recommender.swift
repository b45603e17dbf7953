/// A model that can be trained on a split and then score every product for a user.
public protocol Recommender: AnyObject {
    /// The name used by `weft evaluate --models` and in reports.
    var name: String { get }
    /// Trains on `context.split.train`; may call `context.validate` for early stopping.
    func fit(_ context: TrainingContext) throws
    /// Scores of every product for each user: (users.count, products).
    /// Higher is better; only the order within a row matters for ranking.
    func scores(users: [Int32]) -> Tensor
}

/// What a recommender may use while training: the training interactions
/// (never validation or test ones), the graph built from them, product
/// text embeddings when there are any, and a validation hook.
public struct TrainingContext {
    public let dataset: Dataset
    public let split: InteractionSplit
    /// (users → products) of the training pairs.
    public let trainAdjacency: Adjacency
    /// The heterogeneous graph with only training interactions.
    public let graph: HeteroGraph
    /// (products, T) text embeddings aligned with product indices, if any.
    public let productText: Tensor?
    /// Text embeddings of other node types (category and brand names, users'
    /// training reviews), rows by node index, when a text encoder is available.
    public let nodeText: [NodeType: Tensor]
    public let seed: UInt64
    /// Validation NDCG@10 of a model in its current state (full ranking).
    public let validate: (Recommender) -> Double
    public let log: (String) -> Void

    public init(dataset: Dataset, split: InteractionSplit, graph: HeteroGraph, productText: Tensor?,
                nodeText: [NodeType: Tensor] = [:], seed: UInt64,
                validate: @escaping (Recommender) -> Double, log: @escaping (String) -> Void = { _ in }) {
        self.nodeText = nodeText
        self.dataset = dataset
        self.split = split
        self.trainAdjacency = split.train.adjacency(userCount: split.userCount)
        self.graph = graph
        self.productText = productText
        self.seed = seed
        self.validate = validate
        self.log = log
    }
}

/// A model that cannot run on a dataset (e.g. a text model without text).
public struct RecommenderUnavailable: Error, CustomStringConvertible {
    public let model: String
    public let reason: String
    public var description: String { "\(model) cannot run: \(reason)" }
}
