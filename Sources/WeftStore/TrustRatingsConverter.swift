import Foundation

/// Converts Tang et al.'s Ciao and Epinions releases (mTrust, WSDM 2012):
/// a ratings table (`user_id product_id category_id rating [helpfulness] [unix_time]`,
/// tab- or space-separated, header optional), a trust table
/// (`truster_id trustee_id`) and the category-name catalog (`N Name` per line).
///
/// - Products: every rated product, with the names of its categories (a few
///   products are rated under more than one). The release has no product text.
/// - Users: everyone who rates or trusts or is trusted.
/// - Interactions: one per rating row. A rating of 0 (34 Ciao rows) means no
///   rating and is left out of `rating`; helpfulness becomes an attribute.
///   Epinions has no times, so its timestamps are 0 ("unknown"); rows that
///   repeat (user, product) there collapse into one on import.
/// - User links: `trusts`, from truster to trustee.
public struct TrustRatingsConverter {
    public var ratingsPath: String
    public var trustPath: String?
    public var categoriesPath: String?

    public init(ratingsPath: String, trustPath: String?, categoriesPath: String?) {
        self.ratingsPath = ratingsPath
        self.trustPath = trustPath
        self.categoriesPath = categoriesPath
    }

    private struct Columns {
        var user = 0, product = 1, category = 2, rating = 3
        var helpfulness: Int?
        var time: Int?
        var count = 4
    }

