import Foundation
import GRDB
import Testing
@testable import WeftStore

@Suite struct DatasetImporterTests {
    @Test func importsEveryFileAndKeepsUnknownKeysAsAttributes() throws {
        let folder = try TemporaryDirectory()
        try DatasetFixture.write(DatasetFixture.catalog, to: folder.path("data"))
        let store = try Store.inMemory()
        let summary = try DatasetImporter(store: store).importDataset(from: folder.path("data"))
        let counts = summary.countsAfter
        #expect(counts.products == 3 && counts.users == 2 && counts.interactions == 3)
        #expect(counts.productLinks == 1 && counts.userLinks == 1 && counts.categories == 3 && counts.brands == 1)
        #expect(summary.usersCreatedFromInteractions == 1)
        #expect(summary.linesSkipped == 0 && summary.linesImported == 9)
        let product = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT brand, categories, price, attributes FROM products WHERE id = 'B1'")!
        }
        #expect(product["brand"] as String? == "Visa")
        #expect(product["categories"] as String? == #"["Gift Cards","Prepaid"]"#)
        #expect(product["price"] as Double? == 25)
        #expect(product["attributes"] as String? == #"{"color":"blue"}"#)
        let user = try store.read { try String.fetchOne($0, sql: "SELECT attributes FROM users WHERE id = 'U1'") }
        #expect(user == #"{"age":34,"segment":"retail"}"#)
        let interaction = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT rating, review, attributes FROM interactions WHERE product = 'B2'")!
        }
        #expect(interaction["rating"] as Double? == nil)
        #expect(interaction["attributes"] as String? == #"{"verified":true}"#)
        let categoryNames = try store.read { db in
            try String.fetchAll(db, sql: """
                SELECT c.name FROM product_categories pc JOIN categories c ON c.id = pc.category
                WHERE pc.product = 'B1' ORDER BY c.name
                """)
        }
        #expect(categoryNames == ["Gift Cards", "Prepaid"])
        #expect(try store.integrityProblems().isEmpty)
    }

    @Test func reimportingIsIdempotentAndUpsertsChanges() throws {
        let folder = try TemporaryDirectory()
        let data = folder.path("data")
        try DatasetFixture.write(DatasetFixture.catalog, to: data)
        let store = try Store(path: folder.path("weft.db"))
        let importer = DatasetImporter(store: store)
        try importer.importDataset(from: data)
        let first = try DatasetFixture.dump(store)
        try importer.importDataset(from: data)
        #expect(try DatasetFixture.dump(store) == first)

        var changed = DatasetFixture.catalog
        changed["products.jsonl"]![0] = #"{"id": "B1", "title": "Visa Card", "categories": ["Prepaid"]}"#
        changed["interactions.jsonl"]![0] = #"{"user": "U1", "product": "B1", "timestamp": 1514764800, "rating": 4}"#
        try DatasetFixture.write(changed, to: data)
        try importer.importDataset(from: data)
        let counts = try store.counts()
        #expect(counts.products == 3 && counts.interactions == 3)
        let row = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT p.title, p.brand, i.rating FROM products p JOIN interactions i ON i.product = p.id WHERE p.id = 'B1'")!
        }
        #expect(row["title"] as String? == "Visa Card" && row["brand"] as String? == nil && row["rating"] as Double? == 4)
        let links = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM product_categories WHERE product = 'B1'") }
        #expect(links == 1)
    }

    /// One line per kind of problem the importer must name.
    private static let badInteractions = [
        #"{"user": "U1", "product": "B1", "timestamp": 1514764800}"#,
        #"{"user": "U1", "product": "B1", "timestamp": 1514764801"#,
        "{\"user\": \"U1\", \"product\": \"B1\", \"timestamp\": 1, \"review\": \"bad \u{FFFD}\"}",
        #"{"product": "B1", "timestamp": 1514764802}"#,
        #"{"user": "U1", "product": "B9", "timestamp": 1514764803}"#,
        #"{"user": "U1", "product": "B1", "timestamp": "yesterday"}"#,
        #"{"user": 7, "product": "B1", "timestamp": 1514764804}"#,
        #"{"user": "U1", "product": "B2", "timestamp": 1.5}"#,
    ]

    private func writeBadDataset(_ folder: String) throws {
        var files = DatasetFixture.catalog
        files["interactions.jsonl"] = Self.badInteractions
        files["user_links.jsonl"] = [#"{"source": "U1", "target": "U404", "relation": "trusts"}"#]
        try DatasetFixture.write(files, to: folder)
        // Line 3 gets a byte that is not UTF-8 in place of U+FFFD's encoding.
        let path = folder + "/interactions.jsonl"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let replacement = Data("\u{FFFD}".utf8)
        let range = bytes.range(of: replacement)!
        bytes.replaceSubrange(range, with: [0xC3, 0x28])
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func rejectReportsEveryBadLineAndLeavesTheDatabaseExactlyAsItWas() throws {
        let folder = try TemporaryDirectory()
        try DatasetFixture.write(DatasetFixture.catalog, to: folder.path("good"))
        try writeBadDataset(folder.path("bad"))
        let store = try Store(path: folder.path("weft.db"))
        try DatasetImporter(store: store).importDataset(from: folder.path("good"))
        let before = try DatasetFixture.dump(store)

        var issues: [LineIssue] = []
        #expect {
            try DatasetImporter(store: store, policy: .reject).importDataset(from: folder.path("bad")) { issues.append($0) }
        } throws: { error in
            guard case DatasetImportError.rejected(_, _, let badLines, _) = error else { return false }
            return badLines == 8 && "\(error)".contains("unchanged")
        }
        #expect(try DatasetFixture.dump(store) == before)
        let interactionsFile = folder.path("bad") + "/interactions.jsonl"
        let expected = [
            "\(interactionsFile):2: line: invalid JSON at byte 56: unterminated object, expected ',' or '}'",
            "\(interactionsFile):3: line: invalid UTF-8 at byte 64",
            "\(interactionsFile):4: user: required field is missing",
            "\(interactionsFile):5: product: \"B9\" is not in products.jsonl",
            "\(interactionsFile):6: timestamp: expected Unix seconds (a number), found a string",
            "\(interactionsFile):7: user: expected a string, found a number",
            "\(interactionsFile):8: timestamp: 1.5 is not a whole number of seconds",
            "\(folder.path("bad"))/user_links.jsonl:1: target: \"U404\" is neither in users.jsonl nor in interactions.jsonl",
        ]
        #expect(issues.map(\.description) == expected)
        #expect(issues.map(\.kind) == [
            .invalidJSON, .invalidUTF8, .missingField, .unknownProduct, .wrongType, .wrongType, .invalidValue, .unknownUser,
        ])
    }

    @Test func skipImportsTheGoodLinesAndCountsTheBadOnesByReason() throws {
        let folder = try TemporaryDirectory()
        try writeBadDataset(folder.path("bad"))
        let store = try Store.inMemory()
        let summary = try DatasetImporter(store: store, policy: .skip).importDataset(from: folder.path("bad"))
        #expect(summary.linesSkipped == 8)
        #expect(summary.skippedByKind == [
            .invalidJSON: 1, .invalidUTF8: 1, .missingField: 1, .unknownProduct: 1, .wrongType: 2, .invalidValue: 1,
            .unknownUser: 1,
        ])
        let counts = try store.counts()
        #expect(counts.interactions == 1 && counts.products == 3 && counts.userLinks == 0)
    }

    @Test func aFolderWithoutRequiredFilesIsRefused() throws {
        let folder = try TemporaryDirectory()
        try DatasetFixture.write(["products.jsonl": [#"{"id": "B1"}"#]], to: folder.path("partial"))
        let store = try Store.inMemory()
        #expect(throws: DatasetImportError.missingRequiredFile(path: folder.path("partial") + "/interactions.jsonl")) {
            try DatasetImporter(store: store).importDataset(from: folder.path("partial"))
        }
        #expect(throws: DatasetImportError.notAFolder(path: folder.path("absent"))) {
            try DatasetImporter(store: store).importDataset(from: folder.path("absent"))
        }
    }

    @Test func blankLinesAreIgnoredButCountedInLineNumbers() throws {
        let folder = try TemporaryDirectory()
        try DatasetFixture.write([
            "products.jsonl": [#"{"id": "B1"}"#, "", "   ", #"{"id": 2}"#],
            "interactions.jsonl": [],
        ], to: folder.path("data"))
        var issues: [LineIssue] = []
        let store = try Store.inMemory()
        _ = try? DatasetImporter(store: store).importDataset(from: folder.path("data")) { issues.append($0) }
        #expect(issues.map(\.line) == [4])
        #expect(try store.counts().products == 0)
    }
}
