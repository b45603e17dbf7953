/// The collaborative pathway of `WeftGNN`: LightGCN's parameter-free
/// propagation of the user and product ID embeddings over the user–product
/// interaction graph. With A (U, P), A[u, p] = 1/√(d_u d_p) for every
/// interaction (degrees over the whole graph), ego rows u⁰ (U, D), p⁰ (P, D):
///
///   u^{k+1} = A p^k,   p^{k+1} = Aᵀ u^k          k = 0 … K−1
///   ū = (1/(K+1)) Σ_k u^k,   p̄ = (1/(K+1)) Σ_k p^k
///
/// which is LightGCN's E^{k+1} = Â E^k on the bipartite Â written per side.
///
/// With user–user links (friendships, trust; symmetrised), the graph is the
/// union of the bipartite graph and the social graph, still propagated
/// without parameters: with S (U, U), S[u, v] = 1/√(d_u d_v) for every link
/// and d_u counting a user's products and links,
///
///   u^{k+1} = A p^k + S u^k,   p^{k+1} = Aᵀ u^k
///
/// LightGCN on the joint user–product–user graph (as SocialLGN's baseline
/// "LightGCN-S"): a friend's taste reaches a user in one hop.
/// The attention layers sample neighbours and leave each batch's own edges
/// out; this pathway always reads the whole graph, as LightGCN does, so the
/// full model's ID signal is at least LightGCN's and the text and attention
/// pathway adds to it rather than having to rediscover it.
public final class IDPropagation: @unchecked Sendable {
    /// A (U, P).
    public let userProduct: SparseMatrix
    /// S (U, U), or nil without user–user links.
    public let userUser: SparseMatrix?

    public var userCount: Int { userProduct.rowCount }
    public var productCount: Int { userProduct.columnCount }

    /// A from each user's products (`interactions` rows are users, targets
    /// products) and, when given, S from `userLinks` (rows and targets users;
    /// self-links dropped, each link taken in both directions once).
    public init(interactions: Adjacency, productCount: Int, userLinks: Adjacency? = nil) {
        let users = interactions.rowCount
        var productDegree = [Int32](repeating: 0, count: productCount)
        for t in interactions.targets where Int(t) < productCount { productDegree[Int(t)] += 1 }
        // Symmetrised, de-duplicated links, one sorted row per user.
        var links = [[Int32]](repeating: [], count: users)
        if let userLinks {
            var pairs = Set<Int64>()
            for u in 0..<Swift.min(users, userLinks.rowCount) {
                for v in userLinks.neighbors(of: u) where Int(v) < users && Int(v) != u {
                    for (a, b) in [(Int32(u), v), (v, Int32(u))] where pairs.insert(Int64(a) << 32 | Int64(b)).inserted {
                        links[Int(a)].append(b)
                    }
                }
            }
            for u in 0..<users { links[u].sort() }
        }
        let userDegree = (0..<users).map { u in
            Float(interactions.neighbors(of: u).reduce(links[u].count) { Int($1) < productCount ? $0 + 1 : $0 })
        }
        var offsets = [Int32](repeating: 0, count: users + 1)
        var columns: [Int32] = [], values: [Float] = []
        columns.reserveCapacity(interactions.targets.count)
        values.reserveCapacity(interactions.targets.count)
        for u in 0..<users {
            for p in interactions.neighbors(of: u) where Int(p) < productCount {
                columns.append(p)
                values.append(1 / (userDegree[u] * Float(productDegree[Int(p)])).squareRoot())
            }
            offsets[u + 1] = Int32(columns.count)
        }
        userProduct = SparseMatrix(rowCount: users, columnCount: productCount, offsets: offsets, columns: columns,
                                   values: values)
        guard userLinks != nil else {
            userUser = nil
            return
        }
        var linkOffsets = [Int32](repeating: 0, count: users + 1)
        var linkColumns: [Int32] = [], linkValues: [Float] = []
        for u in 0..<users {
            for v in links[u] {
                linkColumns.append(v)
                linkValues.append(1 / (userDegree[u] * userDegree[Int(v)]).squareRoot())
            }
            linkOffsets[u + 1] = Int32(linkColumns.count)
        }
        userUser = SparseMatrix(rowCount: users, columnCount: users, offsets: linkOffsets, columns: linkColumns,
                                values: linkValues)
    }

