/// LightGCN (He et al., SIGIR 2020): no feature transforms, no
/// non-linearities, only propagation over the symmetrically normalised
/// user–item graph and a mean over layers:
///
///   E⁽ᵏ⁺¹⁾ = Â E⁽ᵏ⁾,  Â = D^{-1/2} A D^{-1/2}  over users ∪ products,
///   E = (1 / (K + 1)) Σ_{k=0…K} E⁽ᵏ⁾,  score(u, p) = ⟨E_u, E_p⟩.
///
/// Â is one sparse (U + P) × (U + P) CSR holding both directions
/// (user → product and product → user rows); the backward of each
/// propagation is the transpose propagation, which for the symmetric Â is
/// Â again. Trained with BPR (see `BPREmbeddingModel`).
public final class LightGCN: BPREmbeddingModel {
    public let layers: Int
    private var adjacency: SparseMatrix?
    /// Train with `LightGCNTrainingStep` (the same gradient without the
    /// tape's full-size temporaries) when the dimension allows; false: the tape.
    public var usesFusedStep = true
    private var fused: LightGCNTrainingStep?

    public init(layers: Int = 3, options: BPRTrainingOptions = BPRTrainingOptions()) {
        self.layers = layers
        super.init(name: "lightgcn", options: options)
    }

    override func prepare(_ context: TrainingContext) throws {
        adjacency = SparseMatrix.normalizedBipartite(userItems: context.trainAdjacency,
                                                     itemCount: context.split.productCount)
        fused = nil
    }

    /// Uses `adjacency` directly (for tests and benchmarks without a split).
    public func setAdjacency(_ a: SparseMatrix) {
        adjacency = a
        fused = nil
    }

    override func trainingStep(_ users: [Int32], _ positives: [Int32], _ negatives: [Int32]) -> Float {
        guard usesFusedStep, let adjacency, LightGCNTrainingStep.supports(dimension: table.value.lastDimension) else {
            return super.trainingStep(users, positives, negatives)
        }
        if fused == nil || fused!.adjacency !== adjacency {
            fused = LightGCNTrainingStep(adjacency: adjacency, layers: layers, dimension: table.value.lastDimension)
        }
        let offset = Int32(userCount)
        return fused!.step(table: table, users: users, positives: positives.map { $0 + offset },
                           negatives: negatives.map { $0 + offset }, regularization: options.regularization)
    }

    override func propagate(_ ego: Variable, tape: Tape) -> Variable {
        guard let a = adjacency else { return ego }
        var layer = ego                                    // (U + P, D)
        var total = ego
        for _ in 0..<layers {
            layer = tape.sparseMatmul(a, layer)
            total = tape.add(total, layer)
        }
        return tape.scale(total, 1 / Float(layers + 1))
    }
}
