/// A heterogeneous graph: typed nodes (numbered 0..<count per type) and
/// typed edges, one CSR `Adjacency` per relation (source → destination),
/// with every relation's reverse stored too, so both "who did this user
/// buy" and "who bought this product" are one slice.
///
/// New nodes and edges (a product added after training, a fresh purchase)
/// go to a per-relation delta list instead of rebuilding the CSR. Reads
/// (`neighbors`, sampling) see CSR + delta; `adjacency(_:)` merges a
/// relation's delta into its CSR lazily, on first use, and `compact()`
/// merges all of them.
///
/// Not thread-safe for mutation: add nodes or edges while nothing else
/// reads the graph.
public final class HeteroGraph: @unchecked Sendable {
    /// Node count per type, including added nodes.
    public private(set) var nodeCounts: [NodeType: Int]
    /// Every relation, forward and reverse, in sorted order.
    public let relations: [Relation]
    /// Relations that are their own reverse.
    public let symmetricRelations: Set<Relation>

    private var stored: [Relation: Adjacency]
    /// Delta edges per relation: source node → extra destinations (sorted,
    /// distinct, none already in the CSR row).
    private var pending: [Relation: [Int32: [Int32]]] = [:]

    public var nodeTypes: [NodeType] { nodeCounts.keys.sorted() }

    /// Builds the graph; every non-symmetric relation gets its reverse.
    /// Duplicate edges are kept once.
    public init(nodeCounts: [NodeType: Int], edges: [EdgeSet]) throws {
        self.nodeCounts = nodeCounts
        var stored: [Relation: Adjacency] = [:]
        var symmetric: Set<Relation> = []
        for set in edges {
            let r = set.relation
            guard let sourceCount = nodeCounts[r.source] else { throw GraphError.unknownNodeType(r.source) }
            guard let destinationCount = nodeCounts[r.destination] else {
                throw GraphError.unknownNodeType(r.destination)
            }
            guard set.sources.count == set.destinations.count else {
                throw GraphError.mismatchedEdgeList(relation: r, sources: set.sources.count,
                                                    destinations: set.destinations.count)
            }
            let edgeCount = set.symmetric ? 2 * set.sources.count : set.sources.count
            guard edgeCount < Int(Int32.max) else { throw GraphError.tooManyEdges(relation: r, count: edgeCount) }
            for s in set.sources where s < 0 || Int(s) >= sourceCount {
                throw GraphError.nodeOutOfRange(type: r.source, node: Int(s), count: sourceCount, relation: r)
            }
            for d in set.destinations where d < 0 || Int(d) >= destinationCount {
                throw GraphError.nodeOutOfRange(type: r.destination, node: Int(d), count: destinationCount, relation: r)
            }
            if set.symmetric {
                guard r.source == r.destination else { throw GraphError.symmetricRelationNeedsOneNodeType(r) }
                symmetric.insert(r)
                stored[r] = Adjacency(rowCount: sourceCount, sources: set.sources + set.destinations,
                                      targets: set.destinations + set.sources)
            } else {
                stored[r] = Adjacency(rowCount: sourceCount, sources: set.sources, targets: set.destinations)
                stored[r.reversed] = Adjacency(rowCount: destinationCount, sources: set.destinations,
                                               targets: set.sources)
            }
        }
        self.stored = stored
        self.symmetricRelations = symmetric
        self.relations = stored.keys.sorted()
    }

    public func nodeCount(_ type: NodeType) -> Int { nodeCounts[type] ?? 0 }

    public var edgeCount: Int { relations.reduce(0) { $0 + edgeCount($1) } }

    /// The relation whose out-edges are `relation`'s in-edges.
    public func reverse(of relation: Relation) -> Relation {
        symmetricRelations.contains(relation) ? relation : relation.reversed
    }

    /// Relations that end in nodes of `type` (the ones that send it messages).
    public func relations(into type: NodeType) -> [Relation] { relations.filter { $0.destination == type } }

    public func contains(_ relation: Relation) -> Bool { stored[relation] != nil }

    /// Number of edges of `relation`, delta included.
    public func edgeCount(_ relation: Relation) -> Int {
        (stored[relation]?.edgeCount ?? 0) + (pending[relation]?.values.reduce(0) { $0 + $1.count } ?? 0)
    }

    /// Destinations of `node` along `relation`, sorted (CSR row, then any delta edges sorted after it).
    public func neighbors(of node: Int, in relation: Relation) -> [Int32] {
        guard let a = stored[relation] else { return [] }
        let base = Array(a.neighbors(of: node))
        guard let extra = pending[relation]?[Int32(node)] else { return base }
        return (base + extra).sorted()
    }

    /// Whether the edge node → target exists in `relation`.
    public func hasEdge(from node: Int, to target: Int, in relation: Relation) -> Bool {
        guard let a = stored[relation] else { return false }
        if a.contains(row: node, target: Int32(target)) { return true }
        return pending[relation]?[Int32(node)]?.contains(Int32(target)) ?? false
    }

