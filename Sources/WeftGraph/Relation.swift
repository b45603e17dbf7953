/// An edge type (source, name, destination), as PyG's `(src, rel, dst)`.
///
/// Every relation a graph is built with gets a reverse, `rev_<name>` from
/// destination to source, so a message can flow either way along an edge.
/// A symmetric relation (e.g. `friend` between users, stored in both
/// directions) is its own reverse.
public struct Relation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let source: NodeType
    public let name: String
    public let destination: NodeType

    public init(_ source: NodeType, _ name: String, _ destination: NodeType) {
        self.source = source
        self.name = name
        self.destination = destination
    }

    static let reversePrefix = "rev_"

    /// The relation of the same edges traversed from destination to source.
    public var reversed: Relation {
        if name.hasPrefix(Relation.reversePrefix) {
            return Relation(destination, String(name.dropFirst(Relation.reversePrefix.count)), source)
        }
        return Relation(destination, Relation.reversePrefix + name, source)
    }

    /// Whether this relation is the stored reverse of another.
    public var isReverse: Bool { name.hasPrefix(Relation.reversePrefix) }

    public var description: String { "(\(source), \(name), \(destination))" }

    public static func < (a: Relation, b: Relation) -> Bool {
        (a.source, a.name, a.destination) < (b.source, b.name, b.destination)
    }

    /// `(user, interacted, product)`: a purchase, rating, click or review.
    public static let interacted = Relation(.user, "interacted", .product)
    /// `(product, in_category, category)`.
    public static let inCategory = Relation(.product, "in_category", .category)
    /// `(product, by_brand, brand)`.
    public static let byBrand = Relation(.product, "by_brand", .brand)
}
