/// The records of the dataset format (DATA_FORMAT.md), decoded from one JSON
/// line each. Keys the format does not name are kept as attributes.

public struct ProductRecord: Equatable, Sendable {
    public var id: String
    public var title: String?
    public var description: String?
    public var brand: String?
    public var categories: [String] = []
    public var price: Double?
    public var attributes = JSONObject()

    public init(id: String) { self.id = id }

    public init(json: JSONValue) throws(FieldIssueError) {
        var fields = try RecordFields(json)
        id = try fields.requiredIdentifier("id")
        title = try fields.optionalString("title")
        description = try fields.optionalString("description")
        brand = try fields.optionalString("brand").flatMap { $0.isEmpty ? nil : $0 }
        categories = try fields.stringList("categories")
        price = try fields.optionalNumber("price")
        attributes = try fields.remainingAsAttributes()
    }

    public var json: JSONObject {
        var object = JSONObject()
        object["id"] = .string(id)
        if let title { object["title"] = .string(title) }
        if let description { object["description"] = .string(description) }
        if let brand { object["brand"] = .string(brand) }
        if !categories.isEmpty { object["categories"] = .array(categories.map(JSONValue.string)) }
        if let price { object["price"] = .number(price) }
        for (key, value) in attributes where object[key] == nil { object[key] = value }
        return object
    }
}

public struct UserRecord: Equatable, Sendable {
    public var id: String
    public var attributes = JSONObject()

    public init(id: String, attributes: JSONObject = JSONObject()) {
        self.id = id
        self.attributes = attributes
    }

    public init(json: JSONValue) throws(FieldIssueError) {
        var fields = try RecordFields(json)
        id = try fields.requiredIdentifier("id")
        attributes = try fields.remainingAsAttributes()
    }

    public var json: JSONObject {
        var object = JSONObject()
        object["id"] = .string(id)
        if !attributes.isEmpty { object["attributes"] = .object(attributes) }
        return object
    }
}

public struct InteractionRecord: Equatable, Sendable {
    public var user: String
    public var product: String
    /// Unix seconds.
    public var timestamp: Int64
    public var rating: Double?
    public var review: String?
    public var attributes = JSONObject()

    public init(user: String, product: String, timestamp: Int64, rating: Double? = nil, review: String? = nil) {
        self.user = user
        self.product = product
        self.timestamp = timestamp
        self.rating = rating
        self.review = review
    }

    public init(json: JSONValue) throws(FieldIssueError) {
        var fields = try RecordFields(json)
        user = try fields.requiredIdentifier("user")
        product = try fields.requiredIdentifier("product")
        timestamp = try fields.requiredTimestamp("timestamp")
        rating = try fields.optionalNumber("rating")
        review = try fields.optionalString("review")
        attributes = try fields.remainingAsAttributes()
    }

    public var json: JSONObject {
        var object = JSONObject()
        object["user"] = .string(user)
        object["product"] = .string(product)
        object["timestamp"] = .integer(timestamp)
        if let rating { object["rating"] = rating == rating.rounded() ? .integer(Int64(rating)) : .number(rating) }
        if let review { object["review"] = .string(review) }
        for (key, value) in attributes where object[key] == nil { object[key] = value }
        return object
    }
}

/// A row of `product_links.jsonl` or `user_links.jsonl`.
public struct LinkRecord: Equatable, Sendable {
    public var source: String
    public var target: String
    public var relation: String

    public init(source: String, target: String, relation: String) {
        self.source = source
        self.target = target
        self.relation = relation
    }

    public init(json: JSONValue) throws(FieldIssueError) {
        var fields = try RecordFields(json)
        source = try fields.requiredIdentifier("source")
        target = try fields.requiredIdentifier("target")
        relation = try fields.requiredIdentifier("relation")
    }

    public var json: JSONObject {
        JSONObject(["source": .string(source), "target": .string(target), "relation": .string(relation)])
    }
}