    /// Out-degree of `node` in `relation`, delta included.
    public func degree(of node: Int, in relation: Relation) -> Int {
        (stored[relation]?.degree(of: node) ?? 0) + (pending[relation]?[Int32(node)]?.count ?? 0)
    }

    /// Degree summary of `relation` over every node of its source type.
    public func degreeStatistics(_ relation: Relation) -> DegreeStatistics {
        let n = nodeCount(relation.source)
        return DegreeStatistics(degrees: (0..<n).map { degree(of: $0, in: relation) })
    }

    /// Degree summary of each node type over all relations leaving it.
    public func degreeStatistics(of type: NodeType) -> DegreeStatistics {
        var degrees = [Int](repeating: 0, count: nodeCount(type))
        for r in relations where r.source == type {
            for i in 0..<degrees.count { degrees[i] += degree(of: i, in: r) }
        }
        return DegreeStatistics(degrees: degrees)
    }

    // MARK: CSR access

    /// The merged CSR of `relation` (with one row per current node of its
    /// source type). Merges the relation's delta edges first, if any.
    public func adjacency(_ relation: Relation) throws -> Adjacency {
        guard stored[relation] != nil else { throw GraphError.unknownRelation(relation) }
        merge(relation)
        return stored[relation]!
    }

    /// Merges every delta list into its CSR.
    public func compact() { for r in relations { merge(r) } }

    /// Number of delta edges waiting to be merged.
    public var pendingEdgeCount: Int { pending.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } }

    private func merge(_ relation: Relation) {
        let rows = nodeCount(relation.source)
        guard let a = stored[relation] else { return }
        let extra = pending.removeValue(forKey: relation) ?? [:]
        if extra.isEmpty && a.rowCount == rows { return }
        var (sources, targets) = a.edgeList
        for (s, ts) in extra {
            for t in ts { sources.append(s); targets.append(t) }
        }
        stored[relation] = Adjacency(rowCount: rows, sources: sources, targets: targets)
    }

    /// Reads one node's neighbours without merging: the CSR slice and the
    /// delta list (usually empty). For samplers and kernels on the hot path.
    @inline(__always)
    func withNeighbors<R>(of node: Int, in relation: Relation, _ body: (ArraySlice<Int32>, [Int32]) -> R) -> R {
        guard let a = stored[relation] else { return body([], []) }
        return body(a.neighbors(of: node), pending[relation]?[Int32(node)] ?? [])
    }

    func storedAdjacency(_ relation: Relation) -> Adjacency? { stored[relation] }
    func pendingEdges(_ relation: Relation) -> [Int32: [Int32]]? { pending[relation] }

    // MARK: Insertion

    /// Adds one node of `type` with its edges, without rebuilding any CSR.
    /// Each edge is (relation, other node): the new node is the relation's
    /// source when `relation.source == type`, else its destination. The
    /// reverse edge is added too. Returns the new node's id.
    @discardableResult
    public func addNode(_ type: NodeType, edges: [(relation: Relation, node: Int)] = []) throws -> Int {
        guard nodeCounts[type] != nil else { throw GraphError.unknownNodeType(type) }
        for (r, other) in edges {
            guard stored[r] != nil else { throw GraphError.unknownRelation(r) }
            guard r.source == type || r.destination == type else { throw GraphError.unknownRelation(r) }
            let otherType = r.source == type ? r.destination : r.source
            let count = nodeCount(otherType)
            guard other >= 0 && other < count else {
                throw GraphError.nodeOutOfRange(type: otherType, node: other, count: count, relation: r)
            }
        }
        let id = nodeCount(type)
        nodeCounts[type] = id + 1
        for (r, other) in edges {
            if r.source == type {
                try addEdge(from: id, to: other, in: r)
            } else {
                try addEdge(from: other, to: id, in: r)
            }
        }
        return id
    }

    /// Adds the edge source → destination to `relation` and its reverse
    /// (a no-op when it exists already).
    public func addEdge(from source: Int, to destination: Int, in relation: Relation) throws {
        guard stored[relation] != nil else { throw GraphError.unknownRelation(relation) }
        let sourceCount = nodeCount(relation.source), destinationCount = nodeCount(relation.destination)
        guard source >= 0 && source < sourceCount else {
            throw GraphError.nodeOutOfRange(type: relation.source, node: source, count: sourceCount, relation: relation)
        }
        guard destination >= 0 && destination < destinationCount else {
            throw GraphError.nodeOutOfRange(type: relation.destination, node: destination, count: destinationCount,
                                            relation: relation)
        }
        insertPending(relation, Int32(source), Int32(destination))
        insertPending(reverse(of: relation), Int32(destination), Int32(source))
    }

    private func insertPending(_ relation: Relation, _ source: Int32, _ target: Int32) {
        if stored[relation]!.contains(row: Int(source), target: target) { return }
        var list = pending[relation, default: [:]][source, default: []]
        var lo = 0, hi = list.count
        while lo < hi { let mid = (lo + hi) >> 1; if list[mid] < target { lo = mid + 1 } else { hi = mid } }
        if lo < list.count && list[lo] == target { return }
        list.insert(target, at: lo)
        pending[relation, default: [:]][source] = list
    }
}
