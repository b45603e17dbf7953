/// A list of (user, product) pairs as two parallel arrays.
public struct UserProductPairs: Sendable, Equatable {
    public var users: [Int32] = []
    public var products: [Int32] = []

    public init() {}

    public init(users: [Int32], products: [Int32]) {
        precondition(users.count == products.count, "UserProductPairs: \(users.count) users, \(products.count) products")
        self.users = users
        self.products = products
    }

    public var count: Int { users.count }
    public var isEmpty: Bool { users.isEmpty }

    public mutating func append(user: Int32, product: Int32) {
        users.append(user)
        products.append(product)
    }

    public static func + (a: UserProductPairs, b: UserProductPairs) -> UserProductPairs {
        UserProductPairs(users: a.users + b.users, products: a.products + b.products)
    }

    /// Each user's products (sorted, distinct) as CSR over `userCount` rows.
    public func adjacency(userCount: Int) -> Adjacency {
        Adjacency(rowCount: userCount, sources: users, targets: products)
    }
}
