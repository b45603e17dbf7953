/// Content-based baseline: a user is the mean of the L2-normalised text
/// embeddings of the products in their training history, and
/// score(u, p) = cos(mean_u, text_p). Needs product text embeddings; works
/// for products nobody has interacted with.
public final class TextNearestNeighbors: Recommender {
    public let name = "text-knn"
    /// (products, T) unit rows.
    private var products = Tensor(zeros: [0, 0])
    /// (users, T) unit rows (zero for users without history).
    private var profiles = Tensor(zeros: [0, 0])

    public init() {}

    public func fit(_ context: TrainingContext) throws {
        guard let text = context.productText else {
            throw RecommenderUnavailable(model: name, reason: "the dataset has no product text embeddings")
        }
        let p = text.rowCount, t = text.lastDimension
        products = Tape.inference.l2Normalize(Variable(text)).value
        profiles = Tensor(zeros: [context.split.userCount, t])
        let adjacency = context.trainAdjacency
        let (pp, up) = (products.data, profiles.data)
        parallelFor(context.split.userCount, minimumPerChunk: 64) { range in
            for u in range {
                for item in adjacency.neighbors(of: u) where Int(item) < p {
                    Kernels.add(up + u * t, up + u * t, pp + Int(item) * t, t)
                }
            }
        }
        profiles = Tape.inference.l2Normalize(Variable(profiles)).value
    }

    public func scores(users: [Int32]) -> Tensor {
        let t = products.lastDimension
        let chosen = Tensor(uninitialized: [users.count, t])
        users.withUnsafeBufferPointer { ids in
            Kernels.gatherRows(chosen.data, profiles.data, ids: ids.baseAddress!, count: users.count, cols: t)
        }
        return chosen.matmul(products, transposeOther: true)
    }
}
