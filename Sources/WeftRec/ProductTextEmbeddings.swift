import Foundation

/// Product text embeddings read from a JSON-lines file of
/// `{"id": "<product id>", "embedding": [floats]}` (what the encoder's
/// embedding export writes), aligned with a dataset's product indices.
public enum ProductTextEmbeddings {
    /// (products, T); products the file does not list get zero rows.
    /// Returns the tensor and how many products were found.
    public static func load(path: String, dataset: Dataset) throws -> (embeddings: Tensor, found: Int) {
        var rows: [Int32: [Float]] = [:]
        var dimension: Int?
        let reader = JSONLinesReader(path: path)
        let file = reader.fileName
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.missingFile(path: path) }
        _ = try reader.forEachObject { line, object in
            let f = JSONLineFields(object: object, file: file, line: line)
            let id = try f.id("id")
            guard let values = object["embedding"] as? [Any] else {
                throw DatasetError.wrongType(file: file, line: line, field: "embedding", expected: "a list of numbers")
            }
            var vector: [Float] = []
            vector.reserveCapacity(values.count)
            for v in values {
                guard let n = v as? NSNumber, !JSONLineFields.isBoolean(n) else {
                    throw DatasetError.wrongType(file: file, line: line, field: "embedding", expected: "a list of numbers")
                }
                vector.append(n.floatValue)
            }
            if let d = dimension, d != vector.count {
                throw DatasetError.wrongType(file: file, line: line, field: "embedding",
                                             expected: "a list of \(d) numbers like the lines before it")
            }
            dimension = vector.count
            guard let p = dataset.productIndex[id] else {
                throw DatasetError.unknownProduct(file: file, line: line, field: "id", id: id)
            }
            rows[p] = vector
        }
        guard let d = dimension, d > 0 else { throw DatasetError.empty(path: path) }
        let out = Tensor(zeros: [dataset.productCount, d])
        for (p, v) in rows { v.withUnsafeBufferPointer { (out.data + Int(p) * d).update(from: $0.baseAddress!, count: d) } }
        return (out, rows.count)
    }
}
