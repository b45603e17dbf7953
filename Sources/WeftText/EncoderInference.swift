import WeftCore

/// The encoder's forward without the tape, for embedding text fast.
///
/// - Sequences are sorted by length and cut into batches of similar
///   lengths, then packed row after row with no padding: every linear layer
///   runs on the N real tokens only, and attention runs per (sequence, head)
///   on that sequence's own keys, so padding costs nothing.
/// - Query, key and value come from one (N, C) × (C, 3C) sgemm; attention
///   reads each head's columns in place (see `AttentionKernels`) and writes
///   straight into the merged-heads context buffer.
/// - Bias, residual and LayerNorm are one fused pass per row; so are bias and GELU.
///   A pre-LN model (`LayerNormPlacement.pre`) adds bias and residual in one
///   pass and normalises each sub-layer's input into a scratch buffer.
/// - All buffers live in an `EncoderWorkspace`, allocated once.
/// - Work is split across the cores two ways, always by Weft's own workers
///   over single-threaded BLAS. A batch with at least as many sequences as
///   workers is sharded by sequence: each worker runs every layer on its own
///   sequences, so the cores never wait for each other. A smaller batch (one
///   text) runs each op across all cores instead: sgemms split by output
///   columns, attention by head, row kernels by rows.
///
/// The embedding tables, biases and LayerNorm weights are the encoder's own
/// tensors (shared storage); the linear weights are transposed copies:
/// build a new `EncoderInference` after training the encoder.
public final class EncoderInference: @unchecked Sendable {
    public let config: BertConfig

    /// Linear weights are stored transposed, (in, out), so each projection
    /// is a plain X · W sgemm (OpenBLAS packs this layout a little faster).
    struct Layer {
        let projectionWeight: Tensor            // (C, 3C) query, key and value weights side by side
        let projectionBias: Tensor              // (3C)
        let attentionOutputWeight: Tensor       // (C, C)
        let attentionOutputBias: Tensor         // (C)
        let attentionNormWeight: Tensor         // (C)
        let attentionNormBias: Tensor           // (C)
        let intermediateWeight: Tensor          // (C, I)
        let intermediateBias: Tensor            // (I)
        let outputWeight: Tensor                // (I, C)
        let outputBias: Tensor                  // (C)
        let outputNormWeight: Tensor            // (C)
        let outputNormBias: Tensor              // (C)
    }

    let finalNormWeight: Tensor?      // (C), pre-LN only
    let finalNormBias: Tensor?        // (C)

    let wordEmbeddings: Tensor        // (V, C)
    let positionEmbeddings: Tensor    // (P, C)
    let tokenTypeEmbeddings: Tensor   // (types, C)
    let embeddingNormWeight: Tensor   // (C)
    let embeddingNormBias: Tensor     // (C)
    let layers: [Layer]

    public init(_ encoder: TransformerEncoder) {
        config = encoder.config
        let e = encoder.embeddings
        wordEmbeddings = e.wordEmbeddings.weight.value
        positionEmbeddings = e.positionEmbeddings.weight.value
        tokenTypeEmbeddings = e.tokenTypeEmbeddings.weight.value
        embeddingNormWeight = e.layerNorm.weight.value
        embeddingNormBias = e.layerNorm.bias.value
        finalNormWeight = encoder.finalLayerNorm?.weight.value
        finalNormBias = encoder.finalLayerNorm?.bias.value
        let c = config.hiddenSize
        layers = encoder.layers.map { layer in
            let a = layer.attention
            let projection = Tensor(uninitialized: [c, 3 * c]), bias = Tensor(uninitialized: [3 * c])
            for (k, linear) in [a.query, a.key, a.value].enumerated() {
                Self.transpose(linear.weight.value, into: projection.data + k * c, stride: 3 * c)
                (bias.data + k * c).update(from: linear.bias!.value.data, count: c)
            }
            return Layer(projectionWeight: projection, projectionBias: bias,
                         attentionOutputWeight: Self.transposed(a.outputDense.weight.value),
                         attentionOutputBias: a.outputDense.bias!.value,
                         attentionNormWeight: a.outputLayerNorm.weight.value, attentionNormBias: a.outputLayerNorm.bias.value,
                         intermediateWeight: Self.transposed(layer.intermediate.weight.value),
                         intermediateBias: layer.intermediate.bias!.value,
                         outputWeight: Self.transposed(layer.output.weight.value), outputBias: layer.output.bias!.value,
                         outputNormWeight: layer.outputLayerNorm.weight.value, outputNormBias: layer.outputLayerNorm.bias.value)
        }
    }

