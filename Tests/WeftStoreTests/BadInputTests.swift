import Foundation
import GRDB
import Testing
@testable import WeftStore

/// Every way the database can refuse work gets one sentence naming the file, and loses nothing already stored.
@Suite struct BadInputTests {
    /// A dataset big enough (about 1.5 MB of rows) to overflow the small quotas below.
    private static func writeLargeDataset(to folder: String) throws {
        let products = (0..<500).map { index in
            var product = ProductRecord(id: "P\(index)")
            product.title = "Product \(index)"
            product.description = String(repeating: "Long product description for the size test. ", count: 20)
            return product.json.serialized
        }
        let interactions = (0..<4_000).map { index in
            InteractionRecord(user: "U\(index % 300)", product: "P\(index % 500)", timestamp: Int64(index), rating: 4,
                              review: "A review that takes some room on disk.").json.serialized
        }
        try DatasetFixture.write(["products.jsonl": products, "interactions.jsonl": interactions], to: folder)
    }

    private static func storeWithCatalog(_ path: String, options: Store.Options = .init()) throws -> (Store, [String]) {
        let folder = (path as NSString).deletingLastPathComponent + "/catalog-\(UUID().uuidString)"
        try DatasetFixture.write(DatasetFixture.catalog, to: folder)
        let store = try Store(path: path, options: options)
        try DatasetImporter(store: store).importDataset(from: folder)
        try EmbeddingCache(store: store).insert(
            model: ModelFingerprint(configuration: Data("c".utf8), weights: Data([1])), texts: ["kept"], vectors: [1, 2],
            dimension: 2)
        return (store, try DatasetFixture.dump(store))
    }

    @Test func readOnlyOpeningRefusesEveryWriteAndKeepsTheData() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("weft.db")
        let (_, before) = try Self.storeWithCatalog(path)
        try Self.writeLargeDataset(to: folder.path("large"))
        let readOnly = try Store(path: path, options: .init(readOnly: true))
        #expect(throws: StoreError.readOnly(path: path)) {
            try DatasetImporter(store: readOnly).importDataset(from: folder.path("large"))
        }
        #expect(throws: StoreError.readOnly(path: path)) {
            try EmbeddingCache(store: readOnly).insert(
                model: ModelFingerprint(configuration: Data(), weights: Data()), texts: ["x"], vectors: [0], dimension: 1)
        }
        #expect(StoreError.readOnly(path: path).description.hasPrefix("\(path) is read-only"))
        #expect(try DatasetFixture.dump(Store(path: path)) == before)
    }

    @Test(.enabled(if: getuid() != 0, "root ignores file permissions"))
    func aFileWithoutWritePermissionIsReportedAsReadOnly() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("weft.db")
        let (store, before) = try Self.storeWithCatalog(path)
        store.checkpoint()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        #expect(throws: StoreError.readOnly(path: path)) { _ = try Store(path: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(try DatasetFixture.dump(Store(path: path)) == before)
    }

    @Test(.enabled(if: TemporaryMount.isAvailable, "needs permission to mount a tmpfs"))
    func aDatabaseOnAReadOnlyMountIsReportedAsReadOnly() throws {
        let mount = try TemporaryMount(sizeBytes: 4 << 20)
        let path = mount.path + "/weft.db"
        do {
            let (store, _) = try Self.storeWithCatalog(path)
            store.checkpoint()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(mount.remountReadOnly())
        #expect(throws: StoreError.readOnly(path: path)) { _ = try Store(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(.timeLimit(.minutes(1)))
    func aDatabaseLockedByAnotherWriterIsReportedAfterTheBusyTimeout() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("weft.db")
        let (holder, _) = try Self.storeWithCatalog(path)
        try DatasetFixture.write(DatasetFixture.catalog, to: folder.path("data"))
        let importer = try Store(path: path, options: .init(busyTimeoutSeconds: 0.2))
        let writing = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? holder.write { db in
                try db.execute(sql: "INSERT INTO users(id) VALUES ('held by the other writer')")
                writing.signal()
                Thread.sleep(forTimeInterval: 1.5)
            }
            finished.signal()
        }
        writing.wait()
        let started = Date()
        #expect(throws: StoreError.locked(path: path, waitedSeconds: 0.2)) {
            try DatasetImporter(store: importer).importDataset(from: folder.path("data"))
        }
        #expect(Date().timeIntervalSince(started) < 1.4, "the import waited for the busy timeout, not for the other writer")
        finished.wait()
        #expect(StoreError.locked(path: path, waitedSeconds: 0.2).description.hasPrefix("\(path) is locked"))
        let users = try importer.read { try String.fetchAll($0, sql: "SELECT id FROM users ORDER BY id") }
        #expect(users == ["U1", "U2", "held by the other writer"])
    }

    @Test func aFullDatabaseRollsBackTheImportAndKeepsWhatWasStored() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("weft.db")
        try Self.writeLargeDataset(to: folder.path("large"))
        // A quota of 60 pages (240 KiB) is what a full disk looks like to SQLite: SQLITE_FULL on the next page.
        let (store, before) = try Self.storeWithCatalog(path, options: .init(maximumPageCount: 60))
        #expect(throws: StoreError.diskFull(path: path)) {
            try DatasetImporter(store: store).importDataset(from: folder.path("large"))
        }
        #expect(try DatasetFixture.dump(store) == before)
        #expect(try store.integrityProblems().isEmpty)
        #expect(StoreError.diskFull(path: path).description.contains(path))
        let reopened = try Store(path: path)
        #expect(try DatasetFixture.dump(reopened) == before)
        try DatasetImporter(store: reopened).importDataset(from: folder.path("large"))
        #expect(try reopened.counts().interactions == 4_003)
    }

    @Test(.enabled(if: TemporaryMount.isAvailable, "needs permission to mount a tmpfs"))
    func aFullFileSystemRollsBackImportsAndConversions() throws {
        let mount = try TemporaryMount(sizeBytes: 1 << 20)
        let scratch = try TemporaryDirectory()
        let path = mount.path + "/weft.db"
        try Self.writeLargeDataset(to: scratch.path("large"))
        let (store, before) = try Self.storeWithCatalog(path)
        #expect(throws: StoreError.diskFull(path: path)) {
            try DatasetImporter(store: store).importDataset(from: scratch.path("large"))
        }
        #expect(try DatasetFixture.dump(store) == before)
        #expect(try DatasetFixture.dump(Store(path: path)) == before)
        #expect(try store.integrityProblems().isEmpty)
        // The rolled-back WAL was truncated, so small writes work again.
        try EmbeddingCache(store: store).insert(
            model: ModelFingerprint(configuration: Data(), weights: Data()), texts: ["after"], vectors: [3], dimension: 1)

        // A converter filling the disk reports the file and leaves no partial output.
        let output = mount.path + "/converted"
        #expect {
            _ = try DatasetSampler(productCount: 500, minimumUserInteractions: 1).sample(from: scratch.path("large"), to: output)
        } throws: { error in
            guard case DatasetFileError.cannotWrite(let failing, let reason) = error else { return false }
            return failing.hasPrefix(output) && reason.contains("space")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).isEmpty)
    }
}
