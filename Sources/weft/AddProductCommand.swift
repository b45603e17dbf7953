import ArgumentParser
import Foundation
import WeftRec

/// `weft add-product`: cold-start insert of new products with text and metadata.
struct AddProductCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-product",
        abstract: "Add new products (text and metadata) to a trained model and the store, without retraining.",
        discussion: """
            --json names a file with one product object or a list of them:
              {"id": "NEW1", "title": "...", "description": "...", "brand": "...", "categories": ["..."],
               "links": {"also_bought": ["B00..."]}, "embedding": [optional text vector]}
            Each is embedded (given vector, the store's cache, or the model's text encoder), inserted into the \
            graph, embedded by the trained GNN and written to the store; its audience follows.
            """)

    @OptionGroup var engine: EngineOptions

    @Option(name: .customLong("json"), help: "JSON file with the product(s).")
    var input: String

    @Option(help: "Audience to print for each new product (0: none; default: 5).")
    var audience: Int = 5

    @Flag(help: "Print JSON instead of text.")
    var jsonOutput = false

    struct Added: Encodable {
        var added: AddedProduct
        var audience: [AudienceMember]
    }

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw ValidationError("--json \(input) cannot be read: \(error.localizedDescription)")
        }
        let products: [NewProduct]
        do {
            let decoder = JSONDecoder()
            if let one = try? decoder.decode(NewProduct.self, from: data) {
                products = [one]
            } else {
                products = try decoder.decode([NewProduct].self, from: data)
            }
        } catch {
            throw ValidationError("--json \(input): not a product object or a list of them: \(error)")
        }
        let engine = try engine.makeEngine()
        var results: [Added] = []
        for p in products {
            let added = try engine.addProduct(p)
            results.append(Added(added: added, audience: audience > 0 ? try engine.audience(product: p.id, k: audience) : []))
        }
        if jsonOutput { return try ResultJSON.print(results) }
        for r in results {
            print("added \(r.added.product) (row \(r.added.index), text from \(r.added.embeddingSource), \(r.added.edges.count) edges, \(r.added.persisted ? "saved to the store" : "not persisted"))")
            for m in r.audience { print(String(format: "  %2d. %@  (score %.3f)", m.rank, m.user, m.score)) }
        }
    }
}
