import Testing
@testable import WeftGraph

struct NeighborSamplerTests {
    /// With every fan-out at −1, two hops must reach exactly the 2-hop
    /// neighbourhood a breadth-first search over the raw edge lists finds.
    @Test func fullFanOutEqualsBreadthFirstSearchOverTheEdgeLists() throws {
        let g = try RandomGraph()
        let sampler = NeighborSampler(graph: g.graph, fanout: [-1, -1])
        var rng = SeededGenerator(seed: 1)
        let seeds: [NodeType: [Int32]] = [.user: [3, 9, 3], .product: [11]]
        let sample = sampler.sample(seeds: seeds, using: &rng)

        var reached: Set<[String]> = [["user", "3"], ["user", "9"], ["product", "11"]]
        var frontier = reached
        let relations = g.graph.relations
        for _ in 0..<2 {
            var next = Set<[String]>()
            for r in relations {
                for edge in g.expectedEdges(r) where frontier.contains([r.destination.name, String(edge[1])]) {
                    let node = [r.source.name, String(edge[0])]
                    if !reached.contains(node) { next.insert(node) }
                }
            }
            reached.formUnion(next)
            frontier = next
        }
        var got = Set<[String]>()
        for (t, ids) in sample.subgraph.nodes { for id in ids { got.insert([t.name, String(id)]) } }
        #expect(got == reached)
        #expect(sample.seedLocalIds[.user] == [0, 1, 0])
        #expect(sample.subgraph.seedCounts[.user] == 2 && sample.subgraph.nodes[.user]!.prefix(2) == [3, 9])
        #expect(sample.subgraph.nodes[.product]!.first == 11)
    }

    @Test func sampledEdgesExistRespectFanOutsAndAreReproducible() throws {
        let g = try RandomGraph(users: 60, products: 80, interactions: 900, friendships: 150)
        let fanouts: [[Relation: Int]] = [
            [.interacted: 3, Relation.interacted.reversed: 4, RandomGraph.friend: 2, Relation.inCategory.reversed: 2],
            [.interacted: 2, Relation.interacted.reversed: 2, .inCategory: 1],
        ]
        let sampler = NeighborSampler(graph: g.graph, fanouts: fanouts)
        var rng = SeededGenerator(seed: 5)
        let seeds: [NodeType: [Int32]] = [.user: [0, 1, 2, 3], .product: [5, 6]]
        let a = sampler.sample(seeds: seeds, using: &rng)
        var rng2 = SeededGenerator(seed: 5)
        let b = sampler.sample(seeds: seeds, using: &rng2)
        #expect(a.subgraph.nodes == b.subgraph.nodes)
        #expect(a.subgraph.edges == b.subgraph.edges)

        let sub = a.subgraph
        for (r, e) in sub.edges {
            let expected = g.expectedEdges(r)
            let maxFanout = fanouts.compactMap { $0[r] }.max() ?? 0
            for d in 0..<e.destinationCount {
                let lo = Int(e.offsets[d]), hi = Int(e.offsets[d + 1])
                #expect(hi - lo <= maxFanout, "\(r): \(hi - lo) edges into one node")
                let sources = e.sources[lo..<hi].map { sub.nodes[r.source]![Int($0)] }
                #expect(Set(sources).count == sources.count, "\(r): a neighbour drawn twice")
                let dst = sub.nodes[r.destination]![d]
                for s in sources { #expect(expected.contains([s, dst]), "\(r): sampled edge \(s) → \(dst) is not in the graph") }
            }
        }
        #expect(sub.edges[.byBrand] == nil)  // no fan-out given for it
        // Categories enter only at the second hop through in_category, so they send nothing.
        #expect(sub.edges[Relation.inCategory.reversed]!.edgeCount > 0)
    }

    @Test func excludedEdgesAreNeverDrawnAndNodesAreNumberedByHop() throws {
        let g = try RandomGraph(users: 40, products: 50, interactions: 600, friendships: 60)
        let sampler = NeighborSampler(graph: g.graph, fanout: [-1, 4])
        let users: [Int32] = [0, 1, 2]
        var forward = Set<Int64>(), backward = Set<Int64>()
        for u in users {
            for p in g.graph.neighbors(of: Int(u), in: .interacted) {
                forward.insert(Int64(u) << 32 | Int64(p))
                backward.insert(Int64(p) << 32 | Int64(u))
            }
        }
        var rng = SeededGenerator(seed: 4)
        let sample = sampler.sample(seeds: [.user: users], excluding: [.interacted: forward, Relation.interacted.reversed: backward],
                                    using: &rng)
        let sub = sample.subgraph
        for (r, set) in [(Relation.interacted, forward), (Relation.interacted.reversed, backward)] {
            let e = sub.edges[r]!
            for k in 0..<e.edgeCount {
                let s = sub.nodes[r.source]![Int(e.sources[k])], d = sub.nodes[r.destination]![Int(e.destinations[k])]
                #expect(!set.contains(Int64(s) << 32 | Int64(d)), "\(r): excluded edge \(s) → \(d) was drawn")
            }
        }
        // The seeds' products are reachable only through excluded edges at hop 1 (fan-out −1 would take them all).
        #expect(sub.edges[Relation.interacted.reversed]!.offsets[3] == 0)
        // Depth prefixes: edges into nodes within k hops come from nodes within k + 1 hops.
        for (r, e) in sub.edges {
            for k in 0..<2 {
                let nd = sub.count(r.destination, withinHops: k), ns = sub.count(r.source, withinHops: k + 1)
                for i in 0..<Int(e.offsets[nd]) { #expect(Int(e.sources[i]) < ns, "\(r) hop \(k)") }
            }
        }
        #expect(sub.count(.user, withinHops: 0) == 3)
        #expect(sub.count(.user, withinHops: 5) == sub.count(.user))
    }

    @Test func samplingSeesNodesAddedAfterTheGraphWasBuilt() throws {
        let g = try RandomGraph()
        let sampler = NeighborSampler(graph: g.graph, fanout: [-1])
        let p = try g.graph.addNode(.product, edges: [(.inCategory, 1), (.byBrand, 2)])
        var rng = SeededGenerator(seed: 2)
        let sample = sampler.sample(seeds: [.product: [Int32(p)]], using: &rng)
        #expect(sample.subgraph.nodes[.category] == [1])
        #expect(sample.subgraph.nodes[.brand] == [2])
        #expect(sample.subgraph.edges[Relation.inCategory.reversed]!.sources == [0])
        #expect(g.graph.pendingEdgeCount > 0)  // sampling did not force a merge
    }
}
