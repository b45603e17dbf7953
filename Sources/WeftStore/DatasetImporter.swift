import Foundation
import GRDB

/// What to do with bad lines.
public enum ErrorPolicy: String, Sendable, CaseIterable {
    /// Import nothing if any line is bad (the database is left exactly as it was).
    case reject
    /// Import every good line and count the bad ones by reason.
    case skip
}

/// A dataset folder that cannot be imported as a whole.
public enum DatasetImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAFolder(path: String)
    case missingRequiredFile(path: String)
    case rejected(directory: String, database: String, badLines: Int, firstIssue: LineIssue)

    public var description: String {
        switch self {
        case .notAFolder(let path): return "\(path) is not a dataset folder."
        case .missingRequiredFile(let path):
            return "\(path) is missing; a dataset needs products.jsonl and interactions.jsonl."
        case .rejected(let directory, let database, let badLines, let firstIssue):
            return "\(directory) has \(badLines) bad line\(badLines == 1 ? "" : "s") (first: \(firstIssue)); "
                + "nothing was imported and \(database) is unchanged (use --on-error skip to import the good lines)."
        }
    }
}

/// Per-file and overall outcome of an import.
public struct ImportSummary: Sendable {
    public struct FileSummary: Sendable {
        public var path: String
        public var lines = 0
        public var imported = 0
        public var skipped = 0
    }

    public var files: [FileSummary] = []
    public var skippedByKind: [LineIssue.Kind: Int] = [:]
    public var usersCreatedFromInteractions = 0
    public var countsBefore = CatalogCounts()
    public var countsAfter = CatalogCounts()
    public var seconds = 0.0

    public var linesImported: Int { files.reduce(0) { $0 + $1.imported } }
    public var linesSkipped: Int { files.reduce(0) { $0 + $1.skipped } }
}

/// Streams a dataset folder (DATA_FORMAT.md) into a `Store` in one transaction.
///
/// Files are read line by line in dependency order: products, users,
/// interactions (which create missing users), product links, user links.
/// Every write is an upsert keyed as the schema's unique constraints are, so
/// importing the same folder again changes nothing. Because the whole import
/// is one transaction in a WAL database, a crash or `kill -9` at any moment
/// leaves either the old contents or the complete import.
public struct DatasetImporter {
    public let store: Store
    public var policy: ErrorPolicy

    public init(store: Store, policy: ErrorPolicy = .reject) {
        self.store = store
        self.policy = policy
    }

    private enum FileKind: CaseIterable {
        case products, users, interactions, productLinks, userLinks

        var fileName: String {
            switch self {
            case .products: return "products.jsonl"
            case .users: return "users.jsonl"
            case .interactions: return "interactions.jsonl"
            case .productLinks: return "product_links.jsonl"
            case .userLinks: return "user_links.jsonl"
            }
        }

        var isRequired: Bool { self == .products || self == .interactions }
    }

    private struct RollBack: Error {}

