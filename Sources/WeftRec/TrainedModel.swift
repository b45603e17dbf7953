import Foundation

/// A trained recommendation model as saved by `weft train`: a folder with
///
///   config.json              `ModelConfiguration` (settings, seed, data digests, text source, results)
///   ids.json                 `ModelIdMaps` (external ids in index order)
///   model.safetensors        the GNN's parameters (names from `WeftGNN.namedParameters`)
///   embeddings.safetensors   `user` (U, D) and `product` (P, D) output embeddings, the GNN's
///                            inputs `text.<type>` (N, T) and `id_available.<type>` (N) as 0/1
///   text-encoder.json        the fitted `HashedTextEncoder`, when the text source is hashed
///   checkpoint.safetensors   the last epoch's `GNNTrainingProgress` (for `--resume`)
public struct TrainedModel {
    public static let configurationFile = "config.json"
    public static let idsFile = "ids.json"
    public static let parametersFile = "model.safetensors"
    public static let embeddingsFile = "embeddings.safetensors"
    public static let textEncoderFile = "text-encoder.json"
    public static let checkpointFile = "checkpoint.safetensors"

    public var configuration: ModelConfiguration
    public var ids: ModelIdMaps
    public var model: WeftGNN
    public var inputs: WeftGNN.Inputs
    /// (U, D) and (P, D).
    public var userEmbeddings: Tensor
    public var productEmbeddings: Tensor
    public var hashedEncoder: HashedTextEncoder?

    public init(configuration: ModelConfiguration, ids: ModelIdMaps, model: WeftGNN, inputs: WeftGNN.Inputs,
                userEmbeddings: Tensor, productEmbeddings: Tensor, hashedEncoder: HashedTextEncoder?) {
        self.configuration = configuration
        self.ids = ids
        self.model = model
        self.inputs = inputs
        self.userEmbeddings = userEmbeddings
        self.productEmbeddings = productEmbeddings
        self.hashedEncoder = hashedEncoder
    }

