/// Layer-wise neighbour sampling with a fan-out per relation and hop, as
/// PyG's `NeighborLoader` on `HeteroData`.
///
/// Hop 0 starts from the seeds; at hop h every node first reached at hop
/// h − 1 (the seeds for h = 0) draws, for each relation r into its type, up
/// to `fanouts[h][r]` of its r-in-neighbours uniformly without replacement
/// (−1: all of them; a relation not listed: none). Newly reached nodes form
/// the next frontier. The result holds every node reached and every edge
/// drawn, so an L-layer GNN on it computes the seeds' outputs from their
/// sampled L-hop neighbourhoods.
///
/// Keeps per-type scratch maps between calls (no per-edge allocation), so
/// use one sampler per thread.
public final class NeighborSampler {
    public let graph: HeteroGraph
    /// Fan-out per relation, one dictionary per hop.
    public let fanouts: [[Relation: Int]]

    private let types: [NodeType]
    private var typeIndex: [NodeType: Int] = [:]
    /// Per type: global id → local id in the current sample, −1 when absent.
    private var localOf: [[Int32]]
    private var positions: [Int32] = []

    public init(graph: HeteroGraph, fanouts: [[Relation: Int]]) {
        self.graph = graph
        self.fanouts = fanouts
        types = graph.nodeTypes
        for (i, t) in types.enumerated() { typeIndex[t] = i }
        localOf = types.map { [Int32](repeating: -1, count: graph.nodeCount($0)) }
    }

    /// The same fan-out for every relation at each hop: `[10, 5]` samples 10
    /// neighbours per relation at the first hop and 5 at the second.
    public convenience init(graph: HeteroGraph, fanout: [Int]) {
        self.init(graph: graph, fanouts: fanout.map { f in
            Dictionary(uniqueKeysWithValues: graph.relations.map { ($0, f) })
        })
    }

    /// A sampled subgraph and, per type, the local id of each seed given
    /// (seeds may repeat; each distinct seed is one node).
    public struct Sample: Sendable {
        public let subgraph: Subgraph
        public let seedLocalIds: [NodeType: [Int32]]
    }