    /// Writes W (out, in) transposed as `in` rows of `out` values at row stride `stride`.
    private static func transpose(_ w: Tensor, into destination: UnsafeMutablePointer<Float>, stride: Int) {
        let (rows, columns) = (w.shape[0], w.shape[1])
        for r in 0..<rows { for j in 0..<columns { destination[j * stride + r] = w.data[r * columns + j] } }
    }

    private static func transposed(_ w: Tensor) -> Tensor {
        let t = Tensor(uninitialized: [w.shape[1], w.shape[0]])
        transpose(w, into: t.data, stride: w.shape[0])
        return t
    }

    /// Buffers for batches of up to `maximumBatchSize` sequences of up to
    /// `maximumLength` tokens (default: the model's position count).
    public func makeWorkspace(maximumBatchSize: Int, maximumLength: Int? = nil) -> EncoderWorkspace {
        EncoderWorkspace(config: config, maximumBatchSize: max(1, maximumBatchSize),
                         maximumLength: min(maximumLength ?? config.maximumPositionCount, config.maximumPositionCount),
                         workers: Parallelism.threadCount)
    }

    // MARK: Public entry points

    /// One vector per sequence, written to row i of `output` (count × C) for
    /// sequence i. Each sequence holds token ids with its special tokens,
    /// 1 … workspace.maximumLength of them. Sequences are processed in
    /// batches of up to `workspace.maximumBatchSize`, grouped by length.
    /// `tokenTypeIds` (same lengths as the sequences) gives segment ids for
    /// sentence pairs; nil means segment 0 throughout.
    public func pool(_ sequences: [[Int32]], tokenTypeIds: [[Int32]]? = nil, mode: PoolingMode, normalize: Bool,
                     workspace: EncoderWorkspace, into output: UnsafeMutablePointer<Float>) throws(EncoderError) {
        try validate(sequences, tokenTypeIds, workspace)
        let c = config.hiddenSize
        forEachBatch(sequences, tokenTypeIds, workspace) { batch in
            for (k, index) in batch.enumerated() {
                let first = workspace.offsets[k], count = workspace.offsets[k + 1] - first
                let row = output + index * c
                let rows = workspace.hidden.data + first * c
                switch mode {
                case .cls:
                    row.update(from: rows, count: c)
                case .mean:
                    row.update(from: rows, count: c)
                    for r in 1..<count { Kernels.add(row, row, rows + r * c, c) }
                    Kernels.scale(row, row, 1 / Float(count), c)
                }
                if normalize {
                    let norm = Kernels.dot(row, row, c).squareRoot()
                    Kernels.scale(row, row, 1 / max(norm, 1e-12), c)
                }
            }
        }
    }

    /// `pool` returning an array (count × C), for callers that do not keep an output buffer.
    public func pool(_ sequences: [[Int32]], tokenTypeIds: [[Int32]]? = nil, mode: PoolingMode, normalize: Bool,
                     workspace: EncoderWorkspace) throws(EncoderError) -> Tensor {
        let out = Tensor(uninitialized: [sequences.count, config.hiddenSize])
        try pool(sequences, tokenTypeIds: tokenTypeIds, mode: mode, normalize: normalize, workspace: workspace,
                 into: out.data)
        return out
    }

