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
    /// K of the collaborative pathway (`IDPropagation`): LightGCN layers of
    /// parameter-free propagation of the ID embeddings over the whole
    /// interaction graph, added to the attention layers' output (0: none).
    /// It runs only when `WeftGNN.Inputs.idPropagation` is given.
    public var idPropagationLayers = 3
    /// The text-similarity pathway: users' and products' outputs end with
    /// s · t̂ (their unit text vectors, `WeftGNN.Inputs.similarityText`, times
    /// one learned scale s), so every score adds s² cos(t̂_u, t̂_p), text-kNN's
    /// own score, which needs no training to rank a product nobody has seen.
    public var textSimilarity = true
    /// Where the fused input's ID view e_i comes from for users and products:
    /// true, their collaborative-pathway (LightGCN-propagated) embedding ē_i;
    /// false, the raw ID row. With raw rows every score holds the
    /// matrix-factorisation term ⟨e_u, e_p⟩, which fits the training pairs far
    /// faster than LightGCN's smoothed ⟨ē_u, ē_p⟩ and overfits sparse data (see
    /// docs/RESULTS.md, LastFM). Other types always use their raw rows.
    public var propagatedIDView = true
    /// The collaborative pathway also propagates over the graph's user–user
    /// relations (friendships, trust): LightGCN on the joint graph (see
    /// `IDPropagation`). No effect on a graph without them.
    public var socialPropagation = true
    /// The text popularity prior: products' outputs end with β w · x̂_p (their
    /// unit text vector times a row w fitted to the training products'
    /// log interaction counts, and a learned scale β) and users' with a 1, so
    /// every score adds a product term read from the product's text alone:
    /// which texts sell. A cold product gets it in full, where its ID and
    /// collaborative terms are zero.
    public var textPrior = false
    /// K of the product–product text graph (`TextNeighbors`): every
    /// product's output adds the mean collaborative-pathway embedding p̄_q of
    /// its K nearest products by text, so a product nobody has bought gets a
    /// collaborative term from the products that read like it (0: off). It
    /// runs with the collaborative pathway, when `WeftGNN.Inputs.textNeighbors` is given.
    public var textNeighbors = 0

    public init(dimension: Int = 64, layers: Int = 2, heads: Int = 2, idDropout: Float = 0.3,
                degreeNormalized: Bool = true, textDimensions: [NodeType: Int] = [:], idPropagationLayers: Int = 3,
                textSimilarity: Bool = true, propagatedIDView: Bool = true,
                socialPropagation: Bool = true, textPrior: Bool = false, textNeighbors: Int = 0) {
        self.textNeighbors = textNeighbors
        self.textPrior = textPrior
        self.propagatedIDView = propagatedIDView
        self.socialPropagation = socialPropagation
        self.idPropagationLayers = idPropagationLayers
        self.textSimilarity = textSimilarity
        self.degreeNormalized = degreeNormalized
        self.dimension = dimension
        self.layers = layers
        self.heads = heads
        self.idDropout = idDropout
        self.textDimensions = textDimensions
    }

    private enum CodingKeys: String, CodingKey {
        case dimension, layers, heads, idDropout, degreeNormalized, textDimensions, idPropagationLayers, textSimilarity,
             propagatedIDView, socialPropagation, textPrior, textNeighbors
    }

    /// Models saved before the collaborative and text-similarity pathways
    /// existed have neither key and had neither pathway; models saved before
    /// `propagatedIDView` fused the raw ID rows, and those saved before
    /// `socialPropagation` propagated over interactions only, and those saved
    /// before `textPrior` had no prior, nor a text graph before `textNeighbors`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dimension = try c.decode(Int.self, forKey: .dimension)
        layers = try c.decode(Int.self, forKey: .layers)
        heads = try c.decode(Int.self, forKey: .heads)
        idDropout = try c.decode(Float.self, forKey: .idDropout)
        degreeNormalized = try c.decode(Bool.self, forKey: .degreeNormalized)
        textDimensions = try c.decode([NodeType: Int].self, forKey: .textDimensions)
        idPropagationLayers = try c.decodeIfPresent(Int.self, forKey: .idPropagationLayers) ?? 0
        textSimilarity = try c.decodeIfPresent(Bool.self, forKey: .textSimilarity) ?? false
        propagatedIDView = try c.decodeIfPresent(Bool.self, forKey: .propagatedIDView) ?? false
        socialPropagation = try c.decodeIfPresent(Bool.self, forKey: .socialPropagation) ?? false
        textPrior = try c.decodeIfPresent(Bool.self, forKey: .textPrior) ?? false
        textNeighbors = try c.decodeIfPresent(Int.self, forKey: .textNeighbors) ?? 0
    }
}
