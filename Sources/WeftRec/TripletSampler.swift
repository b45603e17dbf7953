/// Draws BPR triplets (user, positive, negative): every training pair once
/// per epoch in a seeded random order, each with one negative drawn
/// uniformly from the products allowed in training that the user has no
/// training interaction with (redrawn until it is one), as RecBole does.
struct TripletSampler {
    let pairs: UserProductPairs
    let adjacency: Adjacency
    let pool: [Int32]

    init(split: InteractionSplit, adjacency: Adjacency) {
        pairs = split.train
        self.adjacency = adjacency
        pool = split.trainingProducts
    }

    /// The epoch's batches of (users, positives, negatives).
    func epoch(batchSize: Int, using rng: inout SeededGenerator) -> [(users: [Int32], positives: [Int32], negatives: [Int32])] {
        let order = rng.permutation(pairs.count)
        var batches: [(users: [Int32], positives: [Int32], negatives: [Int32])] = []
        var start = 0
        while start < order.count {
            let slice = order[start..<Swift.min(start + batchSize, order.count)]
            var users = [Int32](), positives = [Int32](), negatives = [Int32]()
            users.reserveCapacity(slice.count)
            positives.reserveCapacity(slice.count)
            negatives.reserveCapacity(slice.count)
            for k in slice {
                let u = pairs.users[k]
                users.append(u)
                positives.append(pairs.products[k])
                negatives.append(negative(for: u, using: &rng))
            }
            batches.append((users, positives, negatives))
            start += batchSize
        }
        return batches
    }

    func negative(for user: Int32, using rng: inout SeededGenerator) -> Int32 {
        if adjacency.degree(of: Int(user)) >= pool.count { return pool[rng.nextInt(below: pool.count)] }
        while true {
            let n = pool[rng.nextInt(below: pool.count)]
            if !adjacency.contains(row: Int(user), target: n) { return n }
        }
    }
}
