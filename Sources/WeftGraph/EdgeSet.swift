/// The edges of one relation as parallel id lists, the input to `HeteroGraph`.
public struct EdgeSet: Sendable {
    public let relation: Relation
    /// (E) source node ids (of `relation.source`).
    public var sources: [Int32]
    /// (E) destination node ids (of `relation.destination`).
    public var destinations: [Int32]
    /// A symmetric relation (friendship) is stored in both directions as one
    /// relation and is its own reverse; one direction per pair is enough.
    public let symmetric: Bool

    public init(_ relation: Relation, sources: [Int32], destinations: [Int32], symmetric: Bool = false) {
        self.relation = relation
        self.sources = sources
        self.destinations = destinations
        self.symmetric = symmetric
    }
}
