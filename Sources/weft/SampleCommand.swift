import ArgumentParser
import WeftStore

/// `weft sample`: a small dense subset of a dataset folder, for tests and demos.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Cut a small, dense, deterministic sample out of a dataset folder.",
        discussion: """
            Keeps the --products most-interacted products (optionally of one --category), the users with at least \
            --min-user-interactions interactions among them, and every interaction and link among what is kept. \
            For --products 300 --min-user-interactions 5: 300 candidate products, users who touched 5 or more of them.
            """)

    @Option(help: "Dataset folder to sample from.")
    var input: String

    @Option(help: "Output folder.")
    var output: String

    @Option(help: "How many of the most-interacted products to start from. (default: 300)")
    var products: Int = 300

    @Option(name: .customLong("min-user-interactions"), help: "Keep users with at least this many interactions among those products. (default: 5)")
    var minimumUserInteractions: Int = 5

    @Option(help: "Only sample products in this category. (default: all)")
    var category: String?

    @Option(name: .customLong("cold-products"), help: "Also keep this many products that have text but no interactions. (default: 0)")
    var coldProducts: Int = 0

    @Option(name: .customLong("max-users"), help: "Keep at most this many users, the most active first. (default: all)")
    var maximumUsers: Int?

    func run() throws {
        let summary = try DatasetSampler(
            productCount: products, minimumUserInteractions: minimumUserInteractions, category: category,
            coldProductCount: coldProducts, maximumUserCount: maximumUsers
        ).sample(from: input, to: output)
        for name in summary.rowCounts.keys.sorted() { print("\(output)/\(name): \(summary.rowCounts[name]!) rows") }
        for note in summary.notes { print("note: \(note)") }
    }
}
