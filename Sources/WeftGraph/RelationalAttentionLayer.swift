import Foundation

/// One layer of relation-aware, cross-modal message passing over a
/// heterogeneous (sub)graph, in pre-normalisation residual form. For each
/// relation r = (s, rel, d) and each edge j → i of r (i of type d, j of
/// type s), with node states h (N, D), projected text embeddings t (N, D),
/// H heads of width D/H:
///
///   x_i = LayerNorm^att_τ(i)([h_i ; t_i])                           (2D)
///   q_i = W_q^r x_i,   k_j = W_k^r x_j,   m_j = W_m^r h_j             (W_m^r starts as I)
///   α_ij = softmax over j ∈ N_r(i) of ⟨q_i, k_j⟩_head / √(D/H)      (per head)
///   z_i^r = Σ_j c_ij α_ij ⊙_head m_j
///
/// with c_ij = √(d_i / d_j) when `degreeNormalized` (degrees of i and j in
/// r over the whole graph; uniform α then gives LightGCN's 1/√(d_i d_j))
/// and c_ij = 1 otherwise.
///
/// so attention weights depend on both the graph state and the text of
/// both ends (cross-modal attention), and each relation has its own
/// transforms. Relations are then averaged per node, over the relations
/// R_i that bring node i at least one message (so a node's output never
/// depends on which relations other nodes have), and the state updated
/// with a residual:
///
///   a_i = (1/|R_i|) Σ_{r ∈ R_i} z_i^r      (a_i = 0 when R_i is empty)
///   h_i' = h_i + a_i + W_u^d GELU(LayerNorm^upd_d([h_i ; a_i]))
///
/// The residual stream itself is never normalised (normalisation sits on
/// the branches, as in pre-norm Transformers): it propagates like LightGCN
/// at initialisation (W_m = I, W_u ≈ 0) and keeps the embedding norms that
/// carry popularity, which per-layer normalisation would erase.
///
/// Nodes with no incoming edge of r get z_i^r = 0. Shapes: q, m per node
/// (N, D); per edge (E, D); scores and α (E, H).
public final class RelationalAttentionLayer: Module {
    public final class RelationTransforms: Module {
        public let query: Linear, key: Linear, message: Linear

        init(dimension d: Int, using rng: inout SeededGenerator) {
            query = Linear(inFeatures: 2 * d, outFeatures: d, bias: false, using: &rng)
            key = Linear(inFeatures: 2 * d, outFeatures: d, bias: false, using: &rng)
            // Messages start as the neighbour's state itself (W_m = I), so an
            // untrained layer already propagates like LightGCN.
            message = Linear(inFeatures: d, outFeatures: d, bias: false, using: &rng)
            message.weight.value.zero()
            for i in 0..<d { message.weight.value[i, i] = 1 }
        }

        public func namedParameters() -> [(name: String, parameter: Variable)] {
            prefixed("query", query) + prefixed("key", key) + prefixed("message", message)
        }
    }

    public final class TypeUpdate: Module {
        public let update: Linear, norm: LayerNorm

        init(dimension d: Int, using rng: inout SeededGenerator) {
            // Small weights, zero bias: the update branch starts near zero.
            update = Linear(inFeatures: 2 * d, outFeatures: d, std: 0.02, using: &rng)
            norm = LayerNorm(dimension: 2 * d)
        }

        public func namedParameters() -> [(name: String, parameter: Variable)] {
            prefixed("update", update) + prefixed("norm", norm)
        }
    }

    public let dimension: Int
    public let heads: Int
    public let degreeNormalized: Bool
    public let relations: [Relation]
    public let transforms: [Relation: RelationTransforms]
    public let updates: [NodeType: TypeUpdate]
    /// LayerNorm^att per node type, on [h ; t] before queries and keys.
    public let attentionNorms: [NodeType: LayerNorm]
    /// When set, each call stores its attention weights here (for explanations; off in training).
    public var attentionRecorder: AttentionRecorder?

    public init(dimension: Int, heads: Int, relations: [Relation], degreeNormalized: Bool = false,
                using rng: inout SeededGenerator) {
        precondition(heads > 0 && dimension % heads == 0, "\(dimension) does not split into \(heads) heads")
        self.dimension = dimension
        self.heads = heads
        self.degreeNormalized = degreeNormalized
        self.relations = relations.sorted()
        var transforms: [Relation: RelationTransforms] = [:]
        for r in self.relations { transforms[r] = RelationTransforms(dimension: dimension, using: &rng) }
        self.transforms = transforms
        var updates: [NodeType: TypeUpdate] = [:]
        for t in Set(relations.map(\.destination)).sorted() { updates[t] = TypeUpdate(dimension: dimension, using: &rng) }
        self.updates = updates
        var norms: [NodeType: LayerNorm] = [:]
        for t in Set(relations.flatMap { [$0.source, $0.destination] }) { norms[t] = LayerNorm(dimension: 2 * dimension) }
        attentionNorms = norms
    }

