import ArgumentParser
import Foundation
import WeftRec

/// `weft recommend`: a user's top-k products they do not have yet.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Top-k products for a user, with explanations on request.",
        discussion: "Example: weft recommend --db weft.sqlite --model models/gift-cards --user A1B2 --k 5 --explain")

    @OptionGroup var engine: EngineOptions

    @Option(help: "User id.")
    var user: String

    @Option(help: "How many products (default: 10).")
    var k: Int = 10

    @Flag(help: "Explain each recommendation with evidence from the data.")
    var explain = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let results = try engine.makeEngine().recommend(user: user, k: k, explain: explain)
        if json { return try ResultJSON.print(results) }
        print("Top \(results.count) for user \(user):")
        for r in results {
            print(String(format: "%2d. %@  %@  (score %.3f)", r.rank, r.product, r.title, r.score))
            if let x = r.explanation { print(ExplanationText.render(x, indent: "    ")) }
        }
    }
}
