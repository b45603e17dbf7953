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
        /// The cold protocol's K-fold form (`ColdFold`): every model is
        /// trained K times and its figures pooled over the folds' test users.
        /// 1: the single 20% split; otherwise at least 3 (10 keeps 20% of the
        /// products cold in each fold, as the single split does).
        public var coldFolds = 1
        /// Whether the cold protocol's held-out products keep their product
        /// links (also_bought, also_viewed, …) in the graph. Off by default:
        /// a product nobody has bought has only its text, category and brand,
        /// and Amazon's also_bought and also_viewed lists are computed from
        /// other shoppers' behaviour with that product.
        public var coldProductLinks = false
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
        let folds: [ColdFold?]
        if options.coldFolds > 1 {
            guard options.evaluationProtocol == .cold, options.coldFolds >= 3 else {
                throw EvaluationError.badColdFolds(options.coldFolds, protocol: options.evaluationProtocol.rawValue)
            }
            let interacted = Set(dataset.interactions.map(\.product)).count
            guard interacted >= options.coldFolds else {
                throw EvaluationError.tooFewProductsForFolds(options.coldFolds, products: interacted, dataset: dataset.name)
            }
            folds = (0..<options.coldFolds).map { ColdFold(index: $0, count: options.coldFolds) }
        } else {
            folds = [nil]
        }
        // Per model, its outcome on each fold (one entry without folds).
        var outcomes: [String: [FoldOutcome]] = [:]
        var skipped: [String: String] = unavailable.filter { names.contains($0.key) }
        var sizes = EvaluationReport.SplitSizes(train: 0, validation: 0, test: 0, testUsers: 0, testCandidates: 0)
        for fold in folds {
            let split = InteractionSplit.make(dataset, protocol: options.evaluationProtocol, seed: options.seed,
                                              coldFold: fold)
            let unlinked = options.coldProductLinks ? [] : split.coldProducts
            let graph = try dataset.graph(interactions: split.train, unlinked: unlinked)
            let validation = RankingEvaluator(split: split, phase: .validation, seed: options.seed)
            let test = RankingEvaluator(split: split, phase: .test, seed: options.seed)
            test.slices = try slices(dataset: dataset, split: split, options: options)
            let nodeText = options.textEncoder.map { otherNodeText(dataset: dataset, split: split, encode: $0) } ?? [:]
            let baselineNodeText = names.contains(where: { ablation[$0]?.text == .randomInitialized })
                ? options.baselineTextEncoder.map { otherNodeText(dataset: dataset, split: split, encode: $0) } ?? [:] : [:]
            let foldName = fold.map { "fold \($0.index + 1)/\($0.count) " } ?? ""
            options.log("\(foldName)split \(options.evaluationProtocol.rawValue): \(split.train.count) train, \(split.validation.count) validation, \(split.test.count) test pairs; \(test.users.count) test users")
            sizes.train += split.train.count
            sizes.validation += split.validation.count
            sizes.test += split.test.count
            sizes.testUsers += test.users.count
            sizes.testCandidates += split.testCandidates?.count ?? split.productCount

            for name in names where skipped[name] == nil {
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
                    skipped[name] = error.reason
                    options.log("\(name): cannot run: \(error.reason)")
                    continue
                }
                let seconds = Date().timeIntervalSince(started)
                let v = validation.evaluate(model), t = test.evaluate(model)
                let outcome = FoldOutcome(fold: fold, validation: v, test: t,
                                          threshold: PairClassification.bestThreshold(positives: v.positiveScores,
                                                                                      negatives: v.negativeScores),
                                          seconds: seconds, settings: settings(of: model))
                outcomes[name, default: []].append(outcome)
                let metrics = pooledMetrics([outcome]).test
                options.log("\(foldName)\(name): " + metrics.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
                    + String(format: " (trained in %.1f s; validation ndcg@10 %.4f)", seconds, v.metrics["ndcg@10"] ?? .nan))
            }
        }

        var reports: [EvaluationReport.Model] = []
        var sliceUsers: [String: Int] = [:]
        for name in names {
            if let reason = skipped[name] {
                if unavailable[name] != nil { options.log("\(name): cannot run: \(reason)") }
                reports.append(.init(name: name, metrics: nil, trainSeconds: nil, skipped: reason))
                continue
            }
            let runs = outcomes[name] ?? []
            let pooled = pooledMetrics(runs)
            sliceUsers = pooled.sliceUsers
            var report = EvaluationReport.Model(name: name, metrics: pooled.test, trainSeconds: runs.map(\.seconds).reduce(0, +),
                                                skipped: nil, validationMetrics: pooled.validation,
                                                settings: runs.first?.settings)
            report.standardErrors = standardErrors(runs.map(\.test))
            if runs.count > 1 {
                report.folds = runs.map { run in
                    .init(fold: run.fold?.index ?? 0, testUsers: run.test.userCount,
                          metrics: run.test.metrics.filter { run.test.perUser[$0.key] != nil },
                          validationNDCG10: run.validation.metrics["ndcg@10"], bestEpoch: run.settings?.bestEpoch,
                          trainSeconds: run.seconds)
                }
                options.log("\(name), pooled over \(runs.count) folds: " + pooled.test.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", "))
            }
            reports.append(report)
        }
        return EvaluationReport(
            dataset: dataset.name, evaluationProtocol: options.evaluationProtocol.rawValue, seed: options.seed,
            files: dataset.fileDigests, textEmbeddings: options.productText == nil ? nil : options.productTextSource,
            baselineTextEmbeddings: options.baselineProductText == nil ? nil : options.baselineProductTextSource,
            split: sizes, models: reports, slices: sliceUsers.isEmpty ? nil : sliceUsers,
            coldFolds: folds.count > 1 ? folds.count : nil,
            pairedDifferences: pairedDifferences(outcomes.filter { skipped[$0.key] == nil }.mapValues { $0.map(\.test) },
                                                 order: names),
            coldProductLinks: options.evaluationProtocol == .cold ? options.coldProductLinks : nil)
    }

    /// One model trained and evaluated on one fold (or on the only split).
    struct FoldOutcome {
        var fold: ColdFold?
        var validation: RankingEvaluator.Result
        var test: RankingEvaluator.Result
        /// The pair-classification threshold chosen on this fold's validation pairs.
        var threshold: Float?
        var seconds: Double
        var settings: EvaluationReport.Settings?
    }

    /// Figures over every (fold, user) case of `runs`: recall@K and ndcg@K
    /// are means over the cases (so a fold weighs by its users); slices weigh
    /// each fold's slice mean by its slice users; coverage and Gini count
    /// every top-K list against all folds' candidates together (each
    /// product is a test candidate in one fold only); precision, recall and
    /// F1 count every fold's test pairs at that fold's own validation
    /// threshold; AUC is the mean of the folds' AUCs weighted by their pairs
    /// (scores of models trained on different folds are not comparable, so
    /// pairs are never ranked across folds). With one run these are exactly
    /// that run's figures.
    static func pooledMetrics(_ runs: [FoldOutcome])
        -> (test: [String: Double], validation: [String: Double], sliceUsers: [String: Int]) {
        func rankingMeans(_ results: [RankingEvaluator.Result]) -> [String: Double] {
            var means: [String: Double] = [:]
            for key in results.first?.perUser.keys.sorted() ?? [] {
                let values = results.flatMap { $0.perUser[key] ?? [] }
                means[key] = values.reduce(0, +) / Double(Swift.max(values.count, 1))
            }
            return means
        }
        func pooledAUC(_ results: [RankingEvaluator.Result]) -> Double? {
            var sum = 0.0, weight = 0.0
            for r in results {
                guard let auc = PairClassification.auc(positives: r.positiveScores, negatives: r.negativeScores) else { continue }
                sum += auc * Double(r.positiveScores.count)
                weight += Double(r.positiveScores.count)
            }
            return weight > 0 ? sum / weight : nil
        }
        let tests = runs.map(\.test)
        var test = rankingMeans(tests)
        var validation = rankingMeans(runs.map(\.validation))
        validation["auc"] = pooledAUC(runs.map(\.validation))
        test["auc"] = pooledAUC(tests)
        let lists = tests.flatMap(\.lists), catalog = tests.map(\.candidateCount).reduce(0, +)
        if let k = tests.first?.metrics.keys.first(where: { $0.hasPrefix("coverage@") }) {
            let kMax = k.dropFirst("coverage@".count)
            test["coverage@\(kMax)"] = CatalogMetrics.coverage(lists: lists, catalogSize: catalog)
            test["gini@\(kMax)"] = CatalogMetrics.gini(lists: lists, catalogSize: catalog)
        }
        var tally = PairClassification.Tally()
        var classified = false
        for run in runs {
            guard let threshold = run.threshold else { continue }
            tally += PairClassification.tally(positives: run.test.positiveScores, negatives: run.test.negativeScores,
                                              threshold: threshold)
            classified = true
        }
        if classified {
            let c = tally.counts
            test["precision"] = c.precision
            test["recall"] = c.recall
            test["f1"] = c.f1
        }
        var sliceUsers: [String: Int] = [:]
        var sliceSums: [String: Double] = [:]
        for r in tests {
            for (slice, users) in r.sliceUsers {
                sliceUsers[slice, default: 0] += users
                for (key, value) in r.metrics where key.hasPrefix(slice + "/") {
                    sliceSums[key, default: 0] += value * Double(users)
                }
            }
        }
        for (key, sum) in sliceSums {
            let slice = String(key[..<key.lastIndex(of: "/")!])
            if let users = sliceUsers[slice], users > 0 { test[key] = sum / Double(users) }
        }
        return (test, validation, sliceUsers)
    }

    /// Standard error of each ranking metric's mean over the (fold, user)
    /// cases: the sample standard deviation over √n.
    static func standardErrors(_ results: [RankingEvaluator.Result]) -> [String: Double] {
        var errors: [String: Double] = [:]
        for key in results.first?.perUser.keys.sorted() ?? [] {
            let values = results.flatMap { $0.perUser[key] ?? [] }
            if let se = Statistics.standardError(values) { errors[key] = se }
        }
        return errors
    }

    /// The reference model (`weft+tl+gnn` when it ran, else the last model
    /// that ran) against every other model that ran, on NDCG@10 and NDCG@20:
    /// the mean of the per-case differences (reference − other) and its
    /// standard error. The cases are the same (fold, user) pairs for every
    /// model, so the pairing removes the users' own spread.
    static func pairedDifferences(_ results: [String: [RankingEvaluator.Result]],
                                  order: [String]) -> [EvaluationReport.PairedDifference]? {
        let ran = order.filter { results[$0] != nil }
        guard let reference = ran.contains("weft+tl+gnn") ? "weft+tl+gnn" : ran.last, ran.count > 1 else { return nil }
        var differences: [EvaluationReport.PairedDifference] = []
        for other in ran where other != reference {
            for metric in ["ndcg@10", "ndcg@20"] {
                let a = results[reference]!.flatMap { $0.perUser[metric] ?? [] }
                let b = results[other]!.flatMap { $0.perUser[metric] ?? [] }
                guard a.count == b.count, !a.isEmpty else { continue }
                let d = zip(a, b).map { $0 - $1 }
                differences.append(.init(reference: reference, model: other, metric: metric,
                                         difference: d.reduce(0, +) / Double(d.count),
                                         standardError: Statistics.standardError(d) ?? 0, cases: d.count))
            }
        }
        return differences
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
}

public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case unknownCategory(String, dataset: String, count: Int)
    case badColdFolds(Int, protocol: String)
    case tooFewProductsForFolds(Int, products: Int, dataset: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case .unknownCategory(let name, let dataset, let count):
            "--slice-category: no category named '\(name)' among the \(count) categories of \(dataset) (categories.jsonl)"
        case .badColdFolds(let folds, let evaluationProtocol):
            evaluationProtocol == "cold"
                ? "--cold-folds must be 1 (one 20% split) or at least 3 (got \(folds))"
                : "--cold-folds applies to --protocol cold only (got \(folds) folds with \(evaluationProtocol))"
        case .tooFewProductsForFolds(let folds, let products, let dataset):
            "--cold-folds \(folds): \(dataset) has only \(products) products with interactions (interactions.jsonl), fewer than the folds"
        }
    }
}