    /// New states of the first `destinationCounts[τ]` nodes of each type
    /// (all of them when absent): a layer only updates the nodes a later
    /// layer reads, and reads edges into those nodes only (a prefix of each
    /// relation's edges, see `Subgraph.depthCounts`). `states` and `text`
    /// hold (N_τ, D) rows for every node a message can come from.
    public func callAsFunction(_ states: [NodeType: Variable], text: [NodeType: Variable], subgraph: Subgraph,
                               destinationCounts: [NodeType: Int] = [:], tape: Tape) -> [NodeType: Variable] {
        let scale = 1 / Float(dimension / heads).squareRoot()
        func rows(_ type: NodeType) -> Int { states[type]!.value.shape[0] }
        func destinations(_ type: NodeType) -> Int { Swift.min(destinationCounts[type] ?? rows(type), rows(type)) }
        var keyInputs: [NodeType: Variable] = [:], queryInputs: [NodeType: Variable] = [:]
        func keyInput(_ type: NodeType) -> Variable {                       // (N, 2D)
            if let v = keyInputs[type] { return v }
            let joined = tape.concatenateColumns([states[type]!, tape.prefixRows(text[type]!, rows(type))])
            let v = attentionNorms[type]!(joined, tape: tape)
            keyInputs[type] = v
            return v
        }
        func queryInput(_ type: NodeType) -> Variable {                     // (N_dst, 2D)
            if let v = queryInputs[type] { return v }
            let v = tape.prefixRows(keyInput(type), destinations(type))
            queryInputs[type] = v
            return v
        }
        var incoming: [NodeType: [Variable]] = [:]
        var relationCounts: [NodeType: [Float]] = [:]
        for r in relations {
            guard let all = subgraph.edges[r], let source = states[r.source], states[r.destination] != nil,
                  let w = transforms[r] else { continue }
            let nd = destinations(r.destination)
            let e = Int(all.offsets[nd])
            guard e > 0 else { continue }
            let offsets = Array(all.offsets[0...nd])
            let sourceIds = Array(all.sources[0..<e]), destinationIds = Array(all.destinations[0..<e])
            // Transforms run only on the U nodes the edges use, when that saves work.
            let (queryRows, queryIds) = Self.compacted(destinationIds, rows: nd)
            let (sourceRows, sourceLocal) = Self.compacted(sourceIds, rows: rows(r.source))
            let q = w.query(Self.select(queryInput(r.destination), queryRows, tape), tape: tape)   // (U_dst, D)
            let k = w.key(Self.select(keyInput(r.source), sourceRows, tape), tape: tape)           // (U_src, D)
            let m = w.message(Self.select(source, sourceRows, tape), tape: tape)                   // (U_src, D)
            let qe = tape.gatherRows(q, ids: queryIds)                          // (E, D)
            let ke = tape.gatherRows(k, ids: sourceLocal)                       // (E, D)
            let me = tape.gatherRows(m, ids: sourceLocal)                       // (E, D)
            let scores = tape.scale(tape.rowDot(qe, ke, heads: heads), scale)   // (E, H)
            var alpha = tape.segmentSoftmax(scores, offsets: offsets)           // (E, H)
            attentionRecorder?.record(r, sources: sourceIds, destinations: destinationIds, alpha: alpha.value)
            if degreeNormalized {
                let c = Tensor(uninitialized: [e, heads])                       // (E, H)
                for k in 0..<e { for h in 0..<heads { c.data[k * heads + h] = all.degreeWeights[k] } }
                alpha = tape.mul(alpha, Variable(c))
            }
            let z = tape.segmentReduce(tape.scaleHeads(me, by: alpha), offsets: offsets, .sum)  // (N_dst, D)
            incoming[r.destination, default: []].append(z)
            var counts = relationCounts[r.destination] ?? [Float](repeating: 0, count: nd)
            for i in 0..<nd where offsets[i + 1] > offsets[i] { counts[i] += 1 }
            relationCounts[r.destination] = counts
        }
        var out: [NodeType: Variable] = [:]
        for (type, all) in states {
            let h = tape.prefixRows(all, destinations(type))                                        // (N_dst, D)
            guard let update = updates[type], let zs = incoming[type] else {
                out[type] = h
                continue
            }
            var total = zs[0]
            for z in zs.dropFirst() { total = tape.add(total, z) }
            let inverse = relationCounts[type]!.map { 1 / Swift.max($0, 1) }
            let mean = tape.scaleRows(total, by: Variable(Tensor(inverse, shape: [inverse.count])))   // (N_dst, D)
            let u = update.update(tape.gelu(update.norm(tape.concatenateColumns([h, mean]), tape: tape)), tape: tape)
            out[type] = tape.add(tape.add(h, mean), u)                                               // (N_dst, D)
        }
        return out
    }

    /// The distinct ids among `ids` (of `rows` nodes) and each id's position
    /// among them, or nil (use all rows as they are) when most rows are used.
    static func compacted(_ ids: [Int32], rows: Int) -> (rows: [Int32]?, ids: [Int32]) {
        var position = [Int32](repeating: -1, count: rows)
        var unique: [Int32] = []
        var remapped = [Int32](repeating: 0, count: ids.count)
        for (e, id) in ids.enumerated() {
            var p = position[Int(id)]
            if p < 0 {
                p = Int32(unique.count)
                position[Int(id)] = p
                unique.append(id)
            }
            remapped[e] = p
        }
        return unique.count * 4 < rows * 3 ? (unique, remapped) : (nil, ids)
    }

    static func select(_ x: Variable, _ rows: [Int32]?, _ tape: Tape) -> Variable {
        rows.map { tape.gatherRows(x, ids: $0) } ?? x
    }

    public func namedParameters() -> [(name: String, parameter: Variable)] {
        var p: [(name: String, parameter: Variable)] = []
        for r in relations { p += prefixed("relation.\(r.source).\(r.name).\(r.destination)", transforms[r]!) }
        for t in updates.keys.sorted() { p += prefixed("type.\(t)", updates[t]!) }
        for t in attentionNorms.keys.sorted() { p += prefixed("attention_norm.\(t)", attentionNorms[t]!) }
        return p
    }
}
