import GRDB

/// The database schema, built only through `DatabaseMigrator`.
///
/// Each migration ends by writing its number into `PRAGMA user_version`, so a
/// file written by a newer weft is recognised (and refused) before anything is
/// changed, even by tools that do not know GRDB's `grdb_migrations` table.
enum StoreSchema {
    /// The schema version this build writes and understands.
    static let currentVersion = 2

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: catalog and embedding cache") { db in
            try db.execute(sql: catalogSQL)
            try db.execute(sql: embeddingCacheSQL)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration("v2: model fingerprint memo") { db in
            try db.execute(sql: fingerprintMemoSQL)
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        return migrator
    }

    private static let catalogSQL = """
        CREATE TABLE brands (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE categories (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE products (
            id TEXT PRIMARY KEY NOT NULL,
            title TEXT,
            description TEXT,
            brand TEXT REFERENCES brands(name),
            categories TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(categories)),
            price REAL,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes))
        );
        CREATE TABLE product_categories (
            product TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
            category INTEGER NOT NULL REFERENCES categories(id),
            PRIMARY KEY (product, category)
        ) WITHOUT ROWID;
        CREATE INDEX product_categories_by_category ON product_categories(category);
        CREATE TABLE users (
            id TEXT PRIMARY KEY NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes))
        );
        CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            user TEXT NOT NULL REFERENCES users(id),
            product TEXT NOT NULL REFERENCES products(id),
            timestamp INTEGER NOT NULL,
            rating REAL,
            review TEXT,
            attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
            UNIQUE (user, product, timestamp)
        );
        CREATE INDEX interactions_by_product ON interactions(product);
        CREATE TABLE product_links (
            source TEXT NOT NULL REFERENCES products(id),
            target TEXT NOT NULL REFERENCES products(id),
            relation TEXT NOT NULL,
            PRIMARY KEY (source, target, relation)
        ) WITHOUT ROWID;
        CREATE INDEX product_links_by_target ON product_links(target);
        CREATE TABLE user_links (
            source TEXT NOT NULL REFERENCES users(id),
            target TEXT NOT NULL REFERENCES users(id),
            relation TEXT NOT NULL,
            PRIMARY KEY (source, target, relation)
        ) WITHOUT ROWID;
        CREATE INDEX user_links_by_target ON user_links(target);
        """

    /// Vectors are float32 little-endian, `dimension` of them, so the blob
    /// length is checked against it; `text_sha256` is the 32-byte digest.
    /// A rowid table (not WITHOUT ROWID) on purpose: its rows keep up to about
    /// 4 KB inline on a 4 KiB page, so a 384- or 768-dimension vector is read
    /// with its row, whereas an index-organised row spills anything over about
    /// 1 KB into overflow pages, one more read per look-up.
    /// Fingerprints of model files by their `stat` signature (device, inode, size, modification and
    /// status-change times in nanoseconds), so hashing a model's weights happens once per file version.
    private static let fingerprintMemoSQL = """
        CREATE TABLE model_fingerprint_memo (
            files TEXT PRIMARY KEY NOT NULL,
            signature TEXT NOT NULL,
            fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64)
        );
        """

    private static let embeddingCacheSQL = """
        CREATE TABLE embedding_cache (
            model_fingerprint TEXT NOT NULL,
            text_sha256 BLOB NOT NULL CHECK (length(text_sha256) = 32),
            dimension INTEGER NOT NULL CHECK (dimension > 0),
            vector BLOB NOT NULL CHECK (length(vector) = 4 * dimension),
            created_at INTEGER NOT NULL,
            PRIMARY KEY (model_fingerprint, text_sha256)
        );
        """
}
