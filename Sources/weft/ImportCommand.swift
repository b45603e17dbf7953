import ArgumentParser
import Foundation
import WeftStore

extension ErrorPolicy: ExpressibleByArgument {}

/// `weft import`: streams a dataset folder into the store in one transaction.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a dataset folder (products.jsonl, interactions.jsonl, ...) into the SQLite store.",
        discussion: """
            Bad lines are printed as FILE:LINE: FIELD: REASON. With --on-error reject nothing is imported \
            if any line is bad; the database is left exactly as it was. Re-importing the same data changes nothing.
            """)

    @Option(help: "Dataset folder in the Weft dataset format (see DATA_FORMAT.md).")
    var data: String

    @Option(help: "SQLite database file; created if missing.")
    var db: String

    @Option(name: .customLong("on-error"), help: "reject: import nothing if a line is bad; skip: import the good lines. (default: reject)")
    var onError: ErrorPolicy = .reject

    func run() throws {
        let existedBefore = FileManager.default.fileExists(atPath: db)
        var standardError = StandardError()
        let summary: ImportSummary
        do {
            let store = try Store(path: db)
            summary = try DatasetImporter(store: store, policy: onError).importDataset(from: data) { issue in
                print(issue, to: &standardError)
            }
        } catch {
            // "Left as it was" includes not leaving behind an empty database we created.
            if !existedBefore {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            }
            throw error
        }
        for file in summary.files {
            print("\(file.path): \(file.lines) lines, \(file.imported) imported, \(file.skipped) skipped")
        }
        if summary.linesSkipped > 0 {
            let reasons = summary.skippedByKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
            print("skipped \(summary.linesSkipped) bad lines: \(reasons.joined(separator: ", "))")
        }
        if summary.usersCreatedFromInteractions > 0 {
            print("created \(summary.usersCreatedFromInteractions) users named only in interactions")
        }
        let rate = Double(summary.linesImported) / max(summary.seconds, 1e-9)
        print("\(db) now holds \(summary.countsAfter) (\(String(format: "%.1f", summary.seconds)) s, \(Int(rate)) lines/s)")
    }
}

/// Lets `print(..., to:)` write to standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
