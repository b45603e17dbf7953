import Foundation
import WeftNN

/// Two texts that should embed close together, and the product(s) they
/// belong to (a batch never holds two pairs of one product, since the other
/// pair's texts would be false negatives).
public struct TextPair: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A product's own text and one of its reviews.
        case productReview = "product_review"
        /// Two reviews of one product.
        case reviewReview = "review_review"
        /// A product's text and the text of a product bought with it.
        case alsoBought = "also_bought"
    }

    public let first: String
    public let second: String
    public let kind: Kind
    /// Products the pair is about (one, or two for `alsoBought`).
    public let products: [String]

    public init(first: String, second: String, kind: Kind, products: [String]) {
        self.first = first
        self.second = second
        self.kind = kind
        self.products = products
    }

    /// The training pairs of `dataset` restricted to `products`: every
    /// (product text, review); up to `reviewPairsPerProduct` pairs of
    /// consecutive reviews per product; every also-bought link whose two ends
    /// are in `products` and have text.
    public static func pairs(from dataset: ProductTextDataset, products: Set<String>,
                             reviewPairsPerProduct: Int = 8) -> [TextPair] {
        var pairs: [TextPair] = []
        for p in dataset.products where products.contains(p.id) {
            if let text = p.text {
                for review in p.reviews { pairs.append(TextPair(first: text, second: review, kind: .productReview, products: [p.id])) }
                for other in p.alsoBought where products.contains(other) && other != p.id {
                    if let otherText = dataset.product(other)?.text {
                        pairs.append(TextPair(first: text, second: otherText, kind: .alsoBought, products: [p.id, other]))
                    }
                }
            }
            if p.reviews.count >= 2 {
                for i in 0..<min(reviewPairsPerProduct, p.reviews.count - 1) {
                    pairs.append(TextPair(first: p.reviews[i], second: p.reviews[i + 1], kind: .reviewReview, products: [p.id]))
                }
            }
        }
        return pairs
    }
}

/// Settings of the contrastive phase.
public struct ContrastiveOptions: Sendable, Codable, Equatable {
    public var steps = 1000
    /// Pairs per batch (B); each pair's partner is its positive, the other B − 1 second texts its negatives.
    public var batchSize = 32
    /// Tokens per text, `[CLS]` and `[SEP]` included; longer texts are truncated.
    public var maximumLength = 128
    public var peakLearningRate: Float = 1e-4
    public var warmupSteps = 100
    public var weightDecay: Float = 0.01
    public var maximumGradientNorm: Float = 1
    /// τ in softmax(cos / τ).
    public var temperature: Float = 0.05
    public var seed: UInt64 = 0

    public init() {}
}

/// Sentence-embedding training with in-batch negatives (InfoNCE, as
/// sentence-transformers' MultipleNegativesRankingLoss, made symmetric):
///
///   a_i, b_i = normalize(meanpool(Encoder(first_i))), normalize(meanpool(Encoder(second_i)))
///   S = A Bᵀ / τ                                          (B, B)
///   L = ½ [ CE(S, diag) + CE(Sᵀ, diag) ]
///
/// Pairs are drawn in a seeded random order; a pair whose product is
/// already in the batch waits for the next one.
public final class ContrastiveFineTuner {
    /// Everything besides the weights and optimizer moments that the next
    /// steps depend on: with it a resumed run continues bit for bit.
    public struct Progress: Sendable, Codable, Equatable {
        public var step: Int
        public var epoch: Int
        public var cursor: Int
        /// Pairs deferred from the last batch (their product clashed with it).
        public var waiting: [Int]
        /// The dropout generator.
        public var generator: SeededGenerator
    }

    public let encoder: TransformerEncoder
    public let options: ContrastiveOptions
    public let optimizer: AdamW
    public private(set) var step = 0
    let pairs: [(first: [Int32], second: [Int32], products: [String])]
    private let paddingId: Int32
    private var order: [Int] = []
    private var cursor = 0
    private var epoch = 0
    private var waiting: [Int] = []
    private var rng: SeededGenerator