    public func convert(
        to output: String, policy: ErrorPolicy = .reject, reportIssue: @escaping (LineIssue) -> Void = { _ in }
    ) throws -> ConversionSummary {
        let categoryNames = try categoriesPath.map(Self.readCategoryNames) ?? [:]
        return try DatasetConversion.run(input: ratingsPath, output: output, policy: policy, reportIssue: reportIssue) { conversion in
            let (columns, headerLines) = try Self.detectColumns(ratingsPath)
            var productCategories: [Int64: Set<Int64>] = [:]
            var users: Set<Int64> = []
            try LineReader(path: ratingsPath).forEachLine { number, bytes in
                guard number > headerLines else { return }
                let fields = DelimitedLine.whitespaceFields(String(decoding: bytes, as: UTF8.self))
                guard fields.count >= columns.count, let user = Int64(fields[columns.user]),
                    let product = Int64(fields[columns.product]), let category = Int64(fields[columns.category])
                else { return }
                users.insert(user)
                productCategories[product, default: []].insert(category)
            }
            if let trustPath {
                try LineReader(path: trustPath).forEachLine { _, bytes in
                    let fields = DelimitedLine.whitespaceFields(String(decoding: bytes, as: UTF8.self))
                    if fields.count >= 2, let truster = Int64(fields[0]), let trustee = Int64(fields[1]) {
                        users.insert(truster)
                        users.insert(trustee)
                    }
                }
            }
            var unnamed: Set<Int64> = []
            for product in productCategories.keys.sorted() {
                var record = ProductRecord(id: String(product))
                record.categories = productCategories[product]!.sorted().map { id in
                    if let name = categoryNames[id] { return name }
                    unnamed.insert(id)
                    return "category \(id)"
                }
                try conversion.writer.write(record)
            }
            if categoriesPath != nil && !unnamed.isEmpty {
                conversion.note("category ids \(unnamed.sorted().map(String.init).joined(separator: ", ")) are not in the catalog")
            }
            for user in users.sorted() { try conversion.writer.write(UserRecord(id: String(user))) }

            var unrated = 0
            try conversion.forEachLine(of: ratingsPath, headerLines: headerLines) { _, line in
                let fields = DelimitedLine.whitespaceFields(line)
                guard fields.count >= columns.count else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected \(columns.count) columns, found \(fields.count)")
                }
                let user = try DelimitedLine.integer(fields[columns.user], name: "user_id")
                let product = try DelimitedLine.integer(fields[columns.product], name: "product_id")
                let rating = try DelimitedLine.integer(fields[columns.rating], name: "rating")
                guard (0...5).contains(rating) else {
                    throw FieldIssueError(field: "rating", kind: .invalidValue, reason: "\(rating) is outside 0…5")
                }
                let time = try columns.time.map { try DelimitedLine.integer(fields[$0], name: "unix_time") } ?? 0
                var interaction = InteractionRecord(user: String(user), product: String(product), timestamp: time)
                if rating > 0 { interaction.rating = Double(rating) } else { unrated += 1 }
                if let column = columns.helpfulness {
                    interaction.attributes["helpfulness"] = .integer(try DelimitedLine.integer(fields[column], name: "helpfulness"))
                }
                try conversion.writer.write(interaction)
            }
            if unrated > 0 { conversion.note("\(unrated) ratings of 0 (no rating given) were kept as interactions without a rating") }
            if columns.time == nil { conversion.note("the ratings have no times; every timestamp is 0 (unknown)") }

            if let trustPath {
                try conversion.forEachLine(of: trustPath, headerLines: try Self.detectColumns(trustPath).1) { _, line in
                    let fields = DelimitedLine.whitespaceFields(line)
                    guard fields.count >= 2 else {
                        throw FieldIssueError(field: "line", kind: .missingField, reason: "expected truster and trustee ids")
                    }
                    let truster = try DelimitedLine.integer(fields[0], name: "truster_id")
                    let trustee = try DelimitedLine.integer(fields[1], name: "trustee_id")
                    try conversion.writer.write(userLink: LinkRecord(source: String(truster), target: String(trustee), relation: "trusts"))
                }
            }
        }
    }

    /// Reads the header if the first line has one; otherwise the columns are positional.
    private static func detectColumns(_ path: String) throws -> (Columns, Int) {
        var firstLine: String?
        do {
            try LineReader(path: path).forEachLine { _, bytes in
                firstLine = String(decoding: bytes, as: UTF8.self)
                throw StopReading()
            }
        } catch is StopReading {}
        let fields = DelimitedLine.whitespaceFields(firstLine ?? "")
        var columns = Columns()
        guard let first = fields.first, Int64(first) == nil else {
            if fields.count >= 6 { columns.helpfulness = 4; columns.time = 5 } else if fields.count == 5 { columns.helpfulness = 4 }
            columns.count = max(4, min(fields.count, 6))
            return (columns, 0)
        }
        let names = fields.map { $0.lowercased() }
        func index(_ candidates: [String]) -> Int? { names.firstIndex { candidates.contains($0) } }
        columns.user = index(["user_id", "userid", "user", "truster_id"]) ?? 0
        columns.product = index(["product_id", "productid", "product", "trustee_id"]) ?? 1
        columns.category = index(["category_id", "categoryid", "category"]) ?? 2
        columns.rating = index(["rating"]) ?? 3
        columns.helpfulness = index(["helpfulness"])
        columns.time = index(["unix_time", "timestamp", "time"])
        columns.count = [columns.user, columns.product, columns.category, columns.rating, columns.helpfulness ?? 0,
                         columns.time ?? 0].max()! + 1
        return (columns, 1)
    }

    private struct StopReading: Error {}

    /// `N Name` per line; the Ciao catalog is Latin-1 and the Epinions one has CRLF endings.
    private static func readCategoryNames(_ path: String) throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        try LineReader(path: path).forEachLine { number, bytes in
            let text = UTF8Validation.firstInvalidOffset(bytes) == nil
                ? String(decoding: bytes, as: UTF8.self) : String(bytes.map { Character(Unicode.Scalar($0)) })
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return }
            guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }), let id = Int64(trimmed[..<space]) else {
                throw ConversionError.unexpectedContent(path: path, reason: "line \(number) is not \"ID NAME\"")
            }
            names[id] = trimmed[space...].trimmingCharacters(in: .whitespaces)
        }
        return names
    }
}
