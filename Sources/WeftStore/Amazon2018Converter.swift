import Foundation

/// Converts the Amazon Review Data (2018) files (Ni, Li & McAuley, EMNLP 2019):
/// a reviews file (`*_5.json.gz`, one review per line) and optionally the
/// category's metadata file (`meta_*.json.gz`, one product per line).
///
/// - Products: every metadata record (first occurrence of an asin wins; the
///   2018 metadata repeats some), plus a bare product for each reviewed asin
///   without metadata. Title, description (paragraphs joined by newlines),
///   brand, feature, categories and price are cleaned of HTML.
/// - Interactions: `reviewerID` → `asin` at `unixReviewTime`, with `overall`
///   as the rating and `reviewText` as the review; `summary`, `verified` and
///   `vote` become attributes. Reviewer names are not copied.
/// - Product links: `also_buy` → `also_bought`, `also_view` → `also_viewed`,
///   kept only where both ends are in the catalog.
public struct Amazon2018Converter {
    public var reviewsPath: String
    public var metadataPath: String?

    public init(reviewsPath: String, metadataPath: String?) {
        self.reviewsPath = reviewsPath
        self.metadataPath = metadataPath
    }

    public func convert(
        to output: String, policy: ErrorPolicy = .reject, reportIssue: @escaping (LineIssue) -> Void = { _ in }
    ) throws -> ConversionSummary {
        try DatasetConversion.run(input: reviewsPath, output: output, policy: policy, reportIssue: reportIssue) { conversion in
            var metadataAsins: Set<String> = []
            if let metadataPath {
                try LineReader(path: metadataPath).forEachLine { _, bytes in
                    if case .object(let object)? = try? JSONLineParser.parse(bytes), let asin = object["asin"]?.stringValue {
                        metadataAsins.insert(asin)
                    }
                }
            }
            var reviewedAsins: Set<String> = []
            try LineReader(path: reviewsPath).forEachLine { _, bytes in
                if case .object(let object)? = try? JSONLineParser.parse(bytes), let asin = object["asin"]?.stringValue {
                    reviewedAsins.insert(asin)
                }
            }
            let catalog = metadataAsins.union(reviewedAsins)

            var written: Set<String> = []
            var duplicates = 0
            var droppedLinks = 0
            if let metadataPath {
                try conversion.forEachJSONLine(of: metadataPath) { _, json in
                    let (product, links) = try Self.product(from: json)
                    guard written.insert(product.id).inserted else {
                        duplicates += 1
                        return
                    }
                    try conversion.writer.write(product)
                    for link in links {
                        if catalog.contains(link.target) {
                            try conversion.writer.write(productLink: link)
                        } else {
                            droppedLinks += 1
                        }
                    }
                }
            }
            let bare = reviewedAsins.subtracting(written).sorted()
            for asin in bare { try conversion.writer.write(ProductRecord(id: asin)) }
            try conversion.forEachJSONLine(of: reviewsPath) { _, json in
                try conversion.writer.write(try Self.interaction(from: json))
            }
            if duplicates > 0 { conversion.note("kept the first of \(duplicates + written.count) metadata records for \(written.count) asins (\(duplicates) repeats dropped)") }
            if droppedLinks > 0 { conversion.note("dropped \(droppedLinks) also_buy/also_view links to products outside the catalog") }
            if metadataPath != nil && !bare.isEmpty { conversion.note("\(bare.count) reviewed products have no metadata and were written with their asin only") }
        }
    }

    static func product(from json: JSONValue) throws(FieldIssueError) -> (ProductRecord, [LinkRecord]) {
        var fields = try RecordFields(json)
        var product = ProductRecord(id: try fields.requiredIdentifier("asin"))
        product.title = try fields.optionalString("title").flatMap(MarkupCleaning.plainText)
        product.brand = try fields.optionalString("brand").flatMap(MarkupCleaning.plainText)
        let paragraphs = try fields.stringList("description").compactMap(MarkupCleaning.plainText)
        product.description = paragraphs.isEmpty ? nil : paragraphs.joined(separator: "\n")
        var categories: [String] = []
        for category in try fields.stringList("category").compactMap(MarkupCleaning.plainText) where !categories.contains(category) {
            categories.append(category)
        }
        product.categories = categories
        if let priceText = try fields.optionalString("price") {
            product.price = parsePrice(priceText)
        }
        let features = try fields.stringList("feature").compactMap(MarkupCleaning.plainText)
        if !features.isEmpty { product.attributes["feature"] = .array(features.map(JSONValue.string)) }
        if let mainCategory = try fields.optionalString("main_cat").flatMap(MarkupCleaning.plainText) {
            product.attributes["main_cat"] = .string(mainCategory)
        }
        if let date = try fields.optionalString("date").flatMap(MarkupCleaning.plainText) {
            product.attributes["date"] = .string(date)
        }
        var links: [LinkRecord] = []
        for (key, relation) in [("also_buy", "also_bought"), ("also_view", "also_viewed")] {
            for target in try fields.stringList(key) where target != product.id {
                links.append(LinkRecord(source: product.id, target: target, relation: relation))
            }
        }
        return (product, links)
    }

    /// "$1,250.00" → 1250; ranges, blanks and stray punctuation → nil.
    static func parsePrice(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("$") else { return nil }
        let digits = trimmed.dropFirst().replacingOccurrences(of: ",", with: "")
        guard let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        return value
    }

    static func interaction(from json: JSONValue) throws(FieldIssueError) -> InteractionRecord {
        var fields = try RecordFields(json)
        let user = try fields.requiredIdentifier("reviewerID")
        let product = try fields.requiredIdentifier("asin")
        let timestamp = try fields.requiredTimestamp("unixReviewTime")
        var interaction = InteractionRecord(user: user, product: product, timestamp: timestamp)
        interaction.rating = try fields.optionalNumber("overall")
        interaction.review = try fields.optionalString("reviewText").flatMap(MarkupCleaning.plainText)
        if let summary = try fields.optionalString("summary").flatMap(MarkupCleaning.plainText) {
            interaction.attributes["summary"] = .string(summary)
        }
        if case .bool(let verified)? = fields.take("verified") { interaction.attributes["verified"] = .bool(verified) }
        // Helpful votes are written as text with thousands separators ("1,234").
        switch fields.take("vote") {
        case .string(let vote)?:
            if let count = Int64(vote.replacingOccurrences(of: ",", with: "")) { interaction.attributes["vote"] = .integer(count) }
        case .integer(let count)?:
            interaction.attributes["vote"] = .integer(count)
        default:
            break
        }
        return interaction
    }
}
