import Foundation

/// Trains and evaluates models on one split of one dataset (`weft evaluate`).
public enum Evaluation {
    public struct Options {
        public var evaluationProtocol: EvaluationProtocol = .warm
        public var seed: UInt64 = 42
        /// Model names; nil: every model (those that cannot run on this
        /// dataset are reported as such, with the reason).
        public var models: [String]?
        /// (products, T) text embeddings aligned with product indices, and where they came from.
        public var productText: Tensor?
        public var productTextSource: String?
        /// Encodes other texts the same way as the product text (category and
        /// brand names, users' training reviews); nil: only products have text.
        public var textEncoder: (([String]) -> Tensor)?
        /// The ablation's "no transfer learning" text: (products, T′) embeddings
        /// from a randomly initialised encoder of the same architecture as the
        /// one behind `productText`, where they came from, and that encoder for
        /// other texts. Used by `weft-baseline` and `weft+gnn`.
        public var baselineProductText: Tensor?
        public var baselineProductTextSource: String?
        public var baselineTextEncoder: (([String]) -> Tensor)?
        public var bpr = BPRTrainingOptions()
        public var gnn = GNNConfiguration()
        public var gnnTraining = GNNTrainingOptions()
        public var lightGCNLayers = 3
        /// Category names (matched ignoring case) whose products get test
        /// metrics of their own ("category:NAME/ndcg@20", …), e.g. Ciao's "Finance".
        public var sliceCategories: [String] = []
        public var log: (String) -> Void = { _ in }

        public init() {}
    }

    /// Every model name `weft evaluate` knows, in report order.
    public static let modelNames = ["popularity", "bpr-mf", "lightgcn", "text-knn",
                                    "weft-baseline", "weft+tl", "weft+gnn", "weft+tl+gnn"]

    /// Earlier names of the Weft model, still accepted (not run by default):
    /// `weft-nognn` and `weft-gnn` are the model without and with message
    /// passing over whatever product text `productText` holds, or none.
    public static let legacyModelNames = ["weft-nognn", "weft-gnn"]

    /// Which encoder's text a Weft ablation model reads.
    public enum TextSource: Sendable {
        /// The pretrained and fine-tuned encoder (`productText`).
        case transferLearned
        /// The randomly initialised encoder (`baselineProductText`).
        case randomInitialized
    }

    /// Paper A's ablation: each name's text source and whether it runs the GNN's message passing.
    public static let ablation: [String: (text: TextSource, graph: Bool)] = [
        "weft-baseline": (.randomInitialized, false), "weft+tl": (.transferLearned, false),
        "weft+gnn": (.randomInitialized, true), "weft+tl+gnn": (.transferLearned, true),
    ]

    static let noProductText = "no product text embeddings were given"
    static let noTransferLearnedText = "no transfer-learned encoder's product text embeddings were given (--text-embeddings)"
    static let noRandomInitializedText =
        "no random-init encoder's product text embeddings were given (--baseline-text-embeddings)"

    /// Why a model cannot run without the text it needs.
    static func missingTextReason(_ source: TextSource) -> String {
        source == .transferLearned ? noTransferLearnedText : noRandomInitializedText
    }

    /// The models that can run with these inputs, and why the others cannot.
    public static func supportedModels(productText: Tensor?, baselineProductText: Tensor? = nil)
        -> (names: [String], unavailable: [String: String]) {
        var unavailable: [String: String] = [:]
        if productText == nil { unavailable["text-knn"] = noProductText }
        for (name, variant) in ablation {
            let text = variant.text == .transferLearned ? productText : baselineProductText
            if text == nil { unavailable[name] = missingTextReason(variant.text) }
        }
        return (modelNames.filter { unavailable[$0] == nil }, unavailable)
    }

    public static func makeModel(_ name: String, options: Options) throws -> Recommender {
        switch name {
        case "popularity": return PopularityRecommender()
        case "bpr-mf": return BPRMatrixFactorization(options: options.bpr)
        case "lightgcn": return LightGCN(layers: options.lightGCNLayers, options: options.bpr)
        case "text-knn": return TextNearestNeighbors()
        case "weft-gnn": return WeftGNNRecommender(name: name, configuration: options.gnn, options: options.gnnTraining)
        case "weft-nognn":
            var configuration = options.gnn
            configuration.layers = 0
            configuration.idPropagationLayers = 0
            return WeftGNNRecommender(name: name, configuration: configuration, options: options.gnnTraining)
        default:
            guard let variant = ablation[name] else { throw EvaluationError.unknownModel(name, known: modelNames) }
            var configuration = options.gnn
            // Without the graph: no attention layers and no collaborative pathway, only text and IDs.
            if !variant.graph {
                configuration.layers = 0
                configuration.idPropagationLayers = 0
            }
            let model = WeftGNNRecommender(name: name, configuration: configuration, options: options.gnnTraining)
            model.missingTextReason = missingTextReason(variant.text)
            return model
        }
    }

