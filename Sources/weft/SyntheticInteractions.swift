import Foundation
import WeftCore

/// Seeded synthetic user–product interactions skewed like real
/// recommendation data, for `weft bench graph`.
///
/// - User activity is power-law: user u draws a Pareto weight
///   w_u = (1 − x)^(−1/α), x uniform, α = `activityExponent` (1.2, a tail
///   like Amazon review counts), and makes max(1, ⌊w_u · N / Σw⌋)
///   interactions, capped at `maximumPerUser`, then single interactions are
///   added to or taken from random users until the total is exactly N.
/// - Product popularity is Zipf: the product of popularity rank r is chosen
///   with probability ∝ 1 / (r + 1)^s, s = `popularityExponent` (1.0);
///   ranks are assigned to product ids by a seeded permutation, so id order
///   says nothing about popularity.
/// - A user's products are distinct (redrawn on repeat), so N is also the
///   number of distinct edges.
///
/// Pairs come out grouped by user, users in id order.
struct SyntheticInteractions {
    let userCount: Int
    let productCount: Int
    /// (N) user of each interaction.
    let users: [Int32]
    /// (N) product of each interaction.
    let products: [Int32]

    static let activityExponent = 1.2
    static let popularityExponent = 1.0

    init(users userCount: Int, products productCount: Int, interactions: Int, seed: UInt64) {
        precondition(userCount > 0 && productCount > 1 && interactions >= userCount,
                     "synthetic graph: need users > 0, products > 1 and interactions ≥ users")
        self.userCount = userCount
        self.productCount = productCount
        var rng = SeededGenerator(seed: seed)
        let maximumPerUser = Swift.max(1, Swift.min(1000, productCount / 4))
        precondition(interactions <= userCount * maximumPerUser,
                     "synthetic graph: \(interactions) interactions exceed \(userCount) users × \(maximumPerUser)")

        var weights = [Double](repeating: 0, count: userCount)
        for u in 0..<userCount { weights[u] = Foundation.pow(1 - rng.nextDouble(), -1 / Self.activityExponent) }
        let scale = Double(interactions) / weights.reduce(0, +)
        var counts = weights.map { Swift.min(maximumPerUser, Swift.max(1, Int($0 * scale))) }
        var missing = interactions - counts.reduce(0, +)
        while missing != 0 {
            let u = rng.nextInt(below: userCount)
            if missing > 0, counts[u] < maximumPerUser { counts[u] += 1; missing -= 1 }
            if missing < 0, counts[u] > 1 { counts[u] -= 1; missing += 1 }
        }

        // Cumulative Zipf weights by rank, and rank → product id.
        var cumulative = [Double](repeating: 0, count: productCount)
        var total = 0.0
        for r in 0..<productCount {
            total += 1 / Foundation.pow(Double(r + 1), Self.popularityExponent)
            cumulative[r] = total
        }
        let productOfRank = rng.permutation(productCount).map { Int32($0) }

        var users = [Int32](), products = [Int32]()
        users.reserveCapacity(interactions)
        products.reserveCapacity(interactions)
        var chosen = Set<Int32>()
        for u in 0..<userCount {
            let start = products.count
            chosen.removeAll(keepingCapacity: true)
            while products.count - start < counts[u] {
                let x = rng.nextDouble() * total
                var lo = 0, hi = productCount - 1
                while lo < hi { let mid = (lo + hi) >> 1; if cumulative[mid] < x { lo = mid + 1 } else { hi = mid } }
                let p = productOfRank[lo]
                // Linear scan for the many small histories; a set for the heavy users.
                if counts[u] <= 32 {
                    if products[start...].contains(p) { continue }
                } else if !chosen.insert(p).inserted {
                    continue
                }
                users.append(Int32(u))
                products.append(p)
            }
        }
        self.users = users
        self.products = products
    }

    var count: Int { users.count }

    /// Σ_k (u_k · 1000003 + p_k + 1) · (2k + 1) mod 2⁶⁴: an order-sensitive
    /// fingerprint another program can recompute (numpy uint64 arithmetic wraps the same way).
    var checksum: UInt64 {
        var sum: UInt64 = 0
        for k in 0..<users.count {
            let edge = UInt64(users[k]) &* 1_000_003 &+ UInt64(products[k]) &+ 1
            sum = sum &+ edge &* (2 * UInt64(k) + 1)
        }
        return sum
    }

    /// Writes the pairs as little-endian int32 (user, product) rows: (N, 2).
    func write(to path: String) throws {
        var data = Data(capacity: 8 * count)
        for k in 0..<count {
            withUnsafeBytes(of: users[k].littleEndian) { data.append(contentsOf: $0) }
            withUnsafeBytes(of: products[k].littleEndian) { data.append(contentsOf: $0) }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Each user's interaction count, largest first, and the share of all
    /// interactions held by the most popular 1% of products: a check that the
    /// skew is there.
    func skewSummary() -> (maximumUserDegree: Int, medianUserDegree: Int, topProductShare: Double) {
        var userDegree = [Int](repeating: 0, count: userCount), productDegree = [Int](repeating: 0, count: productCount)
        for u in users { userDegree[Int(u)] += 1 }
        for p in products { productDegree[Int(p)] += 1 }
        userDegree.sort(by: >)
        productDegree.sort(by: >)
        let top = productDegree.prefix(Swift.max(1, productCount / 100)).reduce(0, +)
        return (userDegree[0], userDegree[userCount / 2], Double(top) / Double(Swift.max(count, 1)))
    }
}