    /// Samples around `seeds`. Edges listed in `excluding` (per relation,
    /// keys `source << 32 | destination` in global ids) are never drawn: a
    /// training step leaves out the very edges it is trying to predict, so
    /// the model cannot read the answer off the graph.
    public func sample(seeds: [NodeType: [Int32]], excluding: [Relation: Set<Int64>] = [:],
                       using rng: inout SeededGenerator) -> Sample {
        for (i, t) in types.enumerated() where localOf[i].count < graph.nodeCount(t) {
            localOf[i] += [Int32](repeating: -1, count: graph.nodeCount(t) - localOf[i].count)
        }
        var nodes = [[Int32]](repeating: [], count: types.count)
        var seedLocal: [NodeType: [Int32]] = [:]
        for (t, ids) in seeds.sorted(by: { $0.key < $1.key }) {
            guard let ti = typeIndex[t] else { continue }
            var locals = [Int32]()
            locals.reserveCapacity(ids.count)
            for g in ids {
                precondition(g >= 0 && Int(g) < localOf[ti].count, "seed \(t) \(g) outside 0..<\(localOf[ti].count)")
                var l = localOf[ti][Int(g)]
                if l < 0 {
                    l = Int32(nodes[ti].count)
                    localOf[ti][Int(g)] = l
                    nodes[ti].append(g)
                }
                locals.append(l)
            }
            seedLocal[t] = locals
        }
        let seedCounts = Dictionary(uniqueKeysWithValues: types.enumerated().map { ($1, nodes[$0].count) })

        var edgeSources: [Relation: [Int32]] = [:], edgeDestinations: [Relation: [Int32]] = [:]
        var edgeWeights: [Relation: [Float]] = [:]
        var frontier = nodes.map { 0..<$0.count }
        var depthCounts = nodes.map { [$0.count] }
        for hop in fanouts {
            let starts = nodes.map(\.count)
            for r in graph.relations {
                let f = hop[r] ?? 0
                guard f != 0, let di = typeIndex[r.destination], let si = typeIndex[r.source] else { continue }
                let reverse = graph.reverse(of: r)
                let excluded = excluding[r]
                let outgoing = graph.storedAdjacency(r), outgoingPending = graph.pendingEdges(r)
                var sources = edgeSources[r] ?? [], destinations = edgeDestinations[r] ?? []
                var weights = edgeWeights[r] ?? []
                for i in frontier[di] {
                    let g = Int(nodes[di][i])
                    graph.withNeighbors(of: g, in: reverse) { base, extra in
                        let degree = base.count + extra.count
                        let k = f < 0 ? degree : Swift.min(f, degree)
                        if k == 0 { return }
                        choosePositions(k, of: degree, using: &rng)
                        for p in positions.prefix(k) {
                            let j = Int(p) < base.count ? base[base.startIndex + Int(p)] : extra[Int(p) - base.count]
                            if let excluded, excluded.contains(Int64(j) << 32 | Int64(g)) { continue }
                            var l = localOf[si][Int(j)]
                            if l < 0 {
                                l = Int32(nodes[si].count)
                                localOf[si][Int(j)] = l
                                nodes[si].append(j)
                            }
                            sources.append(l)
                            destinations.append(Int32(i))
                            let dj = (outgoing?.degree(of: Int(j)) ?? 0) + (outgoingPending?[j]?.count ?? 0)
                            weights.append((Float(degree) / Float(Swift.max(dj, 1))).squareRoot())
                        }
                    }
                }
                edgeSources[r] = sources
                edgeDestinations[r] = destinations
                edgeWeights[r] = weights
            }
            frontier = nodes.enumerated().map { starts[$0]..<$1.count }
            for (ti, list) in nodes.enumerated() { depthCounts[ti].append(list.count) }
        }

        for (ti, list) in nodes.enumerated() { for g in list { localOf[ti][Int(g)] = -1 } }
        var edges: [Relation: MessageEdges] = [:]
        for (r, sources) in edgeSources {
            edges[r] = MessageEdges(destinationCount: nodes[typeIndex[r.destination]!].count, sources: sources,
                                    destinations: edgeDestinations[r]!, degreeWeights: edgeWeights[r]!)
        }
        var nodeMap: [NodeType: [Int32]] = [:], depthMap: [NodeType: [Int]] = [:]
        for (ti, t) in types.enumerated() {
            nodeMap[t] = nodes[ti]
            depthMap[t] = depthCounts[ti]
        }
        return Sample(subgraph: Subgraph(nodes: nodeMap, seedCounts: seedCounts, edges: edges, depthCounts: depthMap),
                      seedLocalIds: seedLocal)
    }

    /// Fills `positions[0..<k]` with k distinct values from 0..<n.
    private func choosePositions(_ k: Int, of n: Int, using rng: inout SeededGenerator) {
        if positions.count < Swift.max(k, n) {
            positions = [Int32](repeating: 0, count: Swift.max(k, n, 2 * positions.count))
        }
        if k == n {
            for i in 0..<n { positions[i] = Int32(i) }
        } else if k * 4 < n {
            // Sparse draw: rejection against the few already chosen.
            var taken = 0
            while taken < k {
                let x = Int32(rng.nextInt(below: n))
                var seen = false
                for t in 0..<taken where positions[t] == x { seen = true; break }
                if !seen { positions[taken] = x; taken += 1 }
            }
        } else {
            // Dense draw: partial Fisher–Yates.
            for i in 0..<n { positions[i] = Int32(i) }
            for i in 0..<k {
                let j = i + rng.nextInt(below: n - i)
                positions.swapAt(i, j)
            }
        }
    }
}
