/// Bad input to a graph: the message names the relation, node and bound.
public enum GraphError: Error, CustomStringConvertible, Equatable {
    case unknownNodeType(NodeType)
    case unknownRelation(Relation)
    case nodeOutOfRange(type: NodeType, node: Int, count: Int, relation: Relation)
    case mismatchedEdgeList(relation: Relation, sources: Int, destinations: Int)
    case tooManyEdges(relation: Relation, count: Int)
    case symmetricRelationNeedsOneNodeType(Relation)

    public var description: String {
        switch self {
        case .unknownNodeType(let t): "unknown node type '\(t)'"
        case .unknownRelation(let r): "unknown relation \(r)"
        case .nodeOutOfRange(let t, let n, let c, let r):
            "relation \(r): \(t) node \(n) is outside 0..<\(c)"
        case .mismatchedEdgeList(let r, let s, let d):
            "relation \(r): \(s) source ids but \(d) destination ids"
        case .tooManyEdges(let r, let c):
            "relation \(r): \(c) edges exceed the 32-bit CSR offsets (2^31 − 1)"
        case .symmetricRelationNeedsOneNodeType(let r):
            "relation \(r) is marked symmetric but joins two different node types"
        }
    }
}
