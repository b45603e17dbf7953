/// Message edges of one relation in a subgraph, grouped by destination
/// (CSR over destinations), in local node ids: the layout the segment
/// kernels (`segmentSoftmax`, `segmentReduce`) take directly.
public struct MessageEdges: Sendable, Equatable {
    /// (destinations + 1) segment bounds into `sources`.
    public let offsets: [Int32]
    /// (E) local id of each edge's source node, grouped by destination.
    public let sources: [Int32]
    /// (E) local id of each edge's destination node (the segment it is in).
    public let destinations: [Int32]
    /// (E) √(d_i / d_j) for edge j → i, with d_i the in-degree of i and d_j
    /// the out-degree of j in the relation over the whole graph. Times a
    /// mean over i's neighbours (1/d_i) this gives LightGCN's symmetric
    /// weight 1/√(d_i d_j); over a uniform sample of i's neighbours it is an
    /// unbiased estimate of it.
    public let degreeWeights: [Float]

    public var edgeCount: Int { sources.count }
    public var destinationCount: Int { offsets.count - 1 }

    /// From CSR over destinations (degree weights all 1 when not given).
    public init(offsets: [Int32], sources: [Int32], degreeWeights: [Float]? = nil) {
        self.offsets = offsets
        self.sources = sources
        var d = [Int32](repeating: 0, count: sources.count)
        for s in 0..<(offsets.count - 1) {
            for e in Int(offsets[s])..<Int(offsets[s + 1]) { d[e] = Int32(s) }
        }
        destinations = d
        self.degreeWeights = degreeWeights ?? [Float](repeating: 1, count: sources.count)
    }

    /// From an edge list (counting sort by destination; edge order within a
    /// destination is kept).
    public init(destinationCount: Int, sources: [Int32], destinations: [Int32], degreeWeights: [Float]? = nil) {
        var offsets = [Int32](repeating: 0, count: destinationCount + 1)
        for d in destinations { offsets[Int(d) + 1] += 1 }
        for i in 0..<destinationCount { offsets[i + 1] += offsets[i] }
        var cursor = offsets
        var sortedSources = [Int32](repeating: 0, count: sources.count)
        var sortedWeights = [Float](repeating: 1, count: sources.count)
        for e in 0..<sources.count {
            let d = Int(destinations[e])
            sortedSources[Int(cursor[d])] = sources[e]
            if let degreeWeights { sortedWeights[Int(cursor[d])] = degreeWeights[e] }
            cursor[d] += 1
        }
        self.init(offsets: offsets, sources: sortedSources, degreeWeights: sortedWeights)
    }
}

/// The part of a `HeteroGraph` a GNN runs on: per type, the nodes taken
/// (local id → global id, seeds first), and per relation the message edges
/// between them. A sampled mini-batch and the whole graph share this form.
public struct Subgraph: Sendable {
    /// Per type, global ids of the nodes in the subgraph; a node's local id
    /// is its position. The seeds of each type come first.
    public var nodes: [NodeType: [Int32]]
    /// Per type, how many of `nodes` are seeds.
    public var seedCounts: [NodeType: Int]
    /// Per relation r, messages from r.source nodes into r.destination nodes.
    public var edges: [Relation: MessageEdges]
    /// Per type, entry k: how many nodes are at most k hops from a seed.
    /// Nodes are numbered by hop, so these are prefixes of `nodes`, and the
    /// edges into them are prefixes of each relation's edges: a GNN layer
    /// that only needs nodes within k hops runs on those prefixes alone.
    /// Empty for a type means every node is a seed (the whole graph).
    public var depthCounts: [NodeType: [Int]]

    public init(nodes: [NodeType: [Int32]], seedCounts: [NodeType: Int], edges: [Relation: MessageEdges],
                depthCounts: [NodeType: [Int]] = [:]) {
        self.nodes = nodes
        self.seedCounts = seedCounts
        self.edges = edges
        self.depthCounts = depthCounts
    }

    /// Number of `type` nodes within `hops` hops of a seed.
    public func count(_ type: NodeType, withinHops hops: Int) -> Int {
        guard let counts = depthCounts[type], !counts.isEmpty else { return count(type) }
        return counts[Swift.min(Swift.max(hops, 0), counts.count - 1)]
    }

    public func count(_ type: NodeType) -> Int { nodes[type]?.count ?? 0 }

    public var nodeTypes: [NodeType] { nodes.keys.sorted() }

    public var edgeCount: Int { edges.values.reduce(0) { $0 + $1.edgeCount } }

    /// Relations with at least one edge, into `type`, sorted.
    public func relations(into type: NodeType) -> [Relation] {
        edges.keys.filter { $0.destination == type && edges[$0]!.edgeCount > 0 }.sorted()
    }
}

extension HeteroGraph {
    /// The whole graph as one subgraph: every node (local id = global id) and
    /// every edge of every relation, for full-graph inference.
    public func fullSubgraph() -> Subgraph {
        compact()
        var nodes: [NodeType: [Int32]] = [:]
        for (t, n) in nodeCounts { nodes[t] = (0..<Int32(n)).map { $0 } }
        var edges: [Relation: MessageEdges] = [:]
        for r in relations {
            // In-edges of r at node i are the out-edges of r's reverse at i.
            let incoming = storedAdjacency(reverse(of: r))!
            var offsets = incoming.offsets
            let rows = nodeCount(r.destination)
            if offsets.count < rows + 1 {
                offsets += [Int32](repeating: offsets.last!, count: rows + 1 - offsets.count)
            }
            let outgoing = storedAdjacency(r)!
            var weights = [Float](repeating: 1, count: incoming.targets.count)
            for i in 0..<incoming.rowCount {
                let di = Float(incoming.degree(of: i))
                for e in Int(incoming.offsets[i])..<Int(incoming.offsets[i + 1]) {
                    weights[e] = (di / Float(Swift.max(outgoing.degree(of: Int(incoming.targets[e])), 1))).squareRoot()
                }
            }
            edges[r] = MessageEdges(offsets: offsets, sources: incoming.targets, degreeWeights: weights)
        }
        return Subgraph(nodes: nodes, seedCounts: nodeCounts, edges: edges)
    }
}
