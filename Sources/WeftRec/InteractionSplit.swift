/// How interactions are divided into training, validation and test.
public enum EvaluationProtocol: String, CaseIterable, Codable, Sendable {
    /// Per user, the last interaction by time is the test item and the one
    /// before it the validation item (users with two interactions give no
    /// validation item, users with one only train), as RecBole's leave-one-out.
    case warm
    /// 20% of the products with interactions (seeded) lose all of them from
    /// training; half of those cold products (seeded) are the validation
    /// products and half the test products, and each phase ranks only its
    /// own cold products. With K folds (`ColdFold`), the products with
    /// interactions are cut into K seeded groups instead; fold f's test
    /// products are group f and its validation products group f + 1 (mod K),
    /// so over the K folds every such product is tested exactly once.
    case cold
    /// RecBole's `RS: [0.8, 0.1, 0.1]` with random order, grouped by user:
    /// each user's interactions shuffled and cut 80/10/10.
    case random811 = "random-811"
}

/// One fold of the cold protocol's K-fold form: `index` in 0..<`count`.
public struct ColdFold: Sendable, Equatable, Codable {
    public let index: Int
    public let count: Int

    /// Three groups at least, so that training keeps a group of its own.
    public init(index: Int, count: Int) {
        precondition(count >= 3 && (0..<count).contains(index), "cold fold \(index) of \(count)")
        self.index = index
        self.count = count
    }
}

/// The interactions of a dataset divided by a protocol. Repeated
/// (user, product) pairs are kept once, at their earliest time, so no test
/// item is also a training item.
public struct InteractionSplit: Sendable {
    public let evaluationProtocol: EvaluationProtocol
    public let seed: UInt64
    public let userCount: Int
    public let productCount: Int
    public let train: UserProductPairs
    public let validation: UserProductPairs
    public let test: UserProductPairs
    /// Products ranked in validation / test (nil: every product).
    public let validationCandidates: [Int32]?
    public let testCandidates: [Int32]?
    /// Products whose interactions were all withheld from training.
    public let coldProducts: Set<Int32>
    /// Which fold of the cold protocol this is (nil: the single 20% split).
    public var coldFold: ColdFold?

    public init(evaluationProtocol: EvaluationProtocol, seed: UInt64, userCount: Int, productCount: Int,
                train: UserProductPairs, validation: UserProductPairs, test: UserProductPairs,
                validationCandidates: [Int32]? = nil, testCandidates: [Int32]? = nil, coldProducts: Set<Int32> = []) {
        self.evaluationProtocol = evaluationProtocol
        self.seed = seed
        self.userCount = userCount
        self.productCount = productCount
        self.train = train
        self.validation = validation
        self.test = test
        self.validationCandidates = validationCandidates
        self.testCandidates = testCandidates
        self.coldProducts = coldProducts
    }

    /// Products a model may see while training (every product but the cold ones).
    public var trainingProducts: [Int32] {
        (0..<Int32(productCount)).filter { !coldProducts.contains($0) }
    }

    /// Per user, distinct products in order of first interaction (time, then file order).
    static func distinctProductsPerUser(_ dataset: Dataset) -> [[Int32]] {
        let order = dataset.interactions.indices.sorted {
            let a = dataset.interactions[$0], b = dataset.interactions[$1]
            return (a.user, a.timestamp, $0) < (b.user, b.timestamp, $1)
        }
        var perUser = [[Int32]](repeating: [], count: dataset.userCount)
        var seen = Set<Int64>()
        for i in order {
            let x = dataset.interactions[i]
            if seen.insert(Int64(x.user) << 32 | Int64(x.product)).inserted { perUser[Int(x.user)].append(x.product) }
        }
        return perUser
    }

