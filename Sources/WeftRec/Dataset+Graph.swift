extension Dataset {
    /// The heterogeneous graph of DATA_FORMAT.md: node types user, product,
    /// category, brand; relations (user, interacted, product) from
    /// `interactions` (pass only the training split's, so evaluation edges
    /// stay hidden), (product, in_category, category), (product, by_brand,
    /// brand), one relation per product-link and user-link name, and the
    /// reverse of each. A link relation whose every edge also appears
    /// reversed (a friendship) is stored as one symmetric relation.
    /// Product links touching a product of `unlinked` are left out (the cold
    /// protocol's held-out products: links such as also_bought come from
    /// purchases a new product does not have yet).
    public func graph(interactions pairs: UserProductPairs, unlinked: Set<Int32> = []) throws -> HeteroGraph {
        var edges: [EdgeSet] = [EdgeSet(.interacted, sources: pairs.users, destinations: pairs.products)]
        var categorySources: [Int32] = [], categoryTargets: [Int32] = []
        var brandSources: [Int32] = [], brandTargets: [Int32] = []
        for (p, product) in products.enumerated() {
            for c in product.categories { categorySources.append(Int32(p)); categoryTargets.append(c) }
            if let b = product.brand { brandSources.append(Int32(p)); brandTargets.append(b) }
        }
        edges.append(EdgeSet(.inCategory, sources: categorySources, destinations: categoryTargets))
        edges.append(EdgeSet(.byBrand, sources: brandSources, destinations: brandTargets))
        for (links, type) in [(productLinks, NodeType.product), (userLinks, NodeType.user)] {
            for name in Set(links.map(\.relation)).sorted() {
                let chosen = links.filter {
                    $0.relation == name && $0.source != $0.target
                        && (type != .product || (!unlinked.contains($0.source) && !unlinked.contains($0.target)))
                }
                let pairsSet = Set(chosen.map { [$0.source, $0.target] })
                let symmetric = pairsSet.allSatisfy { pairsSet.contains([$0[1], $0[0]]) }
                edges.append(EdgeSet(Relation(type, name, type), sources: chosen.map(\.source),
                                     destinations: chosen.map(\.target), symmetric: symmetric))
            }
        }
        return try HeteroGraph(nodeCounts: [.user: userCount, .product: productCount,
                                            .category: categories.count, .brand: brands.count],
                               edges: edges)
    }
}
