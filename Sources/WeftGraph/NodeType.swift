@_exported import WeftNN

/// The type of a graph node: `user`, `product`, `category`, `brand`, or any
/// other name a dataset brings (node types are open, as in PyG's `HeteroData`).
public struct NodeType: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name }

    public static let user = NodeType("user")
    public static let product = NodeType("product")
    public static let category = NodeType("category")
    public static let brand = NodeType("brand")

    public var description: String { name }
    public static func < (a: NodeType, b: NodeType) -> Bool { a.name < b.name }
}