    /// Splits `dataset` by `evaluationProtocol`; the same seed gives the same
    /// split. `coldFold` picks one fold of the cold protocol's K-fold form (the
    /// groups depend on the seed only, so the K folds of one seed partition
    /// the products); it is ignored by the other protocols.
    public static func make(_ dataset: Dataset, protocol evaluationProtocol: EvaluationProtocol,
                            seed: UInt64, coldFold: ColdFold? = nil) -> InteractionSplit {
        var rng = SeededGenerator(seed: seed)
        let perUser = distinctProductsPerUser(dataset)
        var train = UserProductPairs(), validation = UserProductPairs(), test = UserProductPairs()
        switch evaluationProtocol {
        case .warm:
            for (u, items) in perUser.enumerated() {
                let n = items.count
                let held = Swift.min(2, Swift.max(0, n - 1))
                for p in items.prefix(n - held) { train.append(user: Int32(u), product: p) }
                if held == 2 { validation.append(user: Int32(u), product: items[n - 2]) }
                if held >= 1 { test.append(user: Int32(u), product: items[n - 1]) }
            }
            return InteractionSplit(evaluationProtocol: .warm, seed: seed, userCount: dataset.userCount,
                                    productCount: dataset.productCount, train: train, validation: validation, test: test)
        case .random811:
            for (u, items) in perUser.enumerated() {
                let shuffled = rng.permutation(items.count).map { items[$0] }
                let counts = ratioCounts(total: items.count, ratios: [0.8, 0.1, 0.1])
                for (k, p) in shuffled.enumerated() {
                    if k < counts[0] {
                        train.append(user: Int32(u), product: p)
                    } else if k < counts[0] + counts[1] {
                        validation.append(user: Int32(u), product: p)
                    } else {
                        test.append(user: Int32(u), product: p)
                    }
                }
            }
            return InteractionSplit(evaluationProtocol: .random811, seed: seed, userCount: dataset.userCount,
                                    productCount: dataset.productCount, train: train, validation: validation, test: test)
        case .cold:
            var interacted = [Bool](repeating: false, count: dataset.productCount)
            for items in perUser { for p in items { interacted[Int(p)] = true } }
            let eligible = (0..<Int32(dataset.productCount)).filter { interacted[Int($0)] }
            let validationCold: Set<Int32>, testCold: Set<Int32>
            if let fold = coldFold {
                // Group g holds the shuffled products at positions g, g + K, g + 2K, …
                let order = rng.permutation(eligible.count).map { eligible[$0] }
                func group(_ g: Int) -> Set<Int32> { Set(stride(from: g, to: order.count, by: fold.count).map { order[$0] }) }
                testCold = group(fold.index)
                validationCold = group((fold.index + 1) % fold.count)
            } else {
                let coldCount = Int((Double(eligible.count) * 0.2).rounded())
                let cold = rng.sample(coldCount, from: eligible.count).map { eligible[$0] }
                validationCold = Set(cold.prefix(coldCount / 2))
                testCold = Set(cold.dropFirst(coldCount / 2))
            }
            for (u, items) in perUser.enumerated() {
                for p in items {
                    if validationCold.contains(p) {
                        validation.append(user: Int32(u), product: p)
                    } else if testCold.contains(p) {
                        test.append(user: Int32(u), product: p)
                    } else {
                        train.append(user: Int32(u), product: p)
                    }
                }
            }
            var split = InteractionSplit(evaluationProtocol: .cold, seed: seed, userCount: dataset.userCount,
                                         productCount: dataset.productCount, train: train, validation: validation,
                                         test: test, validationCandidates: validationCold.sorted(),
                                         testCandidates: testCold.sorted(), coldProducts: validationCold.union(testCold))
            split.coldFold = coldFold
            return split
        }
    }

    /// RecBole's `_calcu_split_ids`: floor(ratio · total) per part, the rest
    /// to the first part, and each later part whose share is below one item
    /// gets one item while the first part keeps more than one.
    static func ratioCounts(total: Int, ratios: [Double]) -> [Int] {
        var counts = ratios.map { Int($0 * Double(total)) }
        counts[0] = total - counts.dropFirst().reduce(0, +)
        for i in 1..<ratios.count {
            if counts[0] <= 1 { break }
            let share = ratios[ratios.count - i] * Double(total)
            if share > 0 && share < 1 {
                counts[ratios.count - i] += 1
                counts[0] -= 1
            }
        }
        return counts
    }
}
