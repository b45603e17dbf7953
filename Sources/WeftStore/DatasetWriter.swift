import Foundation

/// Writes a dataset folder in the Weft format, one JSON object per line.
///
/// Rows go to `NAME.jsonl.partial` files; `finish()` syncs them and renames
/// them into place (removing stale dataset files the conversion did not
/// produce), so a failed or interrupted conversion never leaves a mix of old
/// and new files that would import as one dataset.
public final class DatasetWriter {
    public let directory: String
    private var writers: [String: BufferedFileWriter] = [:]
    public private(set) var rowCounts: [String: Int] = [:]
    private var line: [UInt8] = []

    static let fileNames = [
        "products.jsonl", "users.jsonl", "interactions.jsonl", "product_links.jsonl", "user_links.jsonl",
    ]

    public init(directory: String) throws(DatasetFileError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DatasetFileError.cannotWrite(path: directory, reason: "the folder cannot be created")
        }
        // The two required files exist even when empty, so the output always imports.
        for name in ["products.jsonl", "interactions.jsonl"] { _ = try writer(name) }
    }

    private func writer(_ name: String) throws(DatasetFileError) -> BufferedFileWriter {
        if let existing = writers[name] { return existing }
        let target = (directory as NSString).appendingPathComponent(name)
        let created = try BufferedFileWriter(path: target + ".partial", displayPath: target)
        writers[name] = created
        rowCounts[name, default: 0] += 0
        return created
    }

    private func append(_ object: JSONObject, to name: String) throws(DatasetFileError) {
        line.removeAll(keepingCapacity: true)
        JSONValue.object(object).write(to: &line)
        line.append(0x0A)
        try writer(name).append(line)
        rowCounts[name, default: 0] += 1
    }

    public func write(_ product: ProductRecord) throws(DatasetFileError) { try append(product.json, to: "products.jsonl") }
    public func write(_ user: UserRecord) throws(DatasetFileError) { try append(user.json, to: "users.jsonl") }
    public func write(_ interaction: InteractionRecord) throws(DatasetFileError) {
        try append(interaction.json, to: "interactions.jsonl")
    }
    public func write(productLink: LinkRecord) throws(DatasetFileError) {
        try append(productLink.json, to: "product_links.jsonl")
    }
    public func write(userLink: LinkRecord) throws(DatasetFileError) { try append(userLink.json, to: "user_links.jsonl") }

    /// Publishes the files written so far as the dataset in `directory`.
    public func finish() throws(DatasetFileError) {
        for writer in writers.values { try writer.synchronize() }
        for name in DatasetWriter.fileNames {
            let target = (directory as NSString).appendingPathComponent(name)
            if writers[name] != nil {
                if rename(target + ".partial", target) != 0 {
                    throw DatasetFileError.cannotWrite(path: target, reason: String(cString: strerror(errno)))
                }
            } else {
                try? FileManager.default.removeItem(atPath: target)
                try? FileManager.default.removeItem(atPath: target + ".gz")
            }
        }
        writers = [:]
    }

    /// Deletes the partial files; the folder keeps whatever it held before.
    public func discard() {
        for name in writers.keys {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name + ".partial"))
        }
        writers = [:]
    }
}
