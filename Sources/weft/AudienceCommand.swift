import ArgumentParser
import Foundation
import WeftRec

/// `weft audience`: the users most likely to want a product.
struct AudienceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "Users most likely to want a product (for new products too), without those who have it.")

    @OptionGroup var engine: EngineOptions

    @Option(help: "Product id.")
    var product: String

    @Option(help: "How many users (default: 10).")
    var k: Int = 10

    @Flag(help: "Explain each user's score with evidence from the data.")
    var explain = false

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let results = try engine.makeEngine().audience(product: product, k: k, explain: explain)
        if json { return try ResultJSON.print(results) }
        print("Audience of \(product):")
        for r in results {
            print(String(format: "%2d. %@  (score %.3f)", r.rank, r.user, r.score))
            if let x = r.explanation { print(ExplanationText.render(x, indent: "    ")) }
        }
    }
}
