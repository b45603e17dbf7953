import Crypto
import Foundation
import WeftStore

extension Dataset {
    /// The catalog of a Weft store as a dataset: products, users,
    /// interactions (with `sourceRow` = `interactions.id`, so evidence names
    /// the row), product and user links. With `order`, the model's nodes
    /// take their trained indices and anything newer follows in store order;
    /// an id of `order` that the store lacks is an error naming it.
    public static func load(store: Store, name: String, order: ModelIdMaps? = nil) throws -> Dataset {
        let catalog = try StoreCatalog.read(store)
        var dataset = try Dataset(catalog: catalog, name: name, order: order)
        dataset.fileDigests["store catalog"] = catalog.digest
        return dataset
    }

    init(catalog: StoreCatalog, name: String, order: ModelIdMaps?) throws {
        self.init(name: name)
        var records: [String: ProductRecord] = [:]
        for p in catalog.products { records[p.id] = p }
        func add(_ p: ProductRecord) {
            addProduct(id: p.id, title: p.title ?? "", description: p.description ?? "", brand: p.brand,
                       categories: p.categories)
        }
        if let order {
            for c in order.categories { addCategory(c) }
            for b in order.brands { addBrand(b) }
            for id in order.products {
                guard let p = records[id] else { throw DatasetError.modelNodeMissing(kind: "product", id: id) }
                add(p)
            }
            let users = Set(catalog.users)
            for id in order.users {
                guard users.contains(id) else { throw DatasetError.modelNodeMissing(kind: "user", id: id) }
                addUser(id: id)
            }
        }
        for p in catalog.products where productIndex[p.id] == nil { add(p) }
        for u in catalog.users { addUser(id: u) }
        for x in catalog.interactions {
            guard let p = productIndex[x.product] else { continue }
            interactions.append(Interaction(user: addUser(id: x.user), product: p, timestamp: x.timestamp,
                                            rating: x.rating.map(Float.init), review: x.review, sourceRow: x.id))
        }
        for l in catalog.productLinks {
            guard let s = productIndex[l.source], let t = productIndex[l.target] else { continue }
            productLinks.append(Link(source: s, target: t, relation: l.relation))
        }
        for l in catalog.userLinks {
            userLinks.append(Link(source: addUser(id: l.source), target: addUser(id: l.target), relation: l.relation))
        }
    }
}

extension Dataset {
    /// The part of this dataset a model with `ids` was trained on (its first
    /// users, products, categories and brands, which `order` put first) with
    /// the interactions and links among them, indices unchanged.
    func prefix(_ ids: ModelIdMaps) -> Dataset {
        var out = Dataset(name: name)
        out.fileDigests = fileDigests
        for c in categories.prefix(ids.categories.count) { out.addCategory(c) }
        for b in brands.prefix(ids.brands.count) { out.addBrand(b) }
        for p in products.prefix(ids.products.count) {
            out.addProduct(id: p.id, title: p.title, description: p.description,
                           brand: p.brand.flatMap { Int($0) < ids.brands.count ? brands[Int($0)] : nil },
                           categories: p.categories.filter { Int($0) < ids.categories.count }.map { categories[Int($0)] })
        }
        for u in userIds.prefix(ids.users.count) { out.addUser(id: u) }
        let users = Int32(ids.users.count), products = Int32(ids.products.count)
        out.interactions = interactions.filter { $0.user < users && $0.product < products }
        out.productLinks = productLinks.filter { $0.source < products && $0.target < products }
        out.userLinks = userLinks.filter { $0.source < users && $0.target < users }
        return out
    }
}

extension StoreCatalog {
    /// A dataset's records in its index order (interaction ids from `sourceRow`, else the position).
    init(_ dataset: Dataset) {
        self.init()
        products = dataset.products.map { p in
            var r = ProductRecord(id: p.id)
            r.title = p.title
            r.description = p.description
            r.brand = p.brand.map { dataset.brands[Int($0)] }
            r.categories = p.categories.map { dataset.categories[Int($0)] }
            return r
        }
        users = dataset.userIds
        interactions = dataset.interactions.enumerated().map { k, x in
            Interaction(id: x.sourceRow ?? Int64(k + 1), user: dataset.userIds[Int(x.user)],
                        product: dataset.products[Int(x.product)].id, timestamp: x.timestamp,
                        rating: x.rating.map(Double.init), review: x.review)
        }
        productLinks = dataset.productLinks.map {
            LinkRecord(source: dataset.products[Int($0.source)].id, target: dataset.products[Int($0.target)].id, relation: $0.relation)
        }
        userLinks = dataset.userLinks.map {
            LinkRecord(source: dataset.userIds[Int($0.source)], target: dataset.userIds[Int($0.target)], relation: $0.relation)
        }
    }
}

extension StoreCatalog {
    /// SHA-256 (hex) of every catalog record in reading order, so a model
    /// trained on a store is pinned to its exact contents as a folder's
    /// file digests pin it to files.
    var digest: String {
        var hasher = SHA256()
        func add(_ fields: [String?]) {
            for f in fields { hasher.update(data: Data(((f ?? "\u{1}") + "\u{0}").utf8)) }
            hasher.update(data: Data("\n".utf8))
        }
        for p in products {
            add(["p", p.id, p.title, p.description, p.brand, p.categories.joined(separator: "\u{2}")])
        }
        for u in users { add(["u", u]) }
        for x in interactions {
            add(["i", String(x.id), x.user, x.product, String(x.timestamp), x.rating.map { String($0) }, x.review])
        }
        for l in productLinks { add(["pl", l.source, l.target, l.relation]) }
        for l in userLinks { add(["ul", l.source, l.target, l.relation]) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
