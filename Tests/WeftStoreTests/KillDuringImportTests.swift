import Foundation
import Testing
@testable import WeftStore

/// `kill -9` of a running `weft import` must leave the old contents or the complete import, nothing between.
@Suite struct KillDuringImportTests {
    private static func writeLargeDataset(to folder: String, interactions: Int) throws {
        var products: [String] = []
        for index in 0..<2_000 {
            let record = ProductRecord(id: "P\(index)")
            var json = record.json
            json["title"] = .string("Product \(index)")
            json["description"] = .string(String(repeating: "A sturdy product for daily use. ", count: 3))
            json["categories"] = .array([.string("Category \(index % 20)")])
            json["brand"] = .string("Brand \(index % 50)")
            products.append(json.serialized)
        }
        var lines: [String] = []
        lines.reserveCapacity(interactions)
        for index in 0..<interactions {
            let interaction = InteractionRecord(
                user: "U\(index % 3_000)", product: "P\((index &* 7_919) % 2_000)", timestamp: 1_500_000_000 + Int64(index),
                rating: Double(index % 5 + 1), review: "Review number \(index).")
            lines.append(interaction.json.serialized)
        }
        try DatasetFixture.write(["products.jsonl": products, "interactions.jsonl": lines], to: folder)
    }

    @Test(.timeLimit(.minutes(2)))
    func killedImportLeavesOldOrCompleteContents() throws {
        guard WeftBinary.path != nil else {
            Issue.record(WeftBinary.MissingBinary())
            return
        }
        let folder = try TemporaryDirectory()
        try DatasetFixture.write(DatasetFixture.catalog, to: folder.path("small"))
        try Self.writeLargeDataset(to: folder.path("large"), interactions: 12_000)

        // A complete run gives the expected final counts and how long an import takes.
        let referencePath = folder.path("reference.db")
        try DatasetImporter(store: try Store(path: referencePath)).importDataset(from: folder.path("small"))
        let started = Date()
        let complete = try WeftBinary.start(["import", "--data", folder.path("large"), "--db", referencePath])
        complete.waitUntilExit()
        let fullSeconds = Date().timeIntervalSince(started)
        #expect(complete.terminationStatus == 0)
        let fullCounts = try Store(path: referencePath).counts()
        #expect(fullCounts.interactions == 12_003)

        var generator = SplitMix64(seed: 6)
        var outcomes: [String] = []
        for attempt in 0..<4 {
            let path = folder.path("killed-\(attempt).db")
            try DatasetImporter(store: try Store(path: path)).importDataset(from: folder.path("small"))
            let oldCounts = try Store(path: path).counts()
            let oldDump = try DatasetFixture.dump(try Store(path: path))

            let process = try WeftBinary.start(["import", "--data", folder.path("large"), "--db", path])
            // Spread the kills over the whole run: opening, the middle of the transaction, around the commit.
            let delay = fullSeconds * (Double(attempt) + Double.random(in: 0..<1, using: &generator)) / 3.5
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let wasKilled = process.terminationReason == .uncaughtSignal

            let reopened = try Store(path: path)
            #expect(try reopened.integrityProblems().isEmpty)
            let counts = try reopened.counts()
            if counts == oldCounts {
                #expect(try DatasetFixture.dump(reopened) == oldDump)
                #expect(wasKilled)
                outcomes.append("killed at \(String(format: "%.2f", delay)) s: unchanged")
            } else {
                #expect(counts == fullCounts, "after kill at \(delay) s the store holds \(counts)")
                outcomes.append("\(wasKilled ? "killed" : "finished") at \(String(format: "%.2f", delay)) s: complete")
            }
        }
        print("kill -9 during a \(String(format: "%.2f", fullSeconds)) s import: \(outcomes.joined(separator: "; "))")
        #expect(outcomes.count == 4)
    }
}