/// Wraps a `FieldIssue` so record initialisers can use typed throws publicly.
public struct FieldIssueError: Error, Sendable {
    public var field: String
    public var kind: LineIssue.Kind
    public var reason: String

    func at(file: String, line: Int) -> LineIssue {
        LineIssue(file: file, line: line, field: field, kind: kind, reason: reason)
    }
}

/// The keys of one JSON object, consumed one by one; what is left becomes attributes.
struct RecordFields {
    private var object: JSONObject

    init(_ json: JSONValue) throws(FieldIssueError) {
        guard case .object(let object) = json else {
            throw FieldIssueError(field: "line", kind: .wrongType, reason: "expected a JSON object, found \(json.typeName)")
        }
        self.object = object
    }

    mutating func take(_ key: String) -> JSONValue? {
        let value = object[key]
        object[key] = nil
        if case .null = value { return nil }
        return value
    }

    mutating func requiredIdentifier(_ key: String) throws(FieldIssueError) -> String {
        guard let value = take(key) else {
            throw FieldIssueError(field: key, kind: .missingField, reason: "required field is missing")
        }
        guard case .string(let string) = value else {
            throw FieldIssueError(field: key, kind: .wrongType, reason: "expected a string, found \(value.typeName)")
        }
        guard !string.isEmpty else {
            throw FieldIssueError(field: key, kind: .invalidValue, reason: "must not be empty")
        }
        return string
    }

    mutating func optionalString(_ key: String) throws(FieldIssueError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let string) = value else {
            throw FieldIssueError(field: key, kind: .wrongType, reason: "expected a string, found \(value.typeName)")
        }
        return string
    }

    mutating func optionalNumber(_ key: String) throws(FieldIssueError) -> Double? {
        guard let value = take(key) else { return nil }
        guard let number = value.doubleValue else {
            throw FieldIssueError(field: key, kind: .wrongType, reason: "expected a number, found \(value.typeName)")
        }
        return number
    }

    /// Unix seconds; a double is accepted when it is a whole number (some exporters write 1.5e9).
    mutating func requiredTimestamp(_ key: String) throws(FieldIssueError) -> Int64 {
        guard let value = take(key) else {
            throw FieldIssueError(field: key, kind: .missingField, reason: "required field is missing (Unix seconds)")
        }
        switch value {
        case .integer(let seconds): return seconds
        case .number(let seconds) where seconds == seconds.rounded() && abs(seconds) < 1e15: return Int64(seconds)
        case .number(let seconds):
            throw FieldIssueError(field: key, kind: .invalidValue, reason: "\(seconds) is not a whole number of seconds")
        default:
            throw FieldIssueError(field: key, kind: .wrongType, reason: "expected Unix seconds (a number), found \(value.typeName)")
        }
    }

    /// A list of strings, with blanks and repeats dropped (order kept).
    mutating func stringList(_ key: String) throws(FieldIssueError) -> [String] {
        guard let value = take(key) else { return [] }
        guard case .array(let elements) = value else {
            throw FieldIssueError(field: key, kind: .wrongType, reason: "expected an array of strings, found \(value.typeName)")
        }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                throw FieldIssueError(
                    field: "\(key)[\(index)]", kind: .wrongType, reason: "expected a string, found \(element.typeName)")
            }
            if !string.isEmpty && !strings.contains(string) { strings.append(string) }
        }
        return strings
    }

    /// An explicit `attributes` object merged with every key not consumed so far.
    mutating func remainingAsAttributes() throws(FieldIssueError) -> JSONObject {
        var attributes = JSONObject()
        if let explicit = take("attributes") {
            guard case .object(let nested) = explicit else {
                throw FieldIssueError(field: "attributes", kind: .wrongType, reason: "expected an object, found \(explicit.typeName)")
            }
            attributes = nested
        }
        for (key, value) in object where attributes[key] == nil { attributes[key] = value }
        return attributes
    }
}