    /// Writes every file but the checkpoint (each atomically; `config.json` last, so a
    /// folder with a `config.json` of this version holds a complete model).
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(ids).write(to: directory.appendingPathComponent(Self.idsFile), options: .atomic)
        try model.saveParameters(to: directory.appendingPathComponent(Self.parametersFile))
        var tensors: [(String, Tensor)] = [("user", userEmbeddings), ("product", productEmbeddings)]
        for (type, table) in inputs.text.sorted(by: { $0.key < $1.key }) where table.count > 0 {
            tensors.append(("text.\(type)", table))
        }
        for (type, table) in inputs.similarityText.sorted(by: { $0.key < $1.key }) where table.count > 0 {
            tensors.append(("similarity_text.\(type)", table))
        }
        for (type, available) in inputs.idAvailable.sorted(by: { $0.key < $1.key }) where !available.isEmpty {
            tensors.append(("id_available.\(type)", Tensor(available.map { $0 ? 1 : 0 }, shape: [available.count])))
        }
        var entries = tensors.map { SafetensorsEntry.tensor($0.0, $0.1) }
        if let neighbors = inputs.textNeighbors {
            // The text graph is quadratic to build, so it is saved rather than rebuilt on every open.
            entries.append(.int32("text_neighbors.offsets", neighbors.offsets, shape: [neighbors.offsets.count]))
            entries.append(.int32("text_neighbors.targets", neighbors.targets, shape: [neighbors.targets.count]))
        }
        try Safetensors.write(entries, to: directory.appendingPathComponent(Self.embeddingsFile))
        if let hashedEncoder {
            try JSONEncoder().encode(hashedEncoder).write(to: directory.appendingPathComponent(Self.textEncoderFile),
                                                          options: .atomic)
        }
        var configuration = self.configuration
        if !configuration.validationNDCG10.isFinite { configuration.validationNDCG10 = 0 }
        try encoder.encode(configuration).write(to: directory.appendingPathComponent(Self.configurationFile),
                                                options: .atomic)
    }

    public static func load(from directory: URL) throws -> TrainedModel {
        func url(_ name: String) throws -> URL {
            let u = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: u.path) else { throw ModelDirectoryError.missingFile(path: u.path) }
            return u
        }
        func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
            let u = try url(name)
            do {
                return try JSONDecoder().decode(type, from: try Data(contentsOf: u))
            } catch {
                throw ModelDirectoryError.corrupt(path: u.path, reason: "\(error)")
            }
        }
        let configuration = try decode(ModelConfiguration.self, Self.configurationFile)
        guard configuration.formatVersion == ModelConfiguration.currentVersion else {
            throw ModelDirectoryError.unsupportedVersion(path: directory.appendingPathComponent(Self.configurationFile).path,
                                                         found: configuration.formatVersion,
                                                         supported: ModelConfiguration.currentVersion)
        }
        let ids = try decode(ModelIdMaps.self, Self.idsFile)
        let embeddings = try SafetensorsFile(contentsOf: try url(Self.embeddingsFile))
        var inputs = WeftGNN.Inputs()
        for name in embeddings.names {
            if name.hasPrefix("text.") {
                inputs.text[NodeType(String(name.dropFirst(5)))] = try embeddings.tensor(named: name)
            } else if name.hasPrefix("similarity_text.") {
                inputs.similarityText[NodeType(String(name.dropFirst(16)))] = try embeddings.tensor(named: name)
            } else if name.hasPrefix("id_available.") {
                inputs.idAvailable[NodeType(String(name.dropFirst(13)))] = try embeddings.tensor(named: name).scalars.map { $0 != 0 }
            }
        }
        if embeddings.contains("text_neighbors.offsets") {
            inputs.textNeighbors = try Self.textNeighbors(
                offsets: embeddings.int32Array(named: "text_neighbors.offsets"),
                targets: embeddings.int32Array(named: "text_neighbors.targets"),
                file: directory.appendingPathComponent(Self.embeddingsFile).path)
        }
        guard embeddings.contains("user"), embeddings.contains("product") else {
            throw ModelDirectoryError.corrupt(path: directory.appendingPathComponent(Self.embeddingsFile).path,
                                             reason: "it lacks the user or product embeddings")
        }
        let users = try embeddings.tensor(named: "user"), products = try embeddings.tensor(named: "product")
        guard users.shape[0] == ids.users.count, products.shape[0] == ids.products.count else {
            throw ModelDirectoryError.corrupt(path: directory.path,
                                             reason: "\(users.shape[0]) user and \(products.shape[0]) product embeddings for \(ids.users.count) users and \(ids.products.count) products in ids.json")
        }
        var rng = SeededGenerator(seed: configuration.seed)
        let model = WeftGNN(configuration: configuration.gnn, nodeCounts: Self.nodeCounts(ids),
                            relations: try Self.relations(in: directory, configuration: configuration), using: &rng)
        try model.loadParameters(from: try url(Self.parametersFile))
        var hashed: HashedTextEncoder?
        if configuration.textSource?.kind == .hashed { hashed = try decode(HashedTextEncoder.self, Self.textEncoderFile) }
        return TrainedModel(configuration: configuration, ids: ids, model: model, inputs: inputs,
                            userEmbeddings: users, productEmbeddings: products, hashedEncoder: hashed)
    }

    /// The saved text graph (CSR), checked before use: a product–product graph, so every target is a row.
    static func textNeighbors(offsets: [Int32], targets: [Int32], file: String) throws -> Adjacency {
        guard let graph = Adjacency(checkedOffsets: offsets, targets: targets, columnCount: offsets.count - 1) else {
            throw ModelDirectoryError.corrupt(path: file, reason: "text_neighbors.offsets and .targets are not a graph over the products")
        }
        return graph
    }

    static func nodeCounts(_ ids: ModelIdMaps) -> [NodeType: Int] {
        [.user: ids.users.count, .product: ids.products.count, .category: ids.categories.count, .brand: ids.brands.count]
    }

    /// The relations, read back from the parameter names of layer 0 (a
    /// model without layers has no relation parameters and needs none).
    static func relations(in directory: URL, configuration: ModelConfiguration) throws -> [Relation] {
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(parametersFile))
        var relations = Set<Relation>()
        let prefix = "layers.0.relation."
        for name in file.names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: ".")
            guard parts.count >= 3 else { continue }
            relations.insert(Relation(NodeType(String(parts[0])), String(parts[1]), NodeType(String(parts[2]))))
        }
        return relations.sorted()
    }
}
