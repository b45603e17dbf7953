/// The collaborative pathway of `WeftGNN`: LightGCN's parameter-free
/// propagation of the user and product ID embeddings over the user–product
/// interaction graph. With A (U, P), A[u, p] = 1/√(d_u d_p) for every
/// interaction (degrees over the whole graph), ego rows u⁰ (U, D), p⁰ (P, D):
///
///   u^{k+1} = A p^k,   p^{k+1} = Aᵀ u^k          k = 0 … K−1
///   ū = (1/(K+1)) Σ_k u^k,   p̄ = (1/(K+1)) Σ_k p^k
///
/// which is LightGCN's E^{k+1} = Â E^k on the bipartite Â written per side.
/// The attention layers sample neighbours and leave each batch's own edges
/// out; this pathway always reads the whole graph, as LightGCN does, so the
/// full model's ID signal is at least LightGCN's and the text and attention
/// pathway adds to it rather than having to rediscover it.
public final class IDPropagation: @unchecked Sendable {
    /// A (U, P).
    public let userProduct: SparseMatrix

    public var userCount: Int { userProduct.rowCount }
    public var productCount: Int { userProduct.columnCount }

    /// A from each user's products (`interactions` rows are users, targets products).
    public init(interactions: Adjacency, productCount: Int) {
        let users = interactions.rowCount
        var productDegree = [Int32](repeating: 0, count: productCount)
        for t in interactions.targets where Int(t) < productCount { productDegree[Int(t)] += 1 }
        var offsets = [Int32](repeating: 0, count: users + 1)
        var columns: [Int32] = [], values: [Float] = []
        columns.reserveCapacity(interactions.targets.count)
        values.reserveCapacity(interactions.targets.count)
        for u in 0..<users {
            let du = Float(interactions.degree(of: u))
            for p in interactions.neighbors(of: u) where Int(p) < productCount {
                columns.append(p)
                values.append(1 / (du * Float(productDegree[Int(p)])).squareRoot())
            }
            offsets[u + 1] = Int32(columns.count)
        }
        userProduct = SparseMatrix(rowCount: users, columnCount: productCount, offsets: offsets, columns: columns,
                                   values: values)
    }

    /// A from a graph's `interacted` relation (none: an empty A).
    public convenience init(graph: HeteroGraph) throws {
        let users = graph.nodeCount(.user), products = graph.nodeCount(.product)
        let adjacency = graph.contains(.interacted)
            ? try graph.adjacency(.interacted)
            : Adjacency(rowCount: users, sources: [], targets: [])
        self.init(interactions: adjacency, productCount: products)
    }

    /// (ū (U, D), p̄ (P, D)) from ego rows `users` (U, D) and `products` (P, D).
    public func callAsFunction(users: Variable, products: Variable, layers: Int,
                               tape: Tape) -> (users: Variable, products: Variable) {
        precondition(users.value.rowCount == userCount && products.value.rowCount == productCount,
                     "IDPropagation: \(users.value.shape) and \(products.value.shape) for A \(userCount)×\(productCount)")
        let transposed = userProduct.transposed
        var u = users, p = products
        var userSum = users, productSum = products
        for _ in 0..<layers {
            let nextUsers = tape.sparseMatmul(userProduct, p)     // (U, D)
            let nextProducts = tape.sparseMatmul(transposed, u)   // (P, D)
            u = nextUsers
            p = nextProducts
            userSum = tape.add(userSum, u)
            productSum = tape.add(productSum, p)
        }
        let scale = 1 / Float(layers + 1)
        return (tape.scale(userSum, scale), tape.scale(productSum, scale))
    }
}