    /// The last hidden state of every sequence, (length, C) each: for tests
    /// and for callers that pool in their own way.
    public func hiddenStates(_ sequences: [[Int32]], tokenTypeIds: [[Int32]]? = nil,
                             workspace: EncoderWorkspace) throws(EncoderError) -> [Tensor] {
        try validate(sequences, tokenTypeIds, workspace)
        let c = config.hiddenSize
        var result = [Tensor](repeating: Tensor(zeros: [0]), count: sequences.count)
        forEachBatch(sequences, tokenTypeIds, workspace) { batch in
            for (k, index) in batch.enumerated() {
                let first = workspace.offsets[k], count = workspace.offsets[k + 1] - first
                let t = Tensor(uninitialized: [count, c])
                t.data.update(from: workspace.hidden.data + first * c, count: count * c)
                result[index] = t
            }
        }
        return result
    }

    // MARK: Batching

    private func validate(_ sequences: [[Int32]], _ tokenTypeIds: [[Int32]]?,
                          _ workspace: EncoderWorkspace) throws(EncoderError) {
        guard workspace.hidden.lastDimension == config.hiddenSize,
              workspace.scratch.lastDimension == max(config.hiddenSize, config.intermediateSize) else {
            throw .invalidInput(reason: "the workspace was made for another model")
        }
        let vocabulary = Int32(config.vocabularySize)
        for (i, s) in sequences.enumerated() {
            guard !s.isEmpty, s.count <= workspace.maximumLength else {
                throw .invalidInput(reason: "sequence \(i) has \(s.count) tokens; 1 to \(workspace.maximumLength) are allowed")
            }
            if let bad = s.first(where: { $0 < 0 || $0 >= vocabulary }) {
                throw .invalidInput(reason: "sequence \(i) holds token id \(bad), outside the vocabulary of \(vocabulary)")
            }
        }
        guard let tokenTypeIds else { return }
        guard tokenTypeIds.count == sequences.count else {
            throw .invalidInput(reason: "\(tokenTypeIds.count) token type sequences for \(sequences.count) sequences")
        }
        let types = Int32(config.tokenTypeCount)
        for (i, (s, t)) in zip(sequences, tokenTypeIds).enumerated() {
            guard s.count == t.count else {
                throw .invalidInput(reason: "sequence \(i) has \(s.count) tokens but \(t.count) token type ids")
            }
            if let bad = t.first(where: { $0 < 0 || $0 >= types }) {
                throw .invalidInput(reason: "sequence \(i) holds token type id \(bad), outside 0..<\(types)")
            }
        }
    }

    /// Sorts sequences by length, packs each batch into the workspace, runs
    /// the forward and hands `body` the original indices of the batch's
    /// sequences (the k-th of which occupies rows offsets[k] ..< offsets[k+1]).
    private func forEachBatch(_ sequences: [[Int32]], _ tokenTypeIds: [[Int32]]?, _ ws: EncoderWorkspace,
                              _ body: (ArraySlice<Int>) -> Void) {
        let order = sequences.indices.sorted { sequences[$0].count < sequences[$1].count }
        var start = 0
        while start < order.count {
            let end = min(order.count, start + ws.maximumBatchSize)
            let batch = order[start..<end]
            var row = 0
            for (k, index) in batch.enumerated() {
                ws.offsets[k] = row
                let s = sequences[index]
                s.withUnsafeBufferPointer { (ws.ids + row).update(from: $0.baseAddress!, count: s.count) }
                for p in 0..<s.count { ws.positions[row + p] = Int32(p) }
                if let types = tokenTypeIds?[index] {
                    types.withUnsafeBufferPointer { (ws.tokenTypes + row).update(from: $0.baseAddress!, count: s.count) }
                } else {
                    (ws.tokenTypes + row).update(repeating: 0, count: s.count)
                }
                row += s.count
            }
            ws.offsets[batch.count] = row
            forward(sequenceCount: batch.count, ws)
            body(batch)
            start = end
        }
    }

    // MARK: Forward