    /// Imports the folder at `directory`; `reportIssue` sees every bad line as it is found.
    @discardableResult
    public func importDataset(
        from directory: String, reportIssue: (LineIssue) -> Void = { _ in }
    ) throws -> ImportSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetImportError.notAFolder(path: directory)
        }
        var inputs: [(FileKind, String)] = []
        for kind in FileKind.allCases {
            let plain = (directory as NSString).appendingPathComponent(kind.fileName)
            if FileManager.default.fileExists(atPath: plain) {
                inputs.append((kind, plain))
            } else if FileManager.default.fileExists(atPath: plain + ".gz") {
                inputs.append((kind, plain + ".gz"))
            } else if kind.isRequired {
                throw DatasetImportError.missingRequiredFile(path: plain)
            }
        }

        let started = Date()
        var summary = ImportSummary()
        var firstIssue: LineIssue?
        summary.countsBefore = try store.counts()
        do {
            try store.writer.writeWithoutTransaction { db in
                // The importer checks every reference itself (with a cache of known ids), so
                // SQLite's per-row foreign-key look-ups would only repeat that work; a larger
                // page cache keeps the growing indexes in memory instead of re-reading the WAL.
                try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -131072")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA cache_size = -\(Store.pageCacheKibibytes)") }
                try db.inTransaction(.immediate) {
                let statements = try ImportStatements(db)
                for (kind, path) in inputs {
                    var fileSummary = ImportSummary.FileSummary(path: path)
                    let reader = try LineReader(path: path)
                    try reader.forEachLine { lineNumber, bytes in
                        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
                        fileSummary.lines += 1
                        do {
                            try importLine(bytes, kind: kind, statements: statements, summary: &summary)
                            fileSummary.imported += 1
                        } catch let issue as FieldIssueError {
                            let lineIssue = issue.at(file: path, line: lineNumber)
                            fileSummary.skipped += 1
                            summary.skippedByKind[lineIssue.kind, default: 0] += 1
                            if firstIssue == nil { firstIssue = lineIssue }
                            reportIssue(lineIssue)
                        }
                    }
                    summary.files.append(fileSummary)
                }
                if policy == .reject && firstIssue != nil { throw RollBack() }
                summary.countsAfter = try CatalogCounts.fetch(db)
                return .commit
                }
            }
        } catch is RollBack {
            store.checkpoint()
            throw DatasetImportError.rejected(
                directory: directory, database: store.path, badLines: summary.linesSkipped, firstIssue: firstIssue!)
        } catch {
            // A rolled-back import leaves dead frames in the WAL; truncating it gives the space back (a full disk).
            store.checkpoint()
            throw store.wrap(error)
        }
        store.checkpoint()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func importLine(
        _ bytes: UnsafeBufferPointer<UInt8>, kind: FileKind, statements: ImportStatements, summary: inout ImportSummary
    ) throws {
        if let offset = UTF8Validation.firstInvalidOffset(bytes) {
            throw FieldIssueError(field: "line", kind: .invalidUTF8, reason: "invalid UTF-8 at byte \(offset + 1)")
        }
        let json: JSONValue
        do {
            json = try JSONLineParser.parse(bytes)
        } catch {
            throw FieldIssueError(field: "line", kind: .invalidJSON, reason: error.description)
        }
        switch kind {
        case .products:
            try statements.upsert(try ProductRecord(json: json))
        case .users:
            try statements.upsert(try UserRecord(json: json))
        case .interactions:
            let interaction = try InteractionRecord(json: json)
            guard try statements.productExists(interaction.product) else {
                throw FieldIssueError(
                    field: "product", kind: .unknownProduct, reason: "\"\(interaction.product)\" is not in products.jsonl")
            }
            if try statements.createUserIfMissing(interaction.user) { summary.usersCreatedFromInteractions += 1 }
            try statements.upsert(interaction)
        case .productLinks:
            let link = try LinkRecord(json: json)
            for (field, id) in [("source", link.source), ("target", link.target)] where try !statements.productExists(id) {
                throw FieldIssueError(field: field, kind: .unknownProduct, reason: "\"\(id)\" is not in products.jsonl")
            }
            try statements.insertProductLink(link)
        case .userLinks:
            let link = try LinkRecord(json: json)
            for (field, id) in [("source", link.source), ("target", link.target)] where try !statements.userExists(id) {
                throw FieldIssueError(
                    field: field, kind: .unknownUser,
                    reason: "\"\(id)\" is neither in users.jsonl nor in interactions.jsonl")
            }
            try statements.insertUserLink(link)
        }
    }
}

/// The prepared statements of one import, compiled once per transaction.
private final class ImportStatements {
    let db: Database
    let insertBrand: Statement
    let upsertProduct: Statement
    let deleteProductCategories: Statement
    let insertCategory: Statement
    let insertProductCategory: Statement
    let upsertUser: Statement
    let insertUserIfMissing: Statement
    let upsertInteraction: Statement
    let insertProductLink: Statement
    let insertUserLink: Statement
    let selectProduct: Statement
    let selectUser: Statement
    /// Ids known to exist, so popular products and active users are looked up once per import.
    private var knownProducts: Set<String> = []
    private var knownUsers: Set<String> = []

