/// Full-ranking evaluation of one phase (validation or test) of a split.
///
/// For each user with held-out positives in the phase, every candidate
/// product is scored; the user's training items (and, for test, validation
/// items too, as RecBole does) are excluded; Recall@K and NDCG@K are
/// averaged over users. Each positive pair also gets one sampled negative
/// (a candidate the user never interacted with, drawn once per evaluator
/// from its seed, so every model meets the same negatives) for the pair
/// classification metrics.
public final class RankingEvaluator {
    public enum Phase: String, Sendable { case validation, test }

    public struct Result: Sendable {
        /// recall@K, ndcg@K for each K, coverage@K and gini@K for the largest K;
        /// and "SLICE/recall@K", "SLICE/ndcg@K" for each slice with any user.
        public var metrics: [String: Double]
        /// Users each slice's figures average over (those with a positive in it).
        public var sliceUsers: [String: Int] = [:]
        /// Scores of the positive pairs and of their sampled negatives, aligned.
        public var positiveScores: [Float]
        public var negativeScores: [Float]
        public var userCount: Int
        /// Each user's recall@K and ndcg@K ("recall@10", …), in the order of
        /// `RankingEvaluator.users`: the figures behind the means, for
        /// standard errors and paired differences between models.
        public var perUser: [String: [Double]] = [:]
        /// Each user's top-K list (largest K), in the order of `users`.
        public var lists: [[Int32]] = []
        /// Products each user's list was drawn from.
        public var candidateCount: Int = 0
    }

    public let phase: Phase
    public let ks: [Int]
    /// Users with at least one positive in this phase.
    public let users: [Int32]
    let positives: Adjacency
    let excluded: Adjacency
    let candidateMask: [Bool]?
    let candidateCount: Int
    /// (positive edges of `positives`, in CSR order) one sampled negative each.
    let negatives: [Int32]
    let productCount: Int
    /// Named product subsets (one mask over products each). Each gets its
    /// own recall@K and NDCG@K from the same full ranking, counting only the
    /// user's positives inside the subset, over the users who have one there
    /// (e.g. "cold": products without training interactions).
    public var slices: [(name: String, products: [Bool])] = []

    public init(split: InteractionSplit, phase: Phase, ks: [Int] = [10, 20], seed: UInt64) {
        self.phase = phase
        self.ks = ks.sorted()
        productCount = split.productCount
        let pairs = phase == .validation ? split.validation : split.test
        let positives = pairs.adjacency(userCount: split.userCount)
        self.positives = positives
        excluded = (phase == .validation ? split.train : split.train + split.validation).adjacency(userCount: split.userCount)
        users = (0..<Int32(split.userCount)).filter { positives.degree(of: Int($0)) > 0 }
        let candidates = phase == .validation ? split.validationCandidates : split.testCandidates
        var mask: [Bool]? = nil
        if let candidates {
            var m = [Bool](repeating: false, count: split.productCount)
            for c in candidates { m[Int(c)] = true }
            mask = m
        }
        candidateMask = mask
        candidateCount = candidates?.count ?? split.productCount
        let everything = (split.train + split.validation + split.test).adjacency(userCount: split.userCount)
        let pool = candidates ?? Array(0..<Int32(split.productCount))
        var rng = SeededGenerator(seed: seed ^ (phase == .validation ? 0x5EED_0001 : 0x5EED_0002))
        var negatives = [Int32](repeating: -1, count: positives.edgeCount)
        for u in users {
            let seen = everything.neighbors(of: Int(u))
            let free = pool.count - seen.filter { c in mask?[Int(c)] ?? true }.count
            for e in Int(positives.offsets[Int(u)])..<Int(positives.offsets[Int(u) + 1]) {
                guard free > 0 else { continue }
                var n: Int32
                repeat { n = pool[rng.nextInt(below: pool.count)] } while everything.contains(row: Int(u), target: n)
                negatives[e] = n
            }
        }
        self.negatives = negatives
    }