    /// A from a graph's `interacted` relation (none: an empty A); with
    /// `social`, S from every user–user relation of the graph together.
    public convenience init(graph: HeteroGraph, social: Bool = false) throws {
        let users = graph.nodeCount(.user), products = graph.nodeCount(.product)
        let adjacency = graph.contains(.interacted)
            ? try graph.adjacency(.interacted)
            : Adjacency(rowCount: users, sources: [], targets: [])
        var links: Adjacency?
        let userRelations = graph.relations.filter { $0.source == .user && $0.destination == .user }
        if social && !userRelations.isEmpty {
            var sources: [Int32] = [], targets: [Int32] = []
            for relation in userRelations {
                let a = try graph.adjacency(relation)
                for u in 0..<a.rowCount {
                    for v in a.neighbors(of: u) {
                        sources.append(Int32(u))
                        targets.append(v)
                    }
                }
            }
            links = Adjacency(rowCount: users, sources: sources, targets: targets)
        }
        self.init(interactions: adjacency, productCount: products, userLinks: links)
    }

    /// (ū (U, D), p̄ (P, D)) from ego rows `users` (U, D) and `products` (P, D).
    public func callAsFunction(users: Variable, products: Variable, layers: Int,
                               tape: Tape) -> (users: Variable, products: Variable) {
        propagate(users: users, products: products, layers: layers, tape: tape) { x in x }
    }

    /// A noisy view of the same propagation, for SimGCL's contrastive
    /// regulariser (Yu et al., SIGIR 2022): after every layer k ≥ 1, each
    /// row x of u^k and p^k becomes
    ///
    ///   x + ε sign(x) ⊙ δ / ‖δ‖,   δ ~ U(0, 1)^D drawn per row,
    ///
    /// so the noise has length ε and stays in x's orthant; the perturbed
    /// layer feeds the next one, and the mean over k = 0 … K is taken as in
    /// the clean pathway. The noise is a constant of the step: gradients flow
    /// through the propagation as in the clean view, not through sign(x).
    public func perturbed(users: Variable, products: Variable, layers: Int, epsilon: Float, tape: Tape,
                          using rng: inout SeededGenerator) -> (users: Variable, products: Variable) {
        propagate(users: users, products: products, layers: layers, tape: tape) { x in
            let rows = x.value.rowCount, width = x.value.lastDimension
            let noise = Tensor(uninitialized: x.value.shape)
            for r in 0..<rows {
                let out = noise.data + r * width, source = x.value.data + r * width
                var norm: Float = 0
                for c in 0..<width {
                    let draw = rng.nextUniform()
                    out[c] = draw
                    norm += draw * draw
                }
                let scale = epsilon / Swift.max(norm.squareRoot(), 1e-12)
                for c in 0..<width {
                    let sign: Float = source[c] > 0 ? 1 : (source[c] < 0 ? -1 : 0)
                    out[c] *= scale * sign
                }
            }
            return tape.add(x, Variable(noise))
        }
    }

    private func propagate(users: Variable, products: Variable, layers: Int, tape: Tape,
                           after: (Variable) -> Variable) -> (users: Variable, products: Variable) {
        precondition(users.value.rowCount == userCount && products.value.rowCount == productCount,
                     "IDPropagation: \(users.value.shape) and \(products.value.shape) for A \(userCount)×\(productCount)")
        let transposed = userProduct.transposed
        var u = users, p = products
        var userSum = users, productSum = products
        for _ in 0..<layers {
            var nextUsers = tape.sparseMatmul(userProduct, p)     // (U, D)
            if let userUser { nextUsers = tape.add(nextUsers, tape.sparseMatmul(userUser, u)) }
            let nextProducts = tape.sparseMatmul(transposed, u)   // (P, D)
            u = after(nextUsers)
            p = after(nextProducts)
            userSum = tape.add(userSum, u)
            productSum = tape.add(productSum, p)
        }
        let scale = 1 / Float(layers + 1)
        return (tape.scale(userSum, scale), tape.scale(productSum, scale))
    }
}
