import Testing
@testable import WeftGraph

struct HeteroGraphTests {
    @Test func csrAgreesWithTheEdgeListsInEveryRelationAndItsReverse() throws {
        let g = try RandomGraph()
        #expect(g.graph.relations.count == 7)  // three relations, their reverses, one symmetric
        for r in g.graph.relations {
            let expected = g.expectedEdges(r)
            var fromCSR = Set<[Int32]>()
            let a = try g.graph.adjacency(r)
            for s in 0..<a.rowCount {
                let row = Array(a.neighbors(of: s))
                #expect(row == row.sorted() && Set(row).count == row.count, "row \(s) of \(r) not sorted and distinct")
                for t in row { fromCSR.insert([Int32(s), t]) }
            }
            #expect(fromCSR == expected, "\(r)")
            #expect(g.graph.edgeCount(r) == expected.count)
            for edge in expected.prefix(20) {
                #expect(g.graph.hasEdge(from: Int(edge[0]), to: Int(edge[1]), in: r))
            }
        }
        #expect(g.graph.reverse(of: RandomGraph.friend) == RandomGraph.friend)
        #expect(g.graph.reverse(of: .interacted) == Relation(.product, "rev_interacted", .user))
        #expect(Relation.interacted.reversed.reversed == .interacted)
    }

    @Test func degreeStatisticsOfAHandMadeGraph() throws {
        // user 0 → products 0, 1, 2; user 1 → product 0 (twice: kept once); user 2 → nothing.
        let g = try HeteroGraph(nodeCounts: [.user: 3, .product: 3],
                                edges: [EdgeSet(.interacted, sources: [0, 0, 0, 1, 1], destinations: [0, 1, 2, 0, 0])])
        let s = g.degreeStatistics(.interacted)
        #expect(s == DegreeStatistics(degrees: [3, 1, 0]))
        #expect(s.edges == 4 && s.minimum == 0 && s.maximum == 3 && s.median == 1 && s.isolated == 1)
        #expect(abs(s.mean - 4.0 / 3) < 1e-12)
        let r = g.degreeStatistics(Relation.interacted.reversed)
        #expect(r.edges == 4 && r.maximum == 2 && r.median == 1 && r.isolated == 0)
        #expect(g.degreeStatistics(of: .product).edges == 4)
    }

    @Test func badInputIsATypedError() {
        #expect(throws: GraphError.nodeOutOfRange(type: .product, node: 5, count: 2, relation: .interacted)) {
            _ = try HeteroGraph(nodeCounts: [.user: 1, .product: 2],
                                edges: [EdgeSet(.interacted, sources: [0], destinations: [5])])
        }
        #expect(throws: GraphError.unknownNodeType(.brand)) {
            _ = try HeteroGraph(nodeCounts: [.product: 2], edges: [EdgeSet(.byBrand, sources: [0], destinations: [0])])
        }
        #expect(throws: GraphError.mismatchedEdgeList(relation: .interacted, sources: 2, destinations: 1)) {
            _ = try HeteroGraph(nodeCounts: [.user: 1, .product: 2],
                                edges: [EdgeSet(.interacted, sources: [0, 0], destinations: [1])])
        }
        let message = GraphError.nodeOutOfRange(type: .product, node: 5, count: 2, relation: .interacted).description
        #expect(message.contains("product node 5") && message.contains("interacted"))
    }

    /// Adding nodes and edges through the delta lists must give the same
    /// graph as building it from scratch with those edges.
    @Test func insertedNodesMatchARebuiltGraph() throws {
        let g = try RandomGraph()
        let graph = g.graph
        let newProduct = try graph.addNode(.product, edges: [(.inCategory, 2), (.byBrand, 1), (.interacted, 4)])
        #expect(newProduct == 40)
        let newUser = try graph.addNode(.user, edges: [(.interacted, 0), (.interacted, newProduct), (RandomGraph.friend, 3)])
        try graph.addEdge(from: 5, to: 7, in: .interacted)
        #expect(graph.pendingEdgeCount > 0)

        // Reads see the new edges before any merge.
        #expect(graph.neighbors(of: newProduct, in: .inCategory) == [2])
        #expect(graph.neighbors(of: newProduct, in: Relation.interacted.reversed) == [4, Int32(newUser)])
        #expect(graph.neighbors(of: 3, in: RandomGraph.friend).contains(Int32(newUser)))
        #expect(graph.neighbors(of: 2, in: Relation.inCategory.reversed).contains(Int32(newProduct)))
        #expect(graph.hasEdge(from: 5, to: 7, in: .interacted) && graph.hasEdge(from: 7, to: 5, in: Relation.interacted.reversed))

        var sets = g.edgeSets
        sets[0].sources += [4, Int32(newUser), Int32(newUser), 5]
        sets[0].destinations += [Int32(newProduct), 0, Int32(newProduct), 7]
        sets[1].sources.append(Int32(newProduct)); sets[1].destinations.append(2)
        sets[2].sources.append(Int32(newProduct)); sets[2].destinations.append(1)
        sets[3].sources.append(Int32(newUser)); sets[3].destinations.append(3)
        let rebuilt = try HeteroGraph(nodeCounts: [.user: 31, .product: 41, .category: 5, .brand: 4], edges: sets)
        for r in rebuilt.relations {
            for n in 0..<rebuilt.nodeCount(r.source) {
                #expect(graph.neighbors(of: n, in: r) == rebuilt.neighbors(of: n, in: r), "\(r) node \(n)")
            }
        }
        graph.compact()
        #expect(graph.pendingEdgeCount == 0)
        for r in rebuilt.relations { #expect(try graph.adjacency(r) == rebuilt.adjacency(r), "\(r)") }
    }

    @Test func addingANodeWithABadEdgeChangesNothing() throws {
        let g = try RandomGraph()
        #expect(throws: GraphError.self) { try g.graph.addNode(.product, edges: [(.inCategory, 99)]) }
        #expect(g.graph.nodeCount(.product) == 40)
        #expect(g.graph.pendingEdgeCount == 0)
    }

    @Test func fullSubgraphCarriesEveryIncomingEdge() throws {
        let g = try RandomGraph()
        let sub = g.graph.fullSubgraph()
        for r in g.graph.relations {
            let e = try #require(sub.edges[r])
            #expect(e.destinationCount == g.graph.nodeCount(r.destination))
            var got = Set<[Int32]>()
            for k in 0..<e.edgeCount { got.insert([e.sources[k], e.destinations[k]]) }
            #expect(got == g.expectedEdges(r), "\(r)")
        }
    }
}
