/// Why a product was recommended to a user, built only from what the model
/// used: every quoted sentence is verbatim from the data (with the row it
/// came from) and every path's edges are edges of the graph the GNN ran on.
public struct Explanation: Codable, Sendable, Equatable {
    /// A review sentence close to the product's text.
    public struct ReviewEvidence: Codable, Sendable, Equatable {
        /// Verbatim from the review.
        public var sentence: String
        /// Cosine of the sentence's text embedding and the product's.
        public var similarity: Float
        /// The interaction row holding the review: `interactions.id` in a store, the line in `interactions.jsonl`.
        public var reviewId: Int64?
        public var reviewer: String
        public var reviewedProduct: String
        public var timestamp: Int64
        /// The user's own review (else a review of a product the user has).
        public var ownReview: Bool
    }

    /// A graph path from the user to the product and the attention its last edge got.
    public struct PathEvidence: Codable, Sendable, Equatable {
        /// `social`, `linked-product`, `same-category` or `same-brand`.
        public var kind: String
        public var text: String
        /// Share of the product's aggregated message that came along the path's last edge:
        /// its attention α within its relation (mean over heads) over the number of relations
        /// that bring the product messages, averaged over layers; in (0, 1].
        public var attention: Float
        public var edges: [GraphEdge]
    }

    /// How the fusion gate mixed text and ID/graph embedding for a node:
    /// textShare = Σ|g ⊙ t| / (Σ|g ⊙ t| + Σ|(1 − g) ⊙ e|).
    public struct FusionShare: Codable, Sendable, Equatable {
        public var productTextShare: Float
        public var userTextShare: Float
        /// Mean gate value g of each node.
        public var productGate: Float
        public var userGate: Float
    }

    /// The sentence of the product's own text closest to the user's history.
    public struct DescriptionMatch: Codable, Sendable, Equatable {
        public var sentence: String
        /// Cosine against the mean text embedding of the products the user has.
        public var similarity: Float
    }

    /// A trained product whose text is among the K nearest to this product's
    /// (the model's text graph, `--text-neighbors K`): the product's score
    /// holds ⟨z_u, p̄_q⟩ / |N(p)| from each, p̄_q the neighbour's
    /// collaborative embedding.
    public struct TextNeighborEvidence: Codable, Sendable, Equatable {
        public var product: String
        public var title: String
        /// Cosine of the two products' text vectors.
        public var similarity: Float
        /// What this neighbour adds to the score, ⟨z_u, p̄_q⟩ / |N(p)| (nil for
        /// a model trained with the sampled softmax, whose scores are cosines
        /// of the whole outputs).
        public var contribution: Float?
        /// The user has this neighbour.
        public var owned: Bool
    }

    public var user: String
    public var product: String
    public var title: String
    public var score: Float
    /// A short plain-English paragraph built from the evidence below.
    public var summary: String
    public var reviews: [ReviewEvidence]
    public var paths: [PathEvidence]
    public var fusion: FusionShare
    public var descriptionMatch: DescriptionMatch?
    /// The product's text neighbours, largest contribution first (empty
    /// for a model without a text graph).
    public var textNeighbors: [TextNeighborEvidence] = []
    /// What could not be computed and why (e.g. no text encoder for sentences).
    public var notes: [String]
}
