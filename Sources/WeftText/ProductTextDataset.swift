import Foundation

/// The text of a dataset folder in Weft's dataset format (see
/// DATA_FORMAT.md), as fine-tuning needs it: each product's own text
/// (title and description), its reviews, and its also-bought neighbours.
///
/// Only `products.jsonl` and `interactions.jsonl` are read (and
/// `product_links.jsonl` when present); unknown keys are ignored. Bad lines
/// are errors naming the file and line.
public struct ProductTextDataset: Sendable {
    public struct Product: Sendable, Equatable {
        public let id: String
        /// "title. description", or whichever of them exists; nil when neither does.
        public let text: String?
        /// Review texts in file order.
        public var reviews: [String]
        /// Ids of products bought with this one (`also_bought` links).
        public var alsoBought: [String]
    }

    /// Products in file order, keyed by dataset-qualified id ("folder/id") so two datasets never collide.
    public private(set) var products: [Product] = []
    private var index: [String: Int] = [:]

    public init() {}

    public func product(_ id: String) -> Product? { index[id].map { products[$0] } }

    /// Reads `directory` and adds its products, reviews and links.
    public mutating func add(directory: URL) throws {
        let prefix = directory.standardizedFileURL.lastPathComponent + "/"
        let productsURL = directory.appendingPathComponent("products.jsonl")
        try Self.forEachObject(in: productsURL, required: true) { object, line in
            guard let id = Self.identifier(object["id"]) else {
                throw TrainingError.invalidLine(file: productsURL.path, line: line, reason: "missing \"id\"")
            }
            let title = Self.text(object["title"]), description = Self.text(object["description"])
            let text: String? = switch (title, description) {
            case let (t?, d?): (t.last.map { ".!?".contains($0) } ?? false ? t : t + ".") + " " + d
            case let (t, d): t ?? d
            }
            let key = prefix + id
            if let existing = index[key] {
                throw TrainingError.invalidLine(file: productsURL.path, line: line,
                                                reason: "product \"\(id)\" appears twice (first as product \(existing + 1))")
            }
            index[key] = products.count
            products.append(Product(id: key, text: text, reviews: [], alsoBought: []))
        }
        let interactionsURL = directory.appendingPathComponent("interactions.jsonl")
        try Self.forEachObject(in: interactionsURL, required: true) { object, line in
            guard let product = Self.identifier(object["product"]) else {
                throw TrainingError.invalidLine(file: interactionsURL.path, line: line, reason: "missing \"product\"")
            }
            guard let i = index[prefix + product] else {
                throw TrainingError.invalidLine(file: interactionsURL.path, line: line,
                                                reason: "product \"\(product)\" is not in products.jsonl")
            }
            if let review = Self.text(object["review"]) { products[i].reviews.append(review) }
        }
        let linksURL = directory.appendingPathComponent("product_links.jsonl")
        try Self.forEachObject(in: linksURL, required: false) { object, line in
            guard let source = Self.identifier(object["source"]), let target = Self.identifier(object["target"]) else {
                throw TrainingError.invalidLine(file: linksURL.path, line: line, reason: "missing \"source\" or \"target\"")
            }
            guard (object["relation"] as? String) == "also_bought" else { return }
            // Links may name products outside the catalog; those have no text to pair with.
            if let i = index[prefix + source], index[prefix + target] != nil {
                products[i].alsoBought.append(prefix + target)
            }
        }
    }

    /// Loads several dataset folders into one.
    public static func load(directories: [URL]) throws -> ProductTextDataset {
        var dataset = ProductTextDataset()
        for directory in directories { try dataset.add(directory: directory) }
        return dataset
    }

    /// Splits products by a hash of their id: a `heldOutFraction` share is
    /// held out, and the same product is held out whatever else is in the data.
    public func split(heldOutFraction: Double) -> (training: Set<String>, heldOut: Set<String>) {
        var training = Set<String>(), heldOut = Set<String>()
        for p in products {
            if HeldOutSplit.isHeldOut("product " + p.id, fraction: heldOutFraction) { heldOut.insert(p.id) } else { training.insert(p.id) }
        }
        return (training, heldOut)
    }

    static func identifier(_ value: Any?) -> String? {
        switch value {
        case let s as String where !s.isEmpty: s
        case let n as NSNumber: n.stringValue
        default: nil
        }
    }

    static func text(_ value: Any?) -> String? {
        let parts: [String]
        switch value {
        case let s as String: parts = [s]
        case let list as [Any]: parts = list.compactMap { $0 as? String }
        default: return nil
        }
        let joined = parts.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return joined.isEmpty ? nil : joined
    }

    /// Calls `body` with each JSON object and its 1-based line number; blank lines are skipped.
    static func forEachObject(in url: URL, required: Bool,
                              _ body: ([String: Any], Int) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if required { throw TrainingError.unreadableFile(file: url.path, reason: "the dataset has no such file") }
            return
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        var lineNumber = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(line)) } catch {
                throw TrainingError.invalidLine(file: url.path, line: lineNumber, reason: "invalid JSON")
            }
            guard let dictionary = object as? [String: Any] else {
                throw TrainingError.invalidLine(file: url.path, line: lineNumber, reason: "not a JSON object")
            }
            try body(dictionary, lineNumber)
        }
    }
}
