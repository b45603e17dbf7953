import Foundation
@testable import WeftRec

/// Small datasets built in code, with structure a model can learn.
enum Fixtures {
    /// `groups` taste groups: users of group g interact with products of
    /// group g only (each user with `perUser` of them, time-ordered), so a
    /// collaborative model can rank a user's unseen in-group products first.
    /// Product text names the group, so text models can find it too.
    static func clustered(groups: Int = 3, usersPerGroup: Int = 12, productsPerGroup: Int = 10, perUser: Int = 6,
                          seed: UInt64 = 1) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var d = Dataset(name: "clustered")
        let words = ["jazz trumpet saxophone", "metal guitar drums", "opera soprano aria", "techno synth beat"]
        for g in 0..<groups {
            for k in 0..<productsPerGroup {
                d.addProduct(id: "p\(g)-\(k)", title: "item \(k)", description: words[g % words.count],
                             brand: "brand\(g)", categories: ["genre\(g)"])
            }
        }
        for g in 0..<groups {
            for k in 0..<usersPerGroup {
                let u = d.addUser(id: "u\(g)-\(k)")
                let chosen = rng.sample(perUser, from: productsPerGroup)
                for (t, c) in chosen.enumerated() {
                    d.interactions.append(.init(user: u, product: Int32(g * productsPerGroup + c), timestamp: Int64(100 + t)))
                }
            }
        }
        return d
    }

    /// A fresh temporary folder.
    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("weft-rec-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ lines: [String], to url: URL) {
        try! Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
    }

    /// Writes `dataset` in the dataset format.
    static func write(_ dataset: Dataset, to folder: URL) {
        func json(_ o: Any) -> String { String(data: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), encoding: .utf8)! }
        write(dataset.products.map { p in
            var o: [String: Any] = ["id": p.id, "title": p.title, "description": p.description,
                                    "categories": p.categories.map { dataset.categories[Int($0)] }]
            if let b = p.brand { o["brand"] = dataset.brands[Int(b)] }
            return json(o)
        }, to: folder.appendingPathComponent("products.jsonl"))
        write(dataset.interactions.map { x in
            json(["user": dataset.userIds[Int(x.user)], "product": dataset.products[Int(x.product)].id, "timestamp": x.timestamp])
        }, to: folder.appendingPathComponent("interactions.jsonl"))
        if !dataset.userLinks.isEmpty {
            write(dataset.userLinks.map { l in
                json(["source": dataset.userIds[Int(l.source)], "target": dataset.userIds[Int(l.target)], "relation": l.relation])
            }, to: folder.appendingPathComponent("user_links.jsonl"))
        }
    }
}

/// A recommender whose scores are given, for metric tests.
final class FixedScores: Recommender {
    let name = "fixed"
    let table: [[Float]]
    init(_ table: [[Float]]) { self.table = table }
    func fit(_ context: TrainingContext) throws {}
    func scores(users: [Int32]) -> Tensor {
        Tensor(users.flatMap { table[Int($0)] }, shape: [users.count, table[0].count])
    }
}
