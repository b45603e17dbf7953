import Foundation
import GRDB

/// The Weft database: the catalog (products, users, interactions, links,
/// categories, brands) and the text-embedding cache, in one SQLite file.
///
/// On disk it is a `DatabasePool` in WAL mode, so readers never block the
/// writer and a killed writer leaves the last committed state; in memory it is
/// a `DatabaseQueue` (tests). Every error leaving a `Store` is a `StoreError`
/// (or another typed Weft error) naming the file.
public final class Store: Sendable {
    public struct Options: Sendable {
        /// Open without write access; the schema must already be current.
        public var readOnly: Bool
        /// How long a write waits for another process's write to finish before failing as locked.
        public var busyTimeoutSeconds: Double
        /// Caps the file size at this many pages (a quota); writes past it fail as disk full.
        public var maximumPageCount: Int?

        public init(readOnly: Bool = false, busyTimeoutSeconds: Double = 5, maximumPageCount: Int? = nil) {
            self.readOnly = readOnly
            self.busyTimeoutSeconds = busyTimeoutSeconds
            self.maximumPageCount = maximumPageCount
        }
    }

    /// Page cache per connection. WAL mode keeps a reader's cache between
    /// transactions while nobody writes, so repeated cache look-ups are served
    /// from memory instead of re-reading pages from the file.
    static let pageCacheKibibytes = 32 << 10

    /// The file path, or `:memory:`.
    public let path: String
    public let options: Options
    let writer: any DatabaseWriter

    private init(path: String, options: Options, writer: any DatabaseWriter) {
        self.path = path
        self.options = options
        self.writer = writer
    }

    /// Opens (creating it if needed, unless read-only) the database at `path` and brings its schema up to date.
    public convenience init(path: String, options: Options = Options()) throws {
        try Store.checkFileBeforeOpening(path: path, options: options)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Store.configuration(options))
        } catch {
            throw StoreError.wrapping(error, path: path, busyTimeout: options.busyTimeoutSeconds)
        }
        self.init(path: path, options: options, writer: pool)
        try prepareSchema()
    }

    /// A private in-memory database with the current schema.
    public static func inMemory(options: Options = Options()) throws -> Store {
        var memoryOptions = options
        memoryOptions.readOnly = false
        let queue = try DatabaseQueue(configuration: configuration(memoryOptions))
        let store = Store(path: ":memory:", options: memoryOptions, writer: queue)
        try store.prepareSchema()
        return store
    }

    /// Runs `body` in a read transaction; errors are mapped to typed store errors.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch { throw wrap(error) }
    }

    /// Runs `body` in one write transaction: all of it is committed, or none of it.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.write(body) } catch { throw wrap(error) }
    }

    /// Row counts of every table.
    public func counts() throws -> CatalogCounts {
        try read { db in try CatalogCounts.fetch(db) }
    }

    /// The result of `PRAGMA integrity_check` and `foreign_key_check`: empty when the file is sound.
    public func integrityProblems() throws -> [String] {
        try read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map {
                "foreign key violation in \($0[0] as String? ?? "?") row \($0[1] as Int64? ?? -1)"
            }
            return integrity + foreignKeys
        }
    }

    /// Moves the write-ahead log into the main file so the WAL does not keep the size of the last big import.
    public func checkpoint() {
        _ = try? writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    func wrap(_ error: any Error) -> any Error {
        StoreError.wrapping(error, path: path, busyTimeout: options.busyTimeoutSeconds)
    }

    // MARK: - Opening

    private static func configuration(_ options: Options) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = options.readOnly
        configuration.busyMode = .timeout(options.busyTimeoutSeconds)
        configuration.foreignKeysEnabled = true
        let maximumPageCount = options.maximumPageCount
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -\(Store.pageCacheKibibytes); PRAGMA mmap_size = 268435456")
            if let maximumPageCount {
                try db.execute(sql: "PRAGMA max_page_count = \(maximumPageCount)")
            }
        }
        return configuration
    }

    /// Refuses files SQLite should not touch, before SQLite touches them: opening
    /// a pool switches the file to WAL mode, which must not happen to a foreign
    /// file or to one written by a newer weft.
    private static func checkFileBeforeOpening(path: String, options: Options) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if options.readOnly { throw StoreError.missing(path: path) }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
                throw StoreError.cannotOpen(path: path, reason: "its folder \(folder) does not exist")
            }
            return
        }
        if isDirectory.boolValue { throw StoreError.cannotOpen(path: path, reason: "it is a folder") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "it is not readable")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        if !header.isEmpty {
            let magic = Data("SQLite format 3\u{0}".utf8)
            guard header.count == 100, header.prefix(16) == magic else { throw StoreError.notADatabase(path: path) }
            let userVersion = header[60..<64].reduce(0) { $0 << 8 | Int($1) }
            if userVersion > StoreSchema.currentVersion {
                throw StoreError.newerSchema(path: path, found: userVersion, supported: StoreSchema.currentVersion)
            }
        }
        if !options.readOnly && access(path, W_OK) != 0 { throw StoreError.readOnly(path: path) }
    }

    private func prepareSchema() throws {
        let migrator = StoreSchema.migrator
        let supported = StoreSchema.currentVersion
        let (version, superseded) = try read { db in
            (try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0, try migrator.hasBeenSuperseded(db))
        }
        if version > supported || superseded {
            throw StoreError.newerSchema(path: path, found: max(version, supported + 1), supported: supported)
        }
        if options.readOnly {
            if version < supported {
                throw StoreError.schemaNotCurrent(path: path, found: version, supported: supported)
            }
            return
        }
        do {
            try migrator.migrate(writer)
        } catch {
            // Another process may have migrated between our check and our write.
            let completed = (try? writer.read { db in try migrator.hasCompletedMigrations(db) }) ?? false
            if !completed { throw wrap(error) }
        }
    }
}
