import Foundation
import Testing
@testable import WeftRec

/// The fused LightGCN step must compute exactly what the tape computes.
struct LightGCNTrainingStepTests {
    @Test(arguments: [0, 1, 3])
    func fusedStepMatchesTheTape(layers: Int) throws {
        // Repeated users and items in the batch, a user with no edges, and an item nobody bought.
        let ui = Adjacency(rowCount: 5, sources: [0, 0, 1, 2, 2, 3, 3, 3], targets: [0, 1, 1, 1, 3, 0, 2, 4])
        let users = 5, items = 6, d = 64
        var options = BPRTrainingOptions()
        options.regularization = 0.3
        let model = LightGCN(layers: layers, options: options)
        let adjacency = SparseMatrix.normalizedBipartite(userItems: ui, itemCount: items)
        model.setAdjacency(adjacency)
        var rng = SeededGenerator(seed: 9)
        let start = Tensor.randomNormal([users + items, d], std: 0.3, using: &rng)
        let batchUsers: [Int32] = [0, 2, 3, 0, 4], positives: [Int32] = [1, 3, 4, 0, 2], negatives: [Int32] = [2, 0, 5, 5, 1]

        let byTape = Variable(start.copy(), requiresGrad: true)
        let tape = Tape()
        let loss = model.bprLossForTest(table: byTape, users: batchUsers, positives: positives, negatives: negatives,
                                        userCount: users, tape: tape)
        tape.backward(loss)

        let fused = Variable(start.copy(), requiresGrad: true)
        let step = LightGCNTrainingStep(adjacency: adjacency, layers: layers, dimension: d)
        let offset = Int32(users)
        let fusedLoss = step.step(table: fused, users: batchUsers, positives: positives.map { $0 + offset },
                                  negatives: negatives.map { $0 + offset }, regularization: options.regularization)
        #expect(abs(fusedLoss - loss.value.scalar) < 1e-5, "\(fusedLoss) vs \(loss.value.scalar)")
        let a = byTape.gradient().scalars, b = fused.gradient().scalars
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-6, "largest gradient difference \(worst)")
        #expect(a.contains { $0 != 0 })
        // A second step reuses the buffers and must not carry anything over.
        fused.zeroGrad()
        _ = step.step(table: fused, users: batchUsers, positives: positives.map { $0 + offset },
                      negatives: negatives.map { $0 + offset }, regularization: options.regularization)
        #expect(zip(a, fused.gradient().scalars).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