    public static func run(dataset: Dataset, options: Options) throws -> EvaluationReport {
        let unavailable = supportedModels(productText: options.productText,
                                          baselineProductText: options.baselineProductText).unavailable
        let names = options.models ?? modelNames
        for n in names where !modelNames.contains(n) && !legacyModelNames.contains(n) {
            throw EvaluationError.unknownModel(n, known: modelNames)
        }
        let split = InteractionSplit.make(dataset, protocol: options.evaluationProtocol, seed: options.seed)
        let graph = try dataset.graph(interactions: split.train)
        let validation = RankingEvaluator(split: split, phase: .validation, seed: options.seed)
        let test = RankingEvaluator(split: split, phase: .test, seed: options.seed)
        test.slices = try slices(dataset: dataset, split: split, options: options)
        let nodeText = options.textEncoder.map { otherNodeText(dataset: dataset, split: split, encode: $0) } ?? [:]
        let baselineNodeText = names.contains(where: { ablation[$0]?.text == .randomInitialized })
            ? options.baselineTextEncoder.map { otherNodeText(dataset: dataset, split: split, encode: $0) } ?? [:] : [:]
        options.log("split \(options.evaluationProtocol.rawValue): \(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test pairs; \(test.users.count) test users")

        var reports: [EvaluationReport.Model] = []
        var sliceUsers: [String: Int] = [:]
        for name in names {
            if let reason = unavailable[name] {
                options.log("\(name): cannot run: \(reason)")
                reports.append(.init(name: name, metrics: nil, trainSeconds: nil, skipped: reason))
                continue
            }
            let model = try makeModel(name, options: options)
            let randomInitialized = ablation[name]?.text == .randomInitialized
            let context = TrainingContext(dataset: dataset, split: split, graph: graph,
                                          productText: randomInitialized ? options.baselineProductText : options.productText,
                                          nodeText: randomInitialized ? baselineNodeText : nodeText, seed: options.seed,
                                          validate: { validation.evaluate($0).metrics["ndcg@10"] ?? 0 }, log: options.log)
            let started = Date()
            do {
                try model.fit(context)
            } catch let error as RecommenderUnavailable {
                reports.append(.init(name: name, metrics: nil, trainSeconds: nil, skipped: error.reason))
                continue
            }
            let seconds = Date().timeIntervalSince(started)
            let (metrics, users, validationMetrics) = testMetrics(model, validation: validation, test: test)
            sliceUsers = users
            options.log("\(name): " + metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.4f", $0.value))" }
                .joined(separator: ", ") + String(format: " (trained in %.1f s; validation ndcg@10 %.4f)", seconds,
                                                  validationMetrics["ndcg@10"] ?? .nan))
            reports.append(.init(name: name, metrics: metrics, trainSeconds: seconds, skipped: nil,
                                 validationMetrics: validationMetrics, settings: settings(of: model)))
        }
        return EvaluationReport(
            dataset: dataset.name, evaluationProtocol: options.evaluationProtocol.rawValue, seed: options.seed,
            files: dataset.fileDigests, textEmbeddings: options.productText == nil ? nil : options.productTextSource,
            baselineTextEmbeddings: options.baselineProductText == nil ? nil : options.baselineProductTextSource,
            split: .init(train: split.train.count, validation: split.validation.count, test: split.test.count,
                         testUsers: test.users.count, testCandidates: split.testCandidates?.count ?? split.productCount),
            models: reports, slices: test.slices.isEmpty ? nil : sliceUsers)
    }

    /// What `model` was trained with, for the report (nil for models
    /// without settings: popularity, text-kNN).
    static func settings(of model: Recommender) -> EvaluationReport.Settings? {
        switch model {
        case let gnn as WeftGNNRecommender:
            return .init(gnn: gnn.configuration, gnnTraining: gnn.options, bestEpoch: gnn.bestEpoch)
        case let lightGCN as LightGCN:
            return .init(bpr: lightGCN.options, lightGCNLayers: lightGCN.layers)
        case let bpr as BPREmbeddingModel:
            return .init(bpr: bpr.options)
        default:
            return nil
        }
    }

    /// The test slices: under the warm and random-811 protocols, "warm" and
    /// "cold" (products with and without training interactions; the cold
    /// protocol's test is all cold already), then each requested category.
    static func slices(dataset: Dataset, split: InteractionSplit,
                       options: Options) throws -> [(name: String, products: [Bool])] {
        var slices: [(name: String, products: [Bool])] = []
        if options.evaluationProtocol != .cold {
            var trained = [Bool](repeating: false, count: split.productCount)
            for p in split.train.products { trained[Int(p)] = true }
            slices.append(("warm", trained))
            slices.append(("cold", trained.map { !$0 }))
        }
        for wanted in options.sliceCategories {
            guard let c = dataset.categories.firstIndex(where: { $0.caseInsensitiveCompare(wanted) == .orderedSame }) else {
                throw EvaluationError.unknownCategory(wanted, dataset: dataset.name, count: dataset.categories.count)
            }
            slices.append(("category:\(dataset.categories[c])", dataset.products.map { $0.categories.contains(Int32(c)) }))
        }
        return slices
    }

    /// Text of the other node types: category and brand names, and each
    /// user's training reviews (mean of their embeddings; never reviews of
    /// validation or test interactions, which would reveal the held-out product).
    static func otherNodeText(dataset: Dataset, split: InteractionSplit,
                              encode: ([String]) -> Tensor) -> [NodeType: Tensor] {
        var text: [NodeType: Tensor] = [:]
        if !dataset.categories.isEmpty { text[.category] = encode(dataset.categories) }
        if !dataset.brands.isEmpty { text[.brand] = encode(dataset.brands) }
        let train = split.train.adjacency(userCount: split.userCount)
        var reviews: [String] = [], owners: [Int32] = []
        for x in dataset.interactions {
            if let r = x.review, !r.isEmpty, train.contains(row: Int(x.user), target: x.product) {
                reviews.append(r)
                owners.append(x.user)
            }
        }
        if !reviews.isEmpty {
            let encoded = encode(reviews)
            let width = encoded.lastDimension
            let users = Tensor(zeros: [split.userCount, width])
            var counts = [Float](repeating: 0, count: split.userCount)
            for (k, u) in owners.enumerated() {
                Kernels.add(users.data + Int(u) * width, users.data + Int(u) * width, encoded.data + k * width, width)
                counts[Int(u)] += 1
            }
            for u in 0..<split.userCount where counts[u] > 0 {
                Kernels.scale(users.data + u * width, users.data + u * width, 1 / counts[u], width)
            }
            text[.user] = users
        }
        return text
    }

    /// Test ranking metrics, plus pair precision/recall/F1 at the threshold
    /// that maximises F1 on validation pairs, and test AUC; and the
    /// validation phase's recall@K, ndcg@K and AUC of the same model.
    public static func testMetrics(_ model: Recommender, validation: RankingEvaluator, test: RankingEvaluator)
        -> (metrics: [String: Double], sliceUsers: [String: Int], validation: [String: Double]) {
        let v = validation.evaluate(model)
        let t = test.evaluate(model)
        var validationMetrics = v.metrics.filter { $0.key.hasPrefix("recall@") || $0.key.hasPrefix("ndcg@") }
        if let auc = PairClassification.auc(positives: v.positiveScores, negatives: v.negativeScores) {
            validationMetrics["auc"] = auc
        }
        var metrics = t.metrics
        if let threshold = PairClassification.bestThreshold(positives: v.positiveScores, negatives: v.negativeScores) {
            let c = PairClassification.classify(positives: t.positiveScores, negatives: t.negativeScores,
                                                threshold: threshold)
            metrics["precision"] = c.precision
            metrics["recall"] = c.recall
            metrics["f1"] = c.f1
        }
        if let auc = PairClassification.auc(positives: t.positiveScores, negatives: t.negativeScores) {
            metrics["auc"] = auc
        }
        return (metrics, t.sliceUsers, validationMetrics)
    }
}

public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case unknownCategory(String, dataset: String, count: Int)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case .unknownCategory(let name, let dataset, let count):
            "--slice-category: no category named '\(name)' among the \(count) categories of \(dataset) (categories.jsonl)"
        }
    }
}
