import Foundation

/// Converts the S3-Rec sequential-recommendation files (Zhou et al., CIKM 2020)
/// built from Amazon 2014 5-core data: `NAME.txt` (`user item item ...` per
/// line, oldest first) and `NAME_item2attributes.json` (`{item: [attribute, ...]}`,
/// the brand and categories as bare ids), optionally with P5's `datamaps.json`
/// (`id2user`, `id2item`) to restore real reviewer ids and ASINs.
///
/// The source has an order but no times, so the n-th item of a user gets
/// timestamp n (1, 2, 3, ...): sorting by timestamp gives back the sequence,
/// but the values are positions, not dates. Attributes have no names in the
/// source and become categories named `s3rec attribute N`.
public struct S3RecConverter {
    public var historyPath: String
    public var attributesPath: String
    public var asinMapPath: String?

    public init(historyPath: String, attributesPath: String, asinMapPath: String?) {
        self.historyPath = historyPath
        self.attributesPath = attributesPath
        self.asinMapPath = asinMapPath
    }

    public func convert(
        to output: String, policy: ErrorPolicy = .reject, reportIssue: @escaping (LineIssue) -> Void = { _ in }
    ) throws -> ConversionSummary {
        let itemAttributes = try Self.readItemAttributes(attributesPath)
        var itemNames: [String: String]?
        var userNames: [String: String]?
        if let asinMapPath {
            guard case .object(let maps) = try JSONDocument.read(asinMapPath),
                case .object(let items)? = maps["id2item"], case .object(let users)? = maps["id2user"]
            else {
                throw ConversionError.unexpectedContent(path: asinMapPath, reason: "expected an object with id2user and id2item maps")
            }
            itemNames = Self.stringDictionary(items)
            userNames = Self.stringDictionary(users)
        }
        func productId(_ item: String) -> String? { itemNames.map { $0[item] } ?? item }

        return try DatasetConversion.run(input: historyPath, output: output, policy: policy, reportIssue: reportIssue) { conversion in
            var historyItems: Set<Int> = []
            try LineReader(path: historyPath).forEachLine { _, bytes in
                let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })
                for field in fields.dropFirst() { if let item = Int(field) { historyItems.insert(item) } }
            }
            let allItems = historyItems.union(itemAttributes.keys.compactMap { Int($0) }).sorted()
            var unmapped = 0
            for item in allItems {
                guard let id = productId(String(item)) else {
                    unmapped += 1
                    continue
                }
                var product = ProductRecord(id: id)
                product.categories = (itemAttributes[String(item)] ?? []).map { "s3rec attribute \($0)" }
                product.attributes["s3rec_item"] = .integer(Int64(item))
                try conversion.writer.write(product)
            }
            if unmapped > 0 { conversion.note("\(unmapped) items have no ASIN in the map and were left out") }

            try conversion.forEachLine(of: historyPath) { _, line in
                let fields = DelimitedLine.whitespaceFields(line)
                guard fields.count >= 2 else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected a user id followed by item ids")
                }
                let userNumber = try DelimitedLine.integer(fields[0], name: "user")
                guard let user = userNames.map({ $0[String(userNumber)] }) ?? String(userNumber) else {
                    throw FieldIssueError(field: "user", kind: .unknownUser, reason: "\(userNumber) is not in the id2user map")
                }
                var interactions: [InteractionRecord] = []
                for (position, field) in fields.dropFirst().enumerated() {
                    let item = try DelimitedLine.integer(field, name: "item \(position + 1)")
                    guard let product = productId(String(item)) else {
                        throw FieldIssueError(field: "item \(position + 1)", kind: .unknownProduct, reason: "\(item) is not in the id2item map")
                    }
                    interactions.append(InteractionRecord(user: user, product: product, timestamp: Int64(position + 1)))
                }
                try conversion.writer.write(UserRecord(id: user, attributes: JSONObject(["s3rec_user": .integer(userNumber)])))
                for interaction in interactions { try conversion.writer.write(interaction) }
            }
        }
    }

    private static func readItemAttributes(_ path: String) throws -> [String: [Int64]] {
        guard case .object(let object) = try JSONDocument.read(path) else {
            throw ConversionError.unexpectedContent(path: path, reason: "expected an object from item id to attribute ids")
        }
        var attributes: [String: [Int64]] = [:]
        attributes.reserveCapacity(object.count)
        for (item, value) in object {
            guard case .array(let list) = value else {
                throw ConversionError.unexpectedContent(path: path, reason: "item \(item): expected a list of attribute ids")
            }
            attributes[item] = try list.map { element in
                guard case .integer(let id) = element else {
                    throw ConversionError.unexpectedContent(path: path, reason: "item \(item): attribute ids must be integers")
                }
                return id
            }
        }
        return attributes
    }

    private static func stringDictionary(_ object: JSONObject) -> [String: String] {
        var dictionary: [String: String] = [:]
        dictionary.reserveCapacity(object.count)
        for (key, value) in object { if let string = value.stringValue { dictionary[key] = string } }
        return dictionary
    }
}