    public init(encoder: TransformerEncoder, tokenizer: any Tokenizer, pairs: [TextPair],
                options: ContrastiveOptions) throws {
        guard options.batchSize >= 2 else {
            throw TrainingError.invalidOption(name: "--batch-size", reason: "in-batch negatives need at least 2 pairs, got \(options.batchSize)")
        }
        guard options.temperature > 0 else {
            throw TrainingError.invalidOption(name: "--temperature", reason: "must be positive, got \(options.temperature)")
        }
        guard options.maximumLength >= 3 && options.maximumLength <= encoder.config.maximumPositionCount else {
            throw TrainingError.invalidOption(name: "--max-length", reason: "must be in 3...\(encoder.config.maximumPositionCount), got \(options.maximumLength)")
        }
        let distinct = Set(pairs.flatMap(\.products)).count
        guard distinct >= options.batchSize else {
            throw TrainingError.insufficientData(reason: "\(pairs.count) pairs over \(distinct) products cannot fill batches of \(options.batchSize) distinct products")
        }
        self.encoder = encoder
        self.options = options
        paddingId = tokenizer.specialTokenIds.padding ?? 0
        var encoded: [(first: [Int32], second: [Int32], products: [String])] = []
        for pair in pairs {
            encoded.append((try tokenizer.encode(pair.first, maxLength: options.maximumLength),
                            try tokenizer.encode(pair.second, maxLength: options.maximumLength), pair.products))
        }
        self.pairs = encoded
        // The MLM head is not trained here: it would only be decayed.
        let trained = encoder.namedParameters().filter { !$0.name.hasPrefix("cls.") }
        optimizer = AdamW(parameters: trained, learningRate: options.peakLearningRate, weightDecay: options.weightDecay)
        rng = SeededGenerator(seed: options.seed ^ 0x243F_6A88_85A3_08D3)
        order = shuffled(epoch: 0)
    }

    public var progress: Progress {
        Progress(step: step, epoch: epoch, cursor: cursor, waiting: waiting, generator: rng)
    }

    /// Continues from a checkpoint's progress and optimizer moments (`lookup` by moment name).
    public func restore(progress: Progress, moments lookup: (String) throws -> Tensor?) throws {
        guard progress.cursor <= pairs.count, progress.waiting.allSatisfy({ $0 >= 0 && $0 < pairs.count }) else {
            throw TrainingError.invalidOption(name: "--resume", reason: "the checkpoint's data position does not fit these \(pairs.count) pairs")
        }
        try optimizer.loadMoments(lookup, step: progress.step)
        step = progress.step
        epoch = progress.epoch
        cursor = progress.cursor
        waiting = progress.waiting
        rng = progress.generator
        order = shuffled(epoch: epoch)
    }

    private func shuffled(epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: options.seed &+ 0x1319_8A2E_0370_7344 &* UInt64(epoch + 1))
        return generator.permutation(pairs.count)
    }

    /// Indices of the next batch: B pairs about distinct products. Pairs that
    /// clash with the batch wait (in order) for the next one.
    func nextBatch() -> [Int] {
        var batch: [Int] = [], used = Set<String>(), deferred: [Int] = []
        let candidates = waiting
        var next = 0, scanned = 0
        while batch.count < options.batchSize {
            let i: Int
            if next < candidates.count {
                i = candidates[next]
                next += 1
            } else {
                if cursor == order.count {
                    epoch += 1
                    cursor = 0
                    order = shuffled(epoch: epoch)
                }
                i = order[cursor]
                cursor += 1
            }
            scanned += 1
            // After a full pass without filling the batch, distinct products cannot be had: accept the clash.
            if pairs[i].products.contains(where: used.contains) && scanned <= pairs.count {
                deferred.append(i)
                continue
            }
            batch.append(i)
            used.formUnion(pairs[i].products)
        }
        waiting = Array((deferred + candidates[next...]).prefix(8 * options.batchSize))
        return batch
    }

    /// One optimizer step; returns the loss and the share of pairs whose partner ranks first.
    @discardableResult
    public func trainStep() throws -> (loss: Float, accuracy: Double) {
        let batch = nextBatch()
        let b = batch.count
        let sequences = batch.map { pairs[$0].first } + batch.map { pairs[$0].second }
        let input = try EncoderInput(sequences: sequences, paddingId: paddingId)
        let tape = Tape()
        let hidden = try encoder(input, tape: tape, training: true, using: &rng)
        let pooled = encoder.pool(hidden, input: input, mode: .mean, normalize: true, tape: tape)   // (2B, C)
        let a = tape.gatherRows(pooled, ids: (0..<b).map(Int32.init))                            // (B, C)
        let p = tape.gatherRows(pooled, ids: (b..<(2 * b)).map(Int32.init))                      // (B, C)
        let targets = (0..<b).map(Int32.init)
        let forward = tape.scale(tape.matmul(a, p, transposeB: true), 1 / options.temperature)  // (B, B)
        let backward = tape.scale(tape.matmul(p, a, transposeB: true), 1 / options.temperature)
        let loss = tape.scale(tape.add(tape.crossEntropy(forward, targets: targets),
                                       tape.crossEntropy(backward, targets: targets)), 0.5)
        let correct = MaskedPredictionTally.correctCount(logits: forward.value, labels: targets)
        tape.backward(loss)
        let parameters = encoder.parameters
        clipGradientNorm(parameters, maxNorm: options.maximumGradientNorm)
        let schedule = LearningRateSchedule(peak: options.peakLearningRate, warmupSteps: min(options.warmupSteps, options.steps),
                                            totalSteps: options.steps, decay: .linear)
        optimizer.learningRate = schedule.learningRate(at: step)
        optimizer.update()
        for parameter in parameters { parameter.grad = nil }
        step += 1
        return (loss.value.data[0], Double(correct) / Double(b))
    }
}