    /// Runs all layers on the packed batch in `ws` (sequences 0..<count).
    /// OpenBLAS stays single-threaded throughout: its idle threads spin
    /// (sched_yield) between calls and would steal the cores from Weft's own
    /// workers, so every parallel split is Weft's.
    func forward(sequenceCount count: Int, _ ws: EncoderWorkspace) {
        let workers = min(ws.workers, Parallelism.threadCount)
        let tokens = ws.offsets[count]
        BLAS.withSingleThread {
            // Each shard must be big enough for its sgemms to run at full speed on one core.
            if workers > 1 && count >= workers && tokens >= 64 * workers {
                let shards = balancedShards(count, workers, ws)
                WorkerPool.forEachItem(shards.count, workers: workers) { worker, shard in
                    forwardShard(shards[shard], worker: worker, parallel: false, workers: 1, ws)
                }
            } else {
                forwardShard(0..<count, worker: 0, parallel: workers > 1, workers: workers, ws)
            }
        }
    }

    /// C (m, n) = A (m, k) · W with W (k, n), the transposed weight of a
    /// PyTorch Linear without its bias. With several workers, each takes a
    /// block of output columns, so each reads only its share of the weights.
    @inline(__always)
    private func linear(_ a: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                        m: Int, n: Int, k: Int, workers: Int) {
        guard workers > 1 else {
            BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, b: w, beta: 0, c: c)
            return
        }
        // Blocks of whole 16-column panels, one per worker.
        let block = ((n + workers - 1) / workers + 15) / 16 * 16
        WorkerPool.forEachItem((n + block - 1) / block, workers: workers) { _, item in
            let j = item * block, width = min(block, n - j)
            BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: width, k: k, a: a, lda: k,
                       b: w + j, ldb: n, beta: 0, c: c + j, ldc: n)
        }
    }

    /// Splits sequences 0..<count into at most `workers` contiguous groups of about equal token counts.
    private func balancedShards(_ count: Int, _ workers: Int, _ ws: EncoderWorkspace) -> [Range<Int>] {
        let total = ws.offsets[count]
        var shards: [Range<Int>] = []
        var start = 0
        for w in 1...workers {
            let target = total * w / workers
            var end = start
            while end < count && (ws.offsets[end + 1] <= target || end == start) { end += 1 }
            if w == workers { end = count }
            if end > start { shards.append(start..<end) }
            start = end
        }
        return shards
    }

    /// Every layer for sequences `range`, on their rows of the workspace.
    /// `parallel`: spread each op over `workers` workers (else run on this
    /// thread, using the attention scratch of `worker`).
    private func forwardShard(_ range: Range<Int>, worker: Int, parallel: Bool, workers: Int, _ ws: EncoderWorkspace) {
        let c = config.hiddenSize, inner = config.intermediateSize, eps = config.layerNormEpsilon
        let heads = config.attentionHeadCount, d = config.headSize
        let scale = 1 / Float(d).squareRoot()
        let first = ws.offsets[range.lowerBound]
        let n = ws.offsets[range.upperBound] - first
        if n == 0 { return }
        let hidden = ws.hidden.data + first * c                     // (n, C)
        let projections = ws.projections.data + first * 3 * c       // (n, 3C)
        let context = ws.context.data + first * c                   // (n, C)
        let scratch = ws.scratch.data + first * ws.scratch.lastDimension  // (n, C) or (n, I)
        let ids = ws.ids + first, positions = ws.positions + first, types = ws.tokenTypes + first

        func rows(_ body: (Range<Int>) -> Void) {
            if parallel {
                WorkerPool.forEachRange(n, minimumPerWorker: 16, workers: workers) { _, r in body(r) }
            } else {
                body(0..<n)
            }
        }

        let word = wordEmbeddings.data, position = positionEmbeddings.data, type = tokenTypeEmbeddings.data
        let embedWeight = embeddingNormWeight.data, embedBias = embeddingNormBias.data
        rows { r in
            for i in r {
                InferenceKernels.embed(hidden + i * c, word: word + Int(ids[i]) * c,
                                       position: position + Int(positions[i]) * c, type: type + Int(types[i]) * c,
                                       weight: embedWeight, shift: embedBias, width: c, eps: eps)
            }
        }

        let probabilities = ws.attentionScratch.data
        let block = ws.maximumLength * ws.maximumLength
        let pre = config.layerNormPlacement == .pre
        for layer in layers {
            // Pre-LN: the attention reads LN(x), put in `scratch`; the stream `hidden` stays x.
            if pre {
                let w = layer.attentionNormWeight.data, b = layer.attentionNormBias.data
                rows { r in
                    for i in r { InferenceKernels.layerNorm(scratch + i * c, hidden + i * c, weight: w, shift: b, width: c, eps: eps) }
                }
            }
            linear(pre ? scratch : hidden, layer.projectionWeight.data, projections, m: n, n: 3 * c, k: c, workers: workers)
            let bias = layer.projectionBias.data
            let attend = { (w: Int, item: Int) in
                let s = range.lowerBound + item / heads, h = item % heads
                let start = ws.offsets[s] - first, length = ws.offsets[s + 1] - ws.offsets[s]
                let q = projections + start * 3 * c + h * d
                // The head's biases are added here, on rows about to be read.
                for part in 0..<3 {
                    InferenceKernels.addBias(q + part * c, rows: length, stride: 3 * c, bias: bias + part * c + h * d,
                                             width: d)
                }
                AttentionKernels.forwardHead(
                    query: q, queryStride: 3 * c, key: q + c, keyStride: 3 * c, value: q + 2 * c, valueStride: 3 * c,
                    output: context + start * c + h * d, outputStride: c, queryCount: length, keyCount: length,
                    headSize: d, scale: scale, keyMask: nil, probabilities: probabilities + w * block)
            }
            let items = range.count * heads
            if parallel {
                // Worker indices stay below the workspace's count of attention scratch blocks.
                WorkerPool.forEachItem(items, workers: workers, attend)
            } else {
                for item in 0..<items { attend(worker, item) }
            }

            linear(context, layer.attentionOutputWeight.data, scratch, m: n, n: c, k: c, workers: workers)
            let ob = layer.attentionOutputBias.data, nw = layer.attentionNormWeight.data, nb = layer.attentionNormBias.data
            rows { r in
                for i in r {
                    if pre {
                        InferenceKernels.biasResidual(hidden + i * c, scratch + i * c, bias: ob, width: c)
                    } else {
                        InferenceKernels.biasResidualLayerNorm(hidden + i * c, scratch + i * c, bias: ob, weight: nw,
                                                               shift: nb, width: c, eps: eps)
                    }
                }
            }

            // Pre-LN: the feed-forward reads LN(h), put in `context` (free until the second projection).
            if pre {
                let w = layer.outputNormWeight.data, b = layer.outputNormBias.data
                rows { r in
                    for i in r { InferenceKernels.layerNorm(context + i * c, hidden + i * c, weight: w, shift: b, width: c, eps: eps) }
                }
            }
            linear(pre ? context : hidden, layer.intermediateWeight.data, scratch, m: n, n: inner, k: c, workers: workers)
            let ib = layer.intermediateBias.data
            rows { r in
                for i in r { InferenceKernels.biasGELU(scratch + i * inner, bias: ib, width: inner) }
            }
            linear(scratch, layer.outputWeight.data, context, m: n, n: c, k: inner, workers: workers)
            let fb = layer.outputBias.data, fw = layer.outputNormWeight.data, fnb = layer.outputNormBias.data
            rows { r in
                for i in r {
                    if pre {
                        InferenceKernels.biasResidual(hidden + i * c, context + i * c, bias: fb, width: c)
                    } else {
                        InferenceKernels.biasResidualLayerNorm(hidden + i * c, context + i * c, bias: fb, weight: fw,
                                                               shift: fnb, width: c, eps: eps)
                    }
                }
            }
        }
        if let finalNormWeight, let finalNormBias {
            let w = finalNormWeight.data, b = finalNormBias.data
            rows { r in
                for i in r { InferenceKernels.layerNorm(hidden + i * c, hidden + i * c, weight: w, shift: b, width: c, eps: eps) }
            }
        }
    }
}