    /// Evaluates `model` on this phase.
    public func evaluate(_ model: Recommender, batchSize: Int = 256) -> Result {
        let kMax = ks.last ?? 20
        var recall = [Double](repeating: 0, count: ks.count), ndcg = [Double](repeating: 0, count: ks.count)
        var lists = [[Int32]](repeating: [], count: users.count)
        var userRecall = [[Double]](repeating: [], count: users.count)
        var userNDCG = [[Double]](repeating: [], count: users.count)
        var positiveScores = [Float](), negativeScores = [Float]()
        var sliceUsers = [Int](repeating: 0, count: slices.count)
        var sliceSums = [[(Double, Double)]](repeating: [(Double, Double)](repeating: (0, 0), count: ks.count),
                                             count: slices.count)
        var start = 0
        while start < users.count {
            let chunk = Array(users[start..<Swift.min(start + batchSize, users.count)])
            let scores = model.scores(users: chunk)
            precondition(scores.shape == [chunk.count, productCount],
                         "\(model.name) returned scores \(scores.shape) for \(chunk.count) users × \(productCount) products")
            var chunkRecall = [[Double]](repeating: [], count: chunk.count)
            var chunkNDCG = [[Double]](repeating: [], count: chunk.count)
            var chunkLists = [[Int32]](repeating: [], count: chunk.count)
            // Per user and slice: (recall@K, ndcg@K per K), or nil without positives in the slice.
            var chunkSlices = [[[(Double, Double)]?]](repeating: [], count: chunk.count)
            let slices = self.slices
            let base = scores.data
            chunkRecall.withUnsafeMutableBufferPointer { rb in
                chunkNDCG.withUnsafeMutableBufferPointer { nb in
                    chunkLists.withUnsafeMutableBufferPointer { lb in
                      chunkSlices.withUnsafeMutableBufferPointer { sb in
                        parallelFor(chunk.count) { range in
                            for b in range {
                                let u = Int(chunk[b])
                                let row = base + b * productCount
                                let history = excluded.neighbors(of: u)
                                let ranked = RankingMetrics.topK(scores: row, count: productCount, k: kMax) { i in
                                    if let mask = self.candidateMask, !mask[i] { return false }
                                    return !Self.sortedContains(history, Int32(i))
                                }
                                let truth = Set(positives.neighbors(of: u))
                                rb[b] = ks.map { RankingMetrics.recall(ranked: ranked, positives: truth, k: $0) }
                                nb[b] = ks.map { RankingMetrics.ndcg(ranked: ranked, positives: truth, k: $0) }
                                lb[b] = ranked
                                sb[b] = slices.map { slice -> [(Double, Double)]? in
                                    let inside = truth.filter { slice.products[Int($0)] }
                                    guard !inside.isEmpty else { return nil }
                                    return ks.map { (RankingMetrics.recall(ranked: ranked, positives: inside, k: $0),
                                                     RankingMetrics.ndcg(ranked: ranked, positives: inside, k: $0)) }
                                }
                            }
                        }
                      }
                    }
                }
            }
            for b in 0..<chunk.count {
                for j in 0..<ks.count { recall[j] += chunkRecall[b][j]; ndcg[j] += chunkNDCG[b][j] }
                for (i, figures) in chunkSlices[b].enumerated() {
                    guard let figures else { continue }
                    sliceUsers[i] += 1
                    for j in 0..<ks.count { sliceSums[i][j].0 += figures[j].0; sliceSums[i][j].1 += figures[j].1 }
                }
                lists[start + b] = chunkLists[b]
                userRecall[start + b] = chunkRecall[b]
                userNDCG[start + b] = chunkNDCG[b]
                let u = Int(chunk[b])
                for e in Int(positives.offsets[u])..<Int(positives.offsets[u + 1]) where negatives[e] >= 0 {
                    positiveScores.append(base[b * productCount + Int(positives.targets[e])])
                    negativeScores.append(base[b * productCount + Int(negatives[e])])
                }
            }
            start += batchSize
        }
        var metrics: [String: Double] = [:]
        var perUser: [String: [Double]] = [:]
        let n = Double(Swift.max(users.count, 1))
        for (j, k) in ks.enumerated() {
            metrics["recall@\(k)"] = recall[j] / n
            metrics["ndcg@\(k)"] = ndcg[j] / n
            perUser["recall@\(k)"] = userRecall.map { $0[j] }
            perUser["ndcg@\(k)"] = userNDCG.map { $0[j] }
        }
        metrics["coverage@\(kMax)"] = CatalogMetrics.coverage(lists: lists, catalogSize: candidateCount)
        metrics["gini@\(kMax)"] = CatalogMetrics.gini(lists: lists, catalogSize: candidateCount)
        var counted: [String: Int] = [:]
        for (i, slice) in slices.enumerated() {
            counted[slice.name] = sliceUsers[i]
            guard sliceUsers[i] > 0 else { continue }
            for (j, k) in ks.enumerated() {
                metrics["\(slice.name)/recall@\(k)"] = sliceSums[i][j].0 / Double(sliceUsers[i])
                metrics["\(slice.name)/ndcg@\(k)"] = sliceSums[i][j].1 / Double(sliceUsers[i])
            }
        }
        return Result(metrics: metrics, sliceUsers: counted, positiveScores: positiveScores,
                      negativeScores: negativeScores, userCount: users.count, perUser: perUser, lists: lists,
                      candidateCount: candidateCount)
    }

    @inline(__always)
    static func sortedContains(_ slice: ArraySlice<Int32>, _ x: Int32) -> Bool {
        var lo = slice.startIndex, hi = slice.endIndex
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = slice[mid]
            if v == x { return true }
            if v < x { lo = mid + 1 } else { hi = mid }
        }
        return false
    }
}
