import ArgumentParser
import Foundation
import WeftRec

/// `weft explain`: why a product suits a user, with the evidence.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a (user, product) score: review sentences, graph paths with attention, fusion gate, description.")

    @OptionGroup var engine: EngineOptions

    @Option(help: "User id.")
    var user: String

    @Option(help: "Product id.")
    var product: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let x = try engine.makeEngine().explain(user: user, product: product)
        if json { return try ResultJSON.print(x) }
        print(ExplanationText.render(x, indent: ""))
    }
}
