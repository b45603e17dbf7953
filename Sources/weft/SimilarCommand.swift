import ArgumentParser
import Foundation
import WeftRec

/// `weft similar`: products whose learned embeddings are closest to one product.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Products most similar to a product (cosine of the model's product embeddings).")

    @OptionGroup var engine: EngineOptions

    @Option(help: "Product id.")
    var product: String

    @Option(help: "How many products (default: 10).")
    var k: Int = 10

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let results = try engine.makeEngine().similar(product: product, k: k)
        if json { return try ResultJSON.print(results) }
        print("Most similar to \(product):")
        for r in results { print(String(format: "%2d. %@  %@  (cosine %.3f)", r.rank, r.product, r.title, r.similarity)) }
    }
}
