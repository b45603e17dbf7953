import Foundation

extension Dataset {
    /// Loads a dataset folder (DATA_FORMAT.md): `products.jsonl` and
    /// `interactions.jsonl` (required), `users.jsonl`, `product_links.jsonl`
    /// and `user_links.jsonl` (optional). Files are streamed line by line.
    /// Users named only by interactions or links are added; interactions or
    /// links naming an unknown product are an error with file and line.
    /// Unknown keys are ignored here (the store keeps them as attributes).
    public static func load(folder: String) throws -> Dataset {
        let root = URL(fileURLWithPath: folder)
        var dataset = Dataset(name: root.standardizedFileURL.lastPathComponent)
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
        let fm = FileManager.default
        for required in ["products.jsonl", "interactions.jsonl"] where !fm.fileExists(atPath: path(required)) {
            throw DatasetError.missingFile(path: path(required))
        }

        var reader = JSONLinesReader(path: path("products.jsonl"))
        dataset.fileDigests[reader.fileName] = try reader.forEachObject { line, object in
            let f = JSONLineFields(object: object, file: "products.jsonl", line: line)
            dataset.addProduct(id: try f.id("id"), title: try f.optionalString("title") ?? "",
                               description: try f.optionalString("description") ?? "",
                               brand: try f.optionalString("brand"), categories: try f.stringList("categories"))
        }
        if dataset.products.isEmpty { throw DatasetError.empty(path: path("products.jsonl")) }

        if fm.fileExists(atPath: path("users.jsonl")) {
            reader = JSONLinesReader(path: path("users.jsonl"))
            dataset.fileDigests[reader.fileName] = try reader.forEachObject { line, object in
                let f = JSONLineFields(object: object, file: "users.jsonl", line: line)
                dataset.addUser(id: try f.id("id"))
            }
        }

        reader = JSONLinesReader(path: path("interactions.jsonl"))
        dataset.fileDigests[reader.fileName] = try reader.forEachObject { line, object in
            let f = JSONLineFields(object: object, file: "interactions.jsonl", line: line)
            let user = dataset.addUser(id: try f.id("user"))
            let productId = try f.id("product")
            guard let product = dataset.productIndex[productId] else {
                throw DatasetError.unknownProduct(file: "interactions.jsonl", line: line, field: "product", id: productId)
            }
            let timestamp = try f.optionalNumber("timestamp").map { Int64($0) } ?? 0
            let rating = try f.optionalNumber("rating").map { Float($0) }
            let review = try f.optionalString("review")
            dataset.interactions.append(Interaction(user: user, product: product, timestamp: timestamp, rating: rating,
                                                    review: review, sourceRow: Int64(line)))
        }
        if dataset.interactions.isEmpty { throw DatasetError.empty(path: path("interactions.jsonl")) }

        if fm.fileExists(atPath: path("product_links.jsonl")) {
            reader = JSONLinesReader(path: path("product_links.jsonl"))
            dataset.fileDigests[reader.fileName] = try reader.forEachObject { line, object in
                let f = JSONLineFields(object: object, file: "product_links.jsonl", line: line)
                var ends: [Int32] = []
                for field in ["source", "target"] {
                    let id = try f.id(field)
                    guard let p = dataset.productIndex[id] else {
                        throw DatasetError.unknownProduct(file: "product_links.jsonl", line: line, field: field, id: id)
                    }
                    ends.append(p)
                }
                dataset.productLinks.append(Link(source: ends[0], target: ends[1],
                                                 relation: try f.optionalString("relation") ?? "related"))
            }
        }

        if fm.fileExists(atPath: path("user_links.jsonl")) {
            reader = JSONLinesReader(path: path("user_links.jsonl"))
            dataset.fileDigests[reader.fileName] = try reader.forEachObject { line, object in
                let f = JSONLineFields(object: object, file: "user_links.jsonl", line: line)
                let source = dataset.addUser(id: try f.id("source"))
                let target = dataset.addUser(id: try f.id("target"))
                dataset.userLinks.append(Link(source: source, target: target,
                                              relation: try f.optionalString("relation") ?? "linked"))
            }
        }
        return dataset
    }
}
