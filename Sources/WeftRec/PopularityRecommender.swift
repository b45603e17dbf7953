/// Recommends what most users interacted with in training, the same list
/// for everyone: score(u, p) = number of training interactions of p.
public final class PopularityRecommender: Recommender {
    public let name = "popularity"
    private var counts = Tensor(zeros: [0])

    public init() {}

    public func fit(_ context: TrainingContext) throws {
        counts = Tensor(zeros: [context.split.productCount])
        for p in context.split.train.products { counts.data[Int(p)] += 1 }
    }

    public func scores(users: [Int32]) -> Tensor {
        let p = counts.count
        let out = Tensor(uninitialized: [users.count, p])
        for b in 0..<users.count { (out.data + b * p).update(from: counts.data, count: p) }
        return out
    }
}
