/// The papers' classification view of recommendation: each held-out
/// positive (user, product) is paired with one sampled negative, a score
/// threshold turns scores into yes/no, and precision, recall and F1 count
/// the answers; AUC needs no threshold.
public enum PairClassification {
    public struct Counts: Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    /// True positives, false positives and false negatives; tallies of
    /// several sets of pairs (e.g. folds, each at its own threshold) add up.
    public struct Tally: Sendable, Equatable {
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0

        public init() {}

        public static func += (a: inout Tally, b: Tally) {
            a.truePositives += b.truePositives
            a.falsePositives += b.falsePositives
            a.falseNegatives += b.falseNegatives
        }

        public var counts: Counts {
            let tp = Double(truePositives), fp = Double(falsePositives), fn = Double(falseNegatives)
            let precision = tp + fp > 0 ? tp / (tp + fp) : 0
            let recall = tp + fn > 0 ? tp / (tp + fn) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return Counts(precision: precision, recall: recall, f1: f1)
        }
    }

    /// The tally when every score ≥ `threshold` is called positive.
    public static func tally(positives: [Float], negatives: [Float], threshold: Float) -> Tally {
        var t = Tally()
        t.truePositives = positives.filter { $0 >= threshold }.count
        t.falsePositives = negatives.filter { $0 >= threshold }.count
        t.falseNegatives = positives.count - t.truePositives
        return t
    }

    /// Precision, recall and F1 when every score ≥ `threshold` is called positive.
    public static func classify(positives: [Float], negatives: [Float], threshold: Float) -> Counts {
        tally(positives: positives, negatives: negatives, threshold: threshold).counts
    }

    /// The threshold (one of the scores) with the highest F1 on these pairs;
    /// the lowest such score on ties.
    public static func bestThreshold(positives: [Float], negatives: [Float]) -> Float? {
        let labelled = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 > $1.0 }
        guard !labelled.isEmpty, !positives.isEmpty else { return nil }
        var tp = 0.0, fp = 0.0
        var best = -1.0, threshold = labelled[0].0
        var i = 0
        while i < labelled.count {
            let s = labelled[i].0
            while i < labelled.count && labelled[i].0 == s {
                if labelled[i].1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let f1 = 2 * tp / (2 * tp + fp + (Double(positives.count) - tp))
            if f1 >= best { best = f1; threshold = s }
        }
        return threshold
    }

    /// Area under the ROC curve over all positive and negative scores
    /// (Mann–Whitney: the chance a random positive outscores a random
    /// negative, ties counting one half).
    public static func auc(positives: [Float], negatives: [Float]) -> Double? {
        guard !positives.isEmpty, !negatives.isEmpty else { return nil }
        let all = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSum = 0.0
        var i = 0
        while i < all.count {
            var j = i
            while j < all.count && all[j].0 == all[i].0 { j += 1 }
            let averageRank = Double(i + 1 + j) / 2  // ranks i+1 … j
            for k in i..<j where all[k].1 { rankSum += averageRank }
            i = j
        }
        let np = Double(positives.count), nn = Double(negatives.count)
        return (rankSum - np * (np + 1) / 2) / (np * nn)
    }
}
