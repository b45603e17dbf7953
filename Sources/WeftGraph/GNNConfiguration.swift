/// Sizes and regularisation of `WeftGNN`.
public struct GNNConfiguration: Sendable, Codable, Equatable {
    /// D: width of every node state.
    public var dimension = 64
    /// L: message-passing layers.
    public var layers = 2
    /// H: attention heads (D must be a multiple of H).
    public var heads = 2
    /// Probability that a node's ID embedding is zeroed in a training step,
    /// so the model learns to work from text and neighbours alone.
    public var idDropout: Float = 0.3
    /// Scale each attention weight α_ij by √(d_i / d_j) (degrees in the
    /// relation over the whole graph), so that uniform attention is
    /// LightGCN's symmetric normalisation 1/√(d_i d_j) and embedding norms
    /// grow with degree as they do there.
    public var degreeNormalized = true
    /// Text embedding width per node type (types absent here have no text input).
    public var textDimensions: [NodeType: Int] = [:]

    public init(dimension: Int = 64, layers: Int = 2, heads: Int = 2, idDropout: Float = 0.3,
                degreeNormalized: Bool = true, textDimensions: [NodeType: Int] = [:]) {
        self.degreeNormalized = degreeNormalized
        self.dimension = dimension
        self.layers = layers
        self.heads = heads
        self.idDropout = idDropout
        self.textDimensions = textDimensions
    }
}
