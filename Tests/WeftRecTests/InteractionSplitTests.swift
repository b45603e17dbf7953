import Testing
@testable import WeftRec

struct InteractionSplitTests {
    func pairs(_ p: UserProductPairs) -> [[Int32]] { zip(p.users, p.products).map { [$0, $1] } }

    @Test func warmLeavesTheLastByTimeForTestAndThePreviousForValidation() {
        var d = Dataset(name: "t")
        for i in 0..<5 { d.addProduct(id: "p\(i)") }
        for u in ["a", "b", "c"] { d.addUser(id: u) }
        // a: p2@30, p0@10, p1@20, p0@40 (repeat: kept at its earliest time); b: p3@5, p4@1; c: p1@7.
        d.interactions = [.init(user: 0, product: 2, timestamp: 30), .init(user: 0, product: 0, timestamp: 10),
                          .init(user: 1, product: 3, timestamp: 5), .init(user: 0, product: 1, timestamp: 20),
                          .init(user: 2, product: 1, timestamp: 7), .init(user: 1, product: 4, timestamp: 1),
                          .init(user: 0, product: 0, timestamp: 40)]
        let s = InteractionSplit.make(d, protocol: .warm, seed: 1)
        #expect(pairs(s.train) == [[0, 0], [1, 4], [2, 1]])
        #expect(pairs(s.validation) == [[0, 1]])
        #expect(pairs(s.test) == [[0, 2], [1, 3]])
        #expect(s.validationCandidates == nil && s.coldProducts.isEmpty)
    }

    @Test func ratioCountsFollowRecBole() {
        // RecBole's _calcu_split_ids for [0.8, 0.1, 0.1].
        let expected: [Int: [Int]] = [1: [1, 0, 0], 2: [1, 0, 1], 3: [1, 1, 1], 9: [7, 1, 1], 10: [8, 1, 1],
                                      19: [17, 1, 1], 20: [16, 2, 2], 50: [40, 5, 5], 0: [0, 0, 0]]
        for (total, counts) in expected {
            #expect(InteractionSplit.ratioCounts(total: total, ratios: [0.8, 0.1, 0.1]) == counts, "total \(total)")
        }
    }

    @Test func random811CutsEachUserAndIsReproducible() {
        let d = Fixtures.clustered(groups: 2, usersPerGroup: 5, productsPerGroup: 20, perUser: 20)
        let a = InteractionSplit.make(d, protocol: .random811, seed: 3)
        let b = InteractionSplit.make(d, protocol: .random811, seed: 3)
        let c = InteractionSplit.make(d, protocol: .random811, seed: 4)
        #expect(a.train == b.train && a.test == b.test)
        #expect(a.test != c.test)
        for u in 0..<Int32(d.userCount) {
            #expect(a.train.users.filter { $0 == u }.count == 16)
            #expect(a.validation.users.filter { $0 == u }.count == 2)
            #expect(a.test.users.filter { $0 == u }.count == 2)
        }
        let all = Set(pairs(a.train) + pairs(a.validation) + pairs(a.test))
        #expect(all.count == d.interactions.count)
    }

    @Test func coldWithholdsTwentyPercentOfProductsEntirely() {
        let d = Fixtures.clustered(groups: 4, usersPerGroup: 10, productsPerGroup: 10, perUser: 5)
        let s = InteractionSplit.make(d, protocol: .cold, seed: 9)
        let interacted = Set(d.interactions.map(\.product))
        #expect(s.coldProducts.count == Int((Double(interacted.count) * 0.2).rounded()))
        let validation = Set(s.validationCandidates!), test = Set(s.testCandidates!)
        #expect(validation.isDisjoint(with: test) && validation.union(test) == s.coldProducts)
        #expect(abs(validation.count - test.count) <= 1)
        #expect(s.train.products.allSatisfy { !s.coldProducts.contains($0) })
        #expect(s.validation.products.allSatisfy { validation.contains($0) })
        #expect(s.test.products.allSatisfy { test.contains($0) })
        #expect(s.train.count + s.validation.count + s.test.count == Set(d.interactions.map { [$0.user, $0.product] }).count)
        #expect(Set(s.trainingProducts).isDisjoint(with: s.coldProducts))
    }

    /// The K-fold cold protocol: the folds' test products partition the
    /// products with interactions, fold f validates on fold f+1's test
    /// products, and no fold trains on its own cold products.
    @Test func coldFoldsTestEveryProductExactlyOnce() {
        let d = Fixtures.clustered(groups: 4, usersPerGroup: 10, productsPerGroup: 10, perUser: 5)
        let interacted = Set(d.interactions.map(\.product))
        let folds = (0..<5).map { InteractionSplit.make(d, protocol: .cold, seed: 9, coldFold: ColdFold(index: $0, count: 5)) }
        var tested: [Int32] = []
        for (f, s) in folds.enumerated() {
            let test = Set(s.testCandidates!), validation = Set(s.validationCandidates!)
            #expect(s.coldFold == ColdFold(index: f, count: 5))
            #expect(validation == Set(folds[(f + 1) % 5].testCandidates!))
            #expect(test.isDisjoint(with: validation) && s.coldProducts == test.union(validation))
            #expect(abs(test.count - interacted.count / 5) <= 1)
            #expect(s.train.products.allSatisfy { !s.coldProducts.contains($0) })
            #expect(s.test.products.allSatisfy { test.contains($0) })
            #expect(s.train.count + s.validation.count + s.test.count == Set(d.interactions.map { [$0.user, $0.product] }).count)
            tested += s.testCandidates!
        }
        #expect(tested.count == interacted.count && Set(tested) == interacted)
        // Another seed cuts other groups.
        let other = InteractionSplit.make(d, protocol: .cold, seed: 10, coldFold: ColdFold(index: 0, count: 5))
        #expect(other.testCandidates != folds[0].testCandidates)
    }
}
