@testable import WeftGraph

/// A small random heterogeneous graph and its raw edge lists, so tests can
/// compare what the CSR answers with what the edge lists say.
struct RandomGraph {
    let graph: HeteroGraph
    let edgeSets: [EdgeSet]
    let counts: [NodeType: Int]

    static let friend = Relation(.user, "friend", .user)

    init(users: Int = 30, products: Int = 40, categories: Int = 5, brands: Int = 4, interactions: Int = 200,
         friendships: Int = 25, seed: UInt64 = 7) throws {
        var rng = SeededGenerator(seed: seed)
        func ids(_ n: Int, below m: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.nextInt(below: m)) } }
        counts = [.user: users, .product: products, .category: categories, .brand: brands]
        let productsWithCategory = (0..<products).map { Int32($0) }
        let productsWithBrand = (0..<products).filter { $0 % 3 != 0 }.map { Int32($0) }
        edgeSets = [
            EdgeSet(.interacted, sources: ids(interactions, below: users), destinations: ids(interactions, below: products)),
            EdgeSet(.inCategory, sources: productsWithCategory, destinations: ids(products, below: categories)),
            EdgeSet(.byBrand, sources: productsWithBrand, destinations: ids(productsWithBrand.count, below: brands)),
            EdgeSet(RandomGraph.friend, sources: ids(friendships, below: users), destinations: ids(friendships, below: users),
                    symmetric: true),
        ]
        graph = try HeteroGraph(nodeCounts: counts, edges: edgeSets)
    }

    /// The distinct directed edges of `relation` as the edge lists define them.
    func expectedEdges(_ relation: Relation) -> Set<[Int32]> {
        var out = Set<[Int32]>()
        for set in edgeSets {
            for (s, d) in zip(set.sources, set.destinations) {
                if set.relation == relation { out.insert([s, d]) }
                if set.symmetric && set.relation == relation { out.insert([d, s]) }
                if !set.symmetric && set.relation.reversed == relation { out.insert([d, s]) }
            }
        }
        return out
    }
}
