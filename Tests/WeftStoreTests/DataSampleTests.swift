import Foundation
import Testing
@testable import WeftStore

/// The committed samples import without a single bad line and give the counts data/README.md states.
@Suite struct DataSampleTests {
    static let dataFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data")

    /// Rows of the counts table for the samples (not the "(full)" ones): folder → numbers.
    static func statedCounts() throws -> [(String, [Int])] {
        let readme = try String(contentsOf: dataFolder.appendingPathComponent("README.md"), encoding: .utf8)
        return readme.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 8, cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { return nil }
            let numbers = cells[1...].compactMap { Int($0) }
            guard numbers.count == 7 else { return nil }
            return (String(cells[0].dropFirst().dropLast()), numbers)
        }
    }

    /// Every dataset folder (one with products.jsonl) under data/ has a row.
    @Test func everySampleFolderIsInTheTable() throws {
        let stated = Set(try Self.statedCounts().map(\.0))
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.dataFolder.path).filter {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: Self.dataFolder.appendingPathComponent($0).path, isDirectory: &isDirectory)
            let isDataset = FileManager.default.fileExists(
                atPath: Self.dataFolder.appendingPathComponent($0).appendingPathComponent("products.jsonl").path)
            return exists && isDirectory.boolValue && isDataset
        }
        #expect(stated.count == 6)
        #expect(Set(folders) == stated)
    }

    @Test(arguments: try DataSampleTests.statedCounts())
    func sampleImportsCleanlyWithTheStatedCounts(folder: String, stated: [Int]) throws {
        let store = try Store.inMemory()
        var issues: [LineIssue] = []
        let summary = try DatasetImporter(store: store, policy: .reject)
            .importDataset(from: Self.dataFolder.appendingPathComponent(folder).path) { issues.append($0) }
        #expect(issues.isEmpty)
        let counts = summary.countsAfter
        let measured = [
            counts.products, counts.users, counts.interactions, counts.productLinks, counts.userLinks, counts.categories,
            counts.brands,
        ]
        #expect(measured == stated, "\(folder): imported \(counts)")
        #expect(try store.integrityProblems().isEmpty)
    }
}
