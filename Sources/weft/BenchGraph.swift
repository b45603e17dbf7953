import ArgumentParser
import Foundation
import WeftRec

/// `weft bench graph`: the Weft GNN on a large skewed synthetic graph, and
/// LightGCN at the LightGCN paper's settings on a medium one, with the
/// same-run sgemm rate.
struct BenchGraph: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Weft GNN on a synthetic 1M-user graph (build, memory, epoch, scoring) and LightGCN seconds per epoch.",
        discussion: """
            Part 1: a seeded synthetic graph (power-law user activity, Zipf product popularity, products in \
            Zipf-sized categories, random product text vectors): graph build time, the text graph's build \
            time (K nearest products by text, --text-neighbors), peak resident memory \
            (VmHWM), seconds per training epoch of the Weft GNN (BPR, neighbour sampling, batch 4096), \
            extrapolated from --gnn-batches timed batches when that is less than an epoch, and users scored \
            per second (GNN inference on each user's sampled neighbourhood, dot products with every \
            product, top 20 of the products the user has not interacted with).
            Part 2: LightGCN (3 layers, dimension 64, BPR, Adam, batch 4096; every batch propagates the whole \
            graph) on a seeded 50k × 20k × 1M graph: seconds per epoch, negative sampling included. \
            --lightgcn-edges writes that graph for Scripts/bench-graph-vs-pytorch.sh.
            The last line is one JSON object.
            """)

    @Option(help: "Users of the large graph (default: 1000000).")
    var users = 1_000_000
    @Option(help: "Products of the large graph (default: 100000).")
    var products = 100_000
    @Option(help: "Interactions of the large graph (default: 10000000).")
    var interactions = 10_000_000
    @Option(help: "Timed GNN training batches of 4096 pairs after 2 warm-up batches; 0: one full epoch (default: 20).")
    var gnnBatches = 20
    @Option(help: "Users scored for the throughput figure (default: 4096).")
    var scoreUsers = 4096
    @Option(help: "Width of the random product text vectors (default: 384, as MiniLM).")
    var textDimension = 384

    @Option(help: "K of the text graph built over the products' text vectors (exact cosines by sgemm blocks, top K per product); 0: not measured (default: 5).")
    var textNeighbors = 5

    @Option(help: "LightGCN users (default: 50000).")
    var lightgcnUsers = 50_000
    @Option(help: "LightGCN items (default: 20000).")
    var lightgcnItems = 20_000
    @Option(help: "LightGCN interactions (default: 1000000).")
    var lightgcnInteractions = 1_000_000
    @Option(help: "LightGCN epochs; the fastest is reported (default: 2).")
    var lightgcnEpochs = 2
    @Flag(help: "Train LightGCN through the autodiff tape instead of its fused step (for comparison).")
    var lightgcnTape = false
    @Option(help: "Write the LightGCN graph here as little-endian int32 (user, item) pairs (default: not written).")
    var lightgcnEdges: String?

    @Flag(help: "Skip part 1 (the large graph).")
    var skipLargeGraph = false
    @Option(help: "Seed of the synthetic graphs and training (default: 7).")
    var seed: UInt64 = 7
    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func validate() throws {
        if users < 1 || products < 2 || interactions < users {
            throw ValidationError("need --users ≥ 1, --products ≥ 2 and --interactions ≥ --users")
        }
        if lightgcnUsers < 1 || lightgcnItems < 2 || lightgcnInteractions < lightgcnUsers {
            throw ValidationError("need --lightgcn-users ≥ 1, --lightgcn-items ≥ 2 and --lightgcn-interactions ≥ --lightgcn-users")
        }
        if gnnBatches < 0 || scoreUsers < 1 || lightgcnEpochs < 1 || textDimension < 0 {
            throw ValidationError("--gnn-batches ≥ 0, --score-users ≥ 1, --lightgcn-epochs ≥ 1, --text-dimension ≥ 0")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        var fields: [String: Any] = ["threads": Parallelism.threadCount]
        let sgemm = BenchTiming.sgemmGFlops(m: 512, n: 1024, k: 256)
        print(String(format: "sgemm 512×1024×256: %.1f GFLOP/s", sgemm))
        if !skipLargeGraph { try largeGraph(into: &fields) }
        try lightGCN(into: &fields)
        // Again at the end: the machine is shared, so both ends of the run are shown.
        let sgemmAfter = BenchTiming.sgemmGFlops(m: 512, n: 1024, k: 256)
        print(String(format: "sgemm 512×1024×256 after: %.1f GFLOP/s", sgemmAfter))
        fields["sgemm_gflops"] = BenchTiming.round(sgemm, 1)
        fields["sgemm_gflops_after"] = BenchTiming.round(sgemmAfter, 1)
        BenchTiming.printJSON(fields)
    }

    // MARK: Part 1

    func largeGraph(into fields: inout [String: Any]) throws {
        ResidentMemory.resetPeak()
        var t0 = BenchTiming.now()
        let data = SyntheticInteractions(users: users, products: products, interactions: interactions, seed: seed)
        let generateSeconds = seconds(since: t0)
        let skew = data.skewSummary()
        print(String(format: "synthetic graph: %d users, %d products, %d interactions generated in %.1f s "
                     + "(user degree max %d, median %d; top 1%% of products hold %.0f%% of interactions)",
                     users, products, data.count, generateSeconds, skew.maximumUserDegree, skew.medianUserDegree,
                     100 * skew.topProductShare))

        var rng = SeededGenerator(seed: seed &+ 1)
        let categoryCount = Swift.max(1, products / 100)
        let productCategory = (0..<products).map { _ in Int32(Swift.min(categoryCount - 1, Int(Double(categoryCount) * Foundation.pow(rng.nextDouble(), 2)))) }
        t0 = BenchTiming.now()
        let graph = try HeteroGraph(
            nodeCounts: [.user: users, .product: products, .category: categoryCount],
            edges: [EdgeSet(.interacted, sources: data.users, destinations: data.products),
                    EdgeSet(.inCategory, sources: (0..<Int32(products)).map { $0 }, destinations: productCategory)])
        let buildSeconds = seconds(since: t0)
        print(String(format: "graph build: %.2f s (%d edges with reverses, %d relations)", buildSeconds, graph.edgeCount,
                     graph.relations.count))

        // Random unit text vectors stand in for encoder output: the work does not depend on their values.
        let text = Tensor.randomNormal([products, textDimension], using: &rng)           // (P, T)
        for r in 0..<products {
            let row = text.data + r * textDimension
            var norm: Float = 0
            for k in 0..<textDimension { norm += row[k] * row[k] }
            Kernels.scale(row, row, 1 / Swift.max(norm.squareRoot(), 1e-6), textDimension)
        }
        if textNeighbors > 0 && textDimension > 0 {
            // The text graph (`weft train --text-neighbors`): 2·P²·T flops of cosines plus the top-K selection.
            t0 = BenchTiming.now()
            let neighbors = TextNeighbors.build(text: text, candidates: [Bool](repeating: true, count: products), k: textNeighbors)
            let textGraphSeconds = seconds(since: t0)
            let gflops = 2 * Double(products) * Double(products) * Double(textDimension) / textGraphSeconds / 1e9
            print(String(format: "text graph: %d products × %d-wide text, K %d, %d edges in %.2f s (%.1f GFLOP/s of cosines, selection included)",
                         products, textDimension, textNeighbors, neighbors.edgeCount, textGraphSeconds, gflops))
            fields["text_graph_build_s"] = BenchTiming.round(textGraphSeconds, 2)
            fields["text_graph_gflops"] = BenchTiming.round(gflops, 1)
        }
        var configuration = GNNConfiguration()
        if textDimension > 0 { configuration.textDimensions = [.product: textDimension] }
        let inputs = WeftGNN.Inputs(text: textDimension > 0 ? [.product: text] : [:])
        let model = WeftGNN(configuration: configuration, nodeCounts: graph.nodeCounts, relations: graph.relations,
                            using: &rng)
        let training = GNNTrainingOptions()
        let optimizer = AdamW(parameters: model.namedParameters(), learningRate: training.learningRate, weightDecay: 0)
        let sampler = NeighborSampler(graph: graph, fanout: Array(training.fanouts.prefix(configuration.layers)))
        let batch = training.batchSize
        let batchesPerEpoch = (data.count + batch - 1) / batch
        let timed = gnnBatches == 0 ? batchesPerEpoch : Swift.min(gnnBatches, batchesPerEpoch)
        let warmup = gnnBatches == 0 ? 0 : Swift.min(2, batchesPerEpoch - timed)
        print("Weft GNN: \(model.parameterCount) parameters, \(configuration.layers) layers, fan-outs \(sampler.fanouts.count) hops \(training.fanouts.prefix(configuration.layers)), batch \(batch), \(batchesPerEpoch) batches per epoch")

        let order = rng.permutation(data.count)
        var batchSeconds: [Double] = [], sampleSeconds = 0.0
        var lossSum = 0.0
        for b in 0..<(warmup + timed) {
            let started = BenchTiming.now()
            let slice = order[(b * batch)..<Swift.min((b + 1) * batch, data.count)]
            let batchUsers = slice.map { data.users[$0] }, positives = slice.map { data.products[$0] }
            let negatives = batchUsers.map { u -> Int32 in
                while true {
                    let n = Int32(rng.nextInt(below: products))
                    if !graph.hasEdge(from: Int(u), to: Int(n), in: .interacted) { return n }
                }
            }
            var forward = Set<Int64>(), backward = Set<Int64>()
            for (u, p) in zip(batchUsers, positives) {
                forward.insert(Int64(u) << 32 | Int64(p))
                backward.insert(Int64(p) << 32 | Int64(u))
            }
            let sample = sampler.sample(seeds: [.user: batchUsers, .product: positives + negatives],
                                        excluding: [.interacted: forward, Relation.interacted.reversed: backward],
                                        using: &rng)
            let sampled = BenchTiming.now()
            let tape = Tape()
            let out = model(sample.subgraph, inputs: inputs, tape: tape, training: true, using: &rng)
            let productLocal = sample.seedLocalIds[.product]!, n = batchUsers.count
            let u = tape.gatherRows(out[.user]!, ids: sample.seedLocalIds[.user]!)          // (B, D)
            let p = tape.gatherRows(out[.product]!, ids: Array(productLocal[0..<n]))         // (B, D)
            let q = tape.gatherRows(out[.product]!, ids: Array(productLocal[n..<(2 * n)]))   // (B, D)
            let loss = tape.scale(tape.mean(tape.logSigmoid(tape.sub(tape.rowDot(u, p), tape.rowDot(u, q)))), -1)
            tape.backward(loss)
            _ = clipGradientNorm(model.parameters, maxNorm: training.gradientClip)
            optimizer.update()
            model.zeroGradients()
            lossSum += Double(loss.value.scalar)
            if b >= warmup {
                batchSeconds.append(seconds(since: started))
                sampleSeconds += Double(sampled - started) / 1e9
            }
            if b == warmup {
                print("  first timed batch: subgraph of \(sample.subgraph.nodeTypes.map { "\(sample.subgraph.count($0)) \($0)" }.joined(separator: ", ")), \(sample.subgraph.edgeCount) message edges")
            }
        }
        let meanBatch = batchSeconds.reduce(0, +) / Double(batchSeconds.count)
        let epochSeconds = meanBatch * Double(batchesPerEpoch)
        let extrapolated = timed < batchesPerEpoch
        print(String(format: "Weft GNN training: %.3f s per batch (%.0f%% neighbour sampling), loss %.4f; epoch %.0f s%@",
                     meanBatch, 100 * sampleSeconds / batchSeconds.reduce(0, +), lossSum / Double(warmup + timed),
                     epochSeconds, extrapolated ? " (extrapolated from \(timed) of \(batchesPerEpoch) batches)" : ""))

        // Scoring: products embedded once (sampled neighbourhoods), then per user chunk:
        // embed the users, dot with every product, top 20 of the products they have not interacted with.
        var inferenceRNG = SeededGenerator(seed: seed &+ 2)
        t0 = BenchTiming.now()
        let d = configuration.dimension
        let productEmbeddings = Tensor(zeros: [products, d])                             // (P, D)
        let chunk = 4096
        for start in stride(from: 0, to: products, by: chunk) {
            let ids = (Int32(start)..<Int32(Swift.min(start + chunk, products))).map { $0 }
            let rows = embed(model, sampler, inputs, .product, ids, &inferenceRNG)
            (productEmbeddings.data + start * d).update(from: rows.data, count: rows.count)
        }
        let productSeconds = seconds(since: t0)
        let scored = (0..<scoreUsers).map { _ in Int32(inferenceRNG.nextInt(below: users)) }
        var recommended = [[Int32]](repeating: [], count: scored.count)
        t0 = BenchTiming.now()
        let userChunk = 256
        for start in stride(from: 0, to: scored.count, by: userChunk) {
            let ids = Array(scored[start..<Swift.min(start + userChunk, scored.count)])
            let scores = embed(model, sampler, inputs, .user, ids, &inferenceRNG)
                .matmul(productEmbeddings, transposeOther: true)                        // (chunk, P)
            recommended.withUnsafeMutableBufferPointer { lists in
                parallelFor(ids.count) { range in
                    for i in range {
                        let user = Int(ids[i])
                        lists[start + i] = RankingMetrics.topK(scores: scores.data + i * products, count: products, k: 20) {
                            !graph.hasEdge(from: user, to: $0, in: .interacted)
                        }
                    }
                }
            }
        }
        let scoreSeconds = seconds(since: t0)
        precondition(recommended.allSatisfy { $0.count == 20 })
        let usersPerSecond = Double(scored.count) / scoreSeconds
        print(String(format: "scoring: %d products embedded in %.1f s; %.0f users/s (embed + score %d products + top 20)",
                     products, productSeconds, usersPerSecond, products))
        let peak = ResidentMemory.peakGigabytes()
        print(String(format: "peak resident memory (VmHWM) of part 1: %.2f GB", peak))

        fields["big_graph_users"] = users
        fields["big_graph_products"] = products
        fields["big_graph_interactions"] = data.count
        fields["big_graph_generate_s"] = BenchTiming.round(generateSeconds, 2)
        fields["big_graph_build_s"] = BenchTiming.round(buildSeconds, 2)
        fields["big_graph_epoch_s"] = BenchTiming.round(epochSeconds, 1)
        fields["big_graph_epoch_extrapolated_from_batches"] = extrapolated ? timed : 0
        fields["big_graph_batch_s"] = BenchTiming.round(meanBatch, 4)
        fields["big_graph_peak_rss_gb"] = BenchTiming.round(peak, 2)
        fields["big_graph_product_embedding_s"] = BenchTiming.round(productSeconds, 2)
        fields["big_graph_users_scored_per_s"] = BenchTiming.round(usersPerSecond, 1)
    }

    /// Inference-mode GNN outputs (N, D) for `ids` of `type`, each on its sampled neighbourhood.
    func embed(_ model: WeftGNN, _ sampler: NeighborSampler, _ inputs: WeftGNN.Inputs, _ type: NodeType, _ ids: [Int32],
               _ rng: inout SeededGenerator) -> Tensor {
        let sample = sampler.sample(seeds: [type: ids], using: &rng)
        let out = model(sample.subgraph, inputs: inputs, tape: Tape.inference, training: false, using: &rng)
        return Tape.inference.gatherRows(out[type]!, ids: sample.seedLocalIds[type]!).value
    }

    // MARK: Part 2

    func lightGCN(into fields: inout [String: Any]) throws {
        // Part 1's pooled tensor buffers and freed heap go back to the system first, so this peak is part 2's own.
        BufferPool.shared.drain()
        #if os(Linux)
        _ = glibcMallocTrim(0)
        #endif
        ResidentMemory.resetPeak()
        let data = SyntheticInteractions(users: lightgcnUsers, products: lightgcnItems,
                                         interactions: lightgcnInteractions, seed: seed &+ 100)
        let checksum = data.checksum
        print("LightGCN graph: \(lightgcnUsers) users, \(lightgcnItems) items, \(data.count) interactions, checksum \(checksum)")
        if let lightgcnEdges {
            try data.write(to: lightgcnEdges)
            print("  written to \(lightgcnEdges)")
        }
        let pairs = UserProductPairs(users: data.users, products: data.products)
        let split = InteractionSplit(evaluationProtocol: .random811, seed: seed, userCount: lightgcnUsers,
                                     productCount: lightgcnItems, train: pairs, validation: UserProductPairs(),
                                     test: UserProductPairs())
        let graph = try HeteroGraph(nodeCounts: [.user: lightgcnUsers, .product: lightgcnItems], edges: [])
        // No validation: the bench times training only (the closure is called once, after the last epoch).
        let context = TrainingContext(dataset: Dataset(name: "synthetic"), split: split, graph: graph, productText: nil,
                                      seed: seed, validate: { _ in 0 })
        var options = BPRTrainingOptions()
        options.maximumEpochs = lightgcnEpochs
        options.evaluateEvery = lightgcnEpochs
        let model = LightGCN(layers: 3, options: options)
        model.usesFusedStep = !lightgcnTape
        try model.fit(context)
        let best = model.epochSeconds.min()!
        print("LightGCN (3 layers, dim 64, batch 4096, \(lightgcnTape ? "tape" : "fused step")): " + model.epochSeconds.map { String(format: "%.2f", $0) }
            .joined(separator: ", ") + " s per epoch; peak resident memory \(String(format: "%.2f", ResidentMemory.peakGigabytes())) GB")
        fields["lightgcn_epoch_s"] = BenchTiming.round(best, 2)
        fields["lightgcn_training_step"] = lightgcnTape ? "tape" : "fused"
        fields["lightgcn_epochs_s"] = model.epochSeconds.map { BenchTiming.round($0, 2) }
        fields["lightgcn_interactions"] = data.count
        fields["lightgcn_users"] = lightgcnUsers
        fields["lightgcn_items"] = lightgcnItems
        fields["lightgcn_edge_checksum"] = String(checksum)
    }

    func seconds(since start: UInt64) -> Double { Double(BenchTiming.now() - start) / 1e9 }
}

#if os(Linux)
/// glibc's malloc_trim (not exported by the Glibc module): returns freed heap memory to the system.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif

/// Peak resident memory of this process from /proc/self/status (Linux).
enum ResidentMemory {
    /// VmHWM in GB (0 where /proc is missing).
    static func peakGigabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024 / 1e9
    }

    /// Resets VmHWM to the current resident size (writing 5 to clear_refs), so
    /// each part of a bench reports its own peak; silently does nothing where unsupported.
    static func resetPeak() {
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            try? handle.write(contentsOf: Data("5".utf8))
            try? handle.close()
        }
    }
}
