/// How widely recommendations spread over the catalogue.
public enum CatalogMetrics {
    /// Share of the `catalogSize` candidate items that appear in at least one list.
    public static func coverage(lists: [[Int32]], catalogSize: Int) -> Double {
        guard catalogSize > 0 else { return 0 }
        var seen = Set<Int32>()
        for list in lists { seen.formUnion(list) }
        return Double(seen.count) / Double(catalogSize)
    }

    /// Gini index of how often each candidate item is recommended, as
    /// RecBole's `GiniIndex`: with n items and counts c sorted ascending
    /// (items never recommended count 0), G = Σᵢ (2i − n − 1) cᵢ / (n Σ c),
    /// i = 1…n. 0: every item equally often; → 1: all lists the same few items.
    public static func gini(lists: [[Int32]], catalogSize n: Int) -> Double {
        var counts: [Int32: Int] = [:]
        for list in lists { for item in list { counts[item, default: 0] += 1 } }
        let total = counts.values.reduce(0, +)
        guard n > 0, total > 0 else { return 0 }
        let sorted = counts.values.sorted()
        var sum = 0.0
        // The n − |sorted| items never recommended take ranks 1… with count 0.
        for (j, c) in sorted.enumerated() {
            let i = n - sorted.count + j + 1
            sum += Double(2 * i - n - 1) * Double(c)
        }
        return sum / Double(total) / Double(n)
    }
}
