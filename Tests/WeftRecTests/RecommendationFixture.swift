import Foundation
@testable import WeftRec
import WeftStore

/// A small dataset folder with everything the product layer reads: product
/// text, categories and brands, reviews, also-bought links and trust ties.
enum RecommendationFixture {
    static let reviewTemplates = [
        "I love the %@ sound of this one. Shipping was slow!",
        "Great value for %@ fans. My brother asked for another.",
        "Packaging was fine.\nThe %@ recordings are superb.",
    ]

    static func dataset() -> Dataset {
        var d = Fixtures.clustered(groups: 3, usersPerGroup: 8, productsPerGroup: 8, perUser: 5)
        let words = ["jazz trumpet", "metal guitar", "opera soprano"]
        for i in d.interactions.indices {
            let g = Int(d.interactions[i].product) / 8
            if i % 2 == 0 {
                d.interactions[i].review = String(format: reviewTemplates[i % 3], words[g])
            }
        }
        for g in 0..<3 {
            for k in 0..<7 {
                d.productLinks.append(.init(source: Int32(g * 8 + k), target: Int32(g * 8 + k + 1), relation: "also_bought"))
            }
            for k in 0..<7 {
                d.userLinks.append(.init(source: Int32(g * 8 + k), target: Int32(g * 8 + k + 1), relation: "trusts"))
            }
        }
        return d
    }

    /// Writes the dataset in the dataset format (with reviews and links).
    static func folder(_ d: Dataset = dataset()) -> URL {
        let folder = Fixtures.folder()
        func json(_ o: Any) -> String { String(data: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), encoding: .utf8)! }
        Fixtures.write(d.products.map { p in
            var o: [String: Any] = ["id": p.id, "title": p.title, "description": p.description,
                                    "categories": p.categories.map { d.categories[Int($0)] }]
            if let b = p.brand { o["brand"] = d.brands[Int(b)] }
            return json(o)
        }, to: folder.appendingPathComponent("products.jsonl"))
        Fixtures.write(d.interactions.map { x in
            var o: [String: Any] = ["user": d.userIds[Int(x.user)], "product": d.products[Int(x.product)].id, "timestamp": x.timestamp]
            if let r = x.review { o["review"] = r }
            if let r = x.rating { o["rating"] = r }
            return json(o)
        }, to: folder.appendingPathComponent("interactions.jsonl"))
        Fixtures.write(d.productLinks.map { l in
            json(["source": d.products[Int(l.source)].id, "target": d.products[Int(l.target)].id, "relation": l.relation])
        }, to: folder.appendingPathComponent("product_links.jsonl"))
        Fixtures.write(d.userLinks.map { l in
            json(["source": d.userIds[Int(l.source)], "target": d.userIds[Int(l.target)], "relation": l.relation])
        }, to: folder.appendingPathComponent("user_links.jsonl"))
        return folder
    }

    static func options(epochs: Int = 4, seed: UInt64 = 5) -> ModelTraining.Options {
        var o = ModelTraining.Options()
        o.gnn = GNNConfiguration(dimension: 16, layers: 2, heads: 2, idDropout: 0.3)
        o.training.learningRate = 0.01
        o.training.batchSize = 32
        o.training.fanouts = [5, 3]
        o.training.maximumEpochs = epochs
        o.training.patience = 100
        o.seed = seed
        return o
    }

    /// Trains on `folder` with hashed text into a fresh model folder.
    static func train(_ folder: URL, options: ModelTraining.Options = options()) throws -> (URL, TrainedModel) {
        let dataset = try Dataset.load(folder: folder.path)
        let out = Fixtures.folder()
        let encoder = HashedTextEncoder(fitting: dataset.products.map(\.text), dimension: 32)
        let trained = try ModelTraining.run(dataset: dataset, directory: out, encoder: encoder, options: options)
        return (out, trained)
    }

    /// A store on disk with the folder imported.
    static func store(_ folder: URL) throws -> (Store, String) {
        let path = Fixtures.folder().appendingPathComponent("weft.sqlite").path
        let store = try Store(path: path)
        try DatasetImporter(store: store).importDataset(from: folder.path)
        return (store, path)
    }
}
