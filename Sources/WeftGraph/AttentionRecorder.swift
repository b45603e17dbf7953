/// Collects the attention weights a `RelationalAttentionLayer` computed in
/// its last call, for explanations: per relation, each edge's local source
/// and destination ids (positions in the subgraph's `nodes`) and its α
/// averaged over heads (the softmax share before degree normalisation, so
/// the weights into one node along one relation sum to 1).
public final class AttentionRecorder {
    public struct Edges: Sendable {
        public var sources: [Int32] = []
        public var destinations: [Int32] = []
        public var weights: [Float] = []
    }

    public private(set) var relations: [Relation: Edges] = [:]

    public init() {}

    /// alpha: (E, H).
    func record(_ relation: Relation, sources: [Int32], destinations: [Int32], alpha: Tensor) {
        let heads = alpha.lastDimension
        var edges = Edges(sources: sources, destinations: destinations)
        edges.weights = (0..<sources.count).map { e in
            var sum: Float = 0
            for h in 0..<heads { sum += alpha.data[e * heads + h] }
            return sum / Float(heads)
        }
        relations[relation] = edges
    }
}