    init(_ db: Database) throws {
        self.db = db
        insertBrand = try db.makeStatement(sql: "INSERT INTO brands(name) VALUES (?) ON CONFLICT(name) DO NOTHING")
        upsertProduct = try db.makeStatement(sql: """
            INSERT INTO products(id, title, description, brand, categories, price, attributes)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET title = excluded.title, description = excluded.description,
                brand = excluded.brand, categories = excluded.categories, price = excluded.price,
                attributes = excluded.attributes
            """)
        deleteProductCategories = try db.makeStatement(sql: "DELETE FROM product_categories WHERE product = ?")
        insertCategory = try db.makeStatement(sql: "INSERT INTO categories(name) VALUES (?) ON CONFLICT(name) DO NOTHING")
        insertProductCategory = try db.makeStatement(sql: """
            INSERT INTO product_categories(product, category) SELECT ?, id FROM categories WHERE name = ?
            ON CONFLICT DO NOTHING
            """)
        upsertUser = try db.makeStatement(sql: """
            INSERT INTO users(id, attributes) VALUES (?, ?)
            ON CONFLICT(id) DO UPDATE SET attributes = excluded.attributes
            """)
        insertUserIfMissing = try db.makeStatement(sql: "INSERT INTO users(id) VALUES (?) ON CONFLICT(id) DO NOTHING")
        upsertInteraction = try db.makeStatement(sql: """
            INSERT INTO interactions(user, product, timestamp, rating, review, attributes) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(user, product, timestamp) DO UPDATE SET rating = excluded.rating, review = excluded.review,
                attributes = excluded.attributes
            """)
        insertProductLink = try db.makeStatement(sql: """
            INSERT INTO product_links(source, target, relation) VALUES (?, ?, ?) ON CONFLICT DO NOTHING
            """)
        insertUserLink = try db.makeStatement(sql: """
            INSERT INTO user_links(source, target, relation) VALUES (?, ?, ?) ON CONFLICT DO NOTHING
            """)
        selectProduct = try db.makeStatement(sql: "SELECT 1 FROM products WHERE id = ?")
        selectUser = try db.makeStatement(sql: "SELECT 1 FROM users WHERE id = ?")
    }

    func upsert(_ product: ProductRecord) throws {
        if let brand = product.brand { try insertBrand.execute(arguments: [brand]) }
        let categories = JSONValue.array(product.categories.map(JSONValue.string)).serialized
        try upsertProduct.execute(arguments: [
            product.id, product.title, product.description, product.brand, categories, product.price,
            product.attributes.serialized,
        ])
        knownProducts.insert(product.id)
        try deleteProductCategories.execute(arguments: [product.id])
        for category in product.categories {
            try insertCategory.execute(arguments: [category])
            try insertProductCategory.execute(arguments: [product.id, category])
        }
    }

    func upsert(_ user: UserRecord) throws {
        try upsertUser.execute(arguments: [user.id, user.attributes.serialized])
        knownUsers.insert(user.id)
    }

    func upsert(_ interaction: InteractionRecord) throws {
        try upsertInteraction.execute(arguments: [
            interaction.user, interaction.product, interaction.timestamp, interaction.rating, interaction.review,
            interaction.attributes.serialized,
        ])
    }

    func insertProductLink(_ link: LinkRecord) throws {
        try insertProductLink.execute(arguments: [link.source, link.target, link.relation])
    }

    func insertUserLink(_ link: LinkRecord) throws {
        try insertUserLink.execute(arguments: [link.source, link.target, link.relation])
    }

    func productExists(_ id: String) throws -> Bool {
        if knownProducts.contains(id) { return true }
        let exists = try Int.fetchOne(selectProduct, arguments: [id]) != nil
        if exists { knownProducts.insert(id) }
        return exists
    }

    func userExists(_ id: String) throws -> Bool {
        if knownUsers.contains(id) { return true }
        let exists = try Int.fetchOne(selectUser, arguments: [id]) != nil
        if exists { knownUsers.insert(id) }
        return exists
    }

    /// True when the user did not exist and was created.
    func createUserIfMissing(_ id: String) throws -> Bool {
        if knownUsers.contains(id) { return false }
        try insertUserIfMissing.execute(arguments: [id])
        knownUsers.insert(id)
        return db.changesCount > 0
    }
}
