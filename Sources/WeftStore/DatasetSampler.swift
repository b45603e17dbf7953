import Foundation

/// Cuts a small, dense sample out of a dataset folder for tests and demos.
///
/// Selection is deterministic: the `productCount` products with the most
/// interactions (restricted to `category` when given; ties broken by id), then
/// the users with at least `minimumUserInteractions` interactions among those
/// products (at most `maximumUserCount` of them, the most active first), then every interaction, link and user row among what is kept.
/// Sampled products nobody kept interacted with are dropped, except for up to
/// `coldProductCount` products that have text but no interactions at all,
/// added so the sample exercises cold-start recommendation.
public struct DatasetSampler {
    public var productCount: Int
    public var minimumUserInteractions: Int
    public var category: String?
    public var coldProductCount: Int
    /// Keeps only this many of the qualifying users, the most active first (ties by id).
    public var maximumUserCount: Int?

    public init(
        productCount: Int, minimumUserInteractions: Int = 5, category: String? = nil, coldProductCount: Int = 0,
        maximumUserCount: Int? = nil
    ) {
        self.productCount = productCount
        self.minimumUserInteractions = minimumUserInteractions
        self.category = category
        self.coldProductCount = coldProductCount
        self.maximumUserCount = maximumUserCount
    }

    public func sample(from input: String, to output: String) throws -> ConversionSummary {
        func path(_ name: String) -> String { (input as NSString).appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

        return try DatasetConversion.run(input: input, output: output, policy: .reject, reportIssue: { _ in }) { conversion in
            var eligible: Set<String> = []
            var textless: Set<String> = []
            try conversion.forEachJSONLine(of: path("products.jsonl")) { _, json in
                let product = try ProductRecord(json: json)
                if category == nil || product.categories.contains(category!) { eligible.insert(product.id) }
                if product.title == nil && product.description == nil { textless.insert(product.id) }
            }
            var productInteractions: [String: Int] = [:]
            try conversion.forEachJSONLine(of: path("interactions.jsonl")) { _, json in
                let interaction = try InteractionRecord(json: json)
                productInteractions[interaction.product, default: 0] += 1
            }
            let ranked = productInteractions.filter { eligible.contains($0.key) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let candidates = Set(ranked.prefix(productCount).map(\.key))

            var userInteractions: [String: Int] = [:]
            try conversion.forEachJSONLine(of: path("interactions.jsonl")) { _, json in
                let interaction = try InteractionRecord(json: json)
                if candidates.contains(interaction.product) { userInteractions[interaction.user, default: 0] += 1 }
            }
            let qualifying = userInteractions.filter { $0.value >= minimumUserInteractions }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let users = Set(qualifying.prefix(maximumUserCount ?? qualifying.count).map(\.key))
            var products: Set<String> = []
            try conversion.forEachJSONLine(of: path("interactions.jsonl")) { _, json in
                let interaction = try InteractionRecord(json: json)
                if users.contains(interaction.user) && candidates.contains(interaction.product) { products.insert(interaction.product) }
            }
            var coldAdded = 0
            try conversion.forEachJSONLine(of: path("products.jsonl")) { _, json in
                let product = try ProductRecord(json: json)
                if !products.contains(product.id) && coldAdded < coldProductCount && eligible.contains(product.id)
                    && productInteractions[product.id] == nil && !textless.contains(product.id)
                {
                    products.insert(product.id)
                    coldAdded += 1
                }
                if products.contains(product.id) { try conversion.writer.write(product) }
            }
            if exists("users.jsonl") {
                try conversion.forEachJSONLine(of: path("users.jsonl")) { _, json in
                    let user = try UserRecord(json: json)
                    if users.contains(user.id) { try conversion.writer.write(user) }
                }
            }
            try conversion.forEachJSONLine(of: path("interactions.jsonl")) { _, json in
                let interaction = try InteractionRecord(json: json)
                if users.contains(interaction.user) && products.contains(interaction.product) {
                    try conversion.writer.write(interaction)
                }
            }
            for (name, kept) in [("product_links.jsonl", products), ("user_links.jsonl", users)] where exists(name) {
                try conversion.forEachJSONLine(of: path(name)) { _, json in
                    let link = try LinkRecord(json: json)
                    guard kept.contains(link.source) && kept.contains(link.target) else { return }
                    if name == "product_links.jsonl" {
                        try conversion.writer.write(productLink: link)
                    } else {
                        try conversion.writer.write(userLink: link)
                    }
                }
            }
            conversion.note("kept \(products.count) products (\(coldAdded) without interactions) and \(users.count) of the "
                + "\(qualifying.count) users with at least \(minimumUserInteractions) interactions among the "
                + "\(candidates.count) most-interacted products")
        }
    }
}
