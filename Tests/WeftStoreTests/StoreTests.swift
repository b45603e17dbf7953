import Foundation
import GRDB
import Testing
@testable import WeftStore

private let expectedTables: Set<String> = [
    "brands", "categories", "products", "product_categories", "users", "interactions",
    "product_links", "user_links", "embedding_cache",
]

private func tableNames(_ store: Store) throws -> Set<String> {
    try store.read { db in
        Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
    }
}

private func insertSampleCatalog(_ store: Store) throws {
    try store.write { db in
        try db.execute(sql: "INSERT INTO brands(name) VALUES ('Visa')")
        try db.execute(sql: """
            INSERT INTO products(id, title, brand, categories, price) VALUES ('B1', 'Gift card', 'Visa', '["Gift Cards"]', 25)
            """)
        try db.execute(sql: "INSERT INTO users(id) VALUES ('U1')")
        try db.execute(sql: "INSERT INTO interactions(user, product, timestamp, rating) VALUES ('U1', 'B1', 1514764800, 5)")
    }
}

@Suite struct StoreTests {
    @Test func inMemoryQueueHasTheWholeSchema() throws {
        let store = try Store.inMemory()
        #expect(try expectedTables.isSubset(of: tableNames(store)))
        #expect(try store.read { try Int.fetchOne($0, sql: "PRAGMA user_version") } == StoreSchema.currentVersion)
        try insertSampleCatalog(store)
        let counts = try store.counts()
        #expect(counts.products == 1 && counts.users == 1 && counts.interactions == 1 && counts.brands == 1)
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test func onDiskPoolUsesWALAndBusyTimeoutAndKeepsDataAcrossReopen() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("weft.db")
        do {
            let store = try Store(path: path, options: .init(busyTimeoutSeconds: 2.5))
            #expect(store.writer is DatabasePool)
            #expect(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
            #expect(try store.write { try Int.fetchOne($0, sql: "PRAGMA busy_timeout") } == 2500)
            #expect(try store.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") } == true)
            try insertSampleCatalog(store)
        }
        let reopened = try Store(path: path)
        #expect(try reopened.counts().interactions == 1)
        #expect(try expectedTables.isSubset(of: tableNames(reopened)))
        let readOnly = try Store(path: path, options: .init(readOnly: true))
        #expect(try readOnly.counts().products == 1)
    }

    @Test func foreignKeysRejectAnInteractionWithAnUnknownProduct() throws {
        let store = try Store.inMemory()
        try store.write { db in try db.execute(sql: "INSERT INTO users(id) VALUES ('U1')") }
        #expect(throws: (any Error).self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO interactions(user, product, timestamp) VALUES ('U1', 'nope', 0)")
            }
        }
        #expect(try store.counts().interactions == 0)
    }

    @Test func embeddingCacheChecksBlobLengthAgainstDimension() throws {
        let store = try Store.inMemory()
        #expect(throws: (any Error).self) {
            try store.write { db in
                try db.execute(
                    sql: "INSERT INTO embedding_cache VALUES ('m', ?, 4, ?, 0)",
                    arguments: [Data(count: 32), Data(count: 12)])
            }
        }
    }

    @Test func newerSchemaVersionIsRefusedAndTheFileIsUntouched() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("future.db")
        do {
            let store = try Store(path: path)
            try insertSampleCatalog(store)
            try store.write { db in try db.execute(sql: "PRAGMA user_version = 7") }
            store.checkpoint()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: StoreError.newerSchema(path: path, found: 7, supported: StoreSchema.currentVersion)) {
            _ = try Store(path: path)
        }
        let message = StoreError.newerSchema(path: path, found: 7, supported: 1).description
        #expect(message.contains(path) && message.contains("newer"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func unknownAppliedMigrationCountsAsNewerSchema() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("superseded.db")
        do {
            let store = try Store(path: path)
            try store.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v9: from the future')")
            }
        }
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            guard case StoreError.newerSchema(let failingPath, _, _) = error else { return false }
            return failingPath == path
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndUntouched() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("notes.db")
        let content = Data(String(repeating: "these are not database pages\n", count: 20).utf8)
        try content.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notADatabase(path: path)) { _ = try Store(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(StoreError.notADatabase(path: path).description.hasPrefix(path))
    }

    @Test func readOnlyOpeningOfAMissingFileSaysSo() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("absent.db")
        #expect(throws: StoreError.missing(path: path)) { _ = try Store(path: path, options: .init(readOnly: true)) }
        #expect(!FileManager.default.fileExists(atPath: path))
        let nested = folder.path("no/such/folder/weft.db")
        #expect(throws: StoreError.self) { _ = try Store(path: nested) }
    }
}
