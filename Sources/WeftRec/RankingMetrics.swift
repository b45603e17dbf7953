import Foundation

/// Full-ranking metrics, defined as RecBole computes them, on one user's
/// ranked list (best first) against the user's held-out positives.
public enum RankingMetrics {
    /// Recall@K = |top-K ∩ positives| / |positives|.
    public static func recall(ranked: [Int32], positives: Set<Int32>, k: Int) -> Double {
        guard !positives.isEmpty else { return 0 }
        let hits = ranked.prefix(k).reduce(0) { $0 + (positives.contains($1) ? 1 : 0) }
        return Double(hits) / Double(positives.count)
    }

    /// NDCG@K with binary gains: DCG = Σ_{r < K, item r relevant} 1 / log₂(r + 2),
    /// normalised by the ideal DCG of min(|positives|, K) hits at the top.
    public static func ndcg(ranked: [Int32], positives: Set<Int32>, k: Int) -> Double {
        guard !positives.isEmpty else { return 0 }
        var dcg = 0.0
        for (r, item) in ranked.prefix(k).enumerated() where positives.contains(item) {
            dcg += 1 / Foundation.log2(Double(r + 2))
        }
        var ideal = 0.0
        for r in 0..<Swift.min(positives.count, k) { ideal += 1 / Foundation.log2(Double(r + 2)) }
        return dcg / ideal
    }

    /// The `k` highest-scoring items of `scores` (count items) that are
    /// allowed, best first; ties go to the lower index, so rankings are
    /// reproducible. `allowed` nil means every item.
    public static func topK(scores: UnsafePointer<Float>, count: Int, k: Int,
                            allowed: (Int) -> Bool) -> [Int32] {
        var items = [Int32](), values = [Float]()
        items.reserveCapacity(k + 1)
        values.reserveCapacity(k + 1)
        for i in 0..<count {
            let s = scores[i]
            if items.count == k, !(s > values[k - 1]) { continue }
            guard allowed(i) else { continue }
            // Insert after every value ≥ s, so an earlier index wins a tie.
            var lo = 0, hi = values.count
            while lo < hi { let mid = (lo + hi) >> 1; if values[mid] >= s { lo = mid + 1 } else { hi = mid } }
            values.insert(s, at: lo)
            items.insert(Int32(i), at: lo)
            if items.count > k { values.removeLast(); items.removeLast() }
        }
        return items
    }
}
