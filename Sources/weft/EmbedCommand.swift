import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft embed`: texts in, JSON lines of vectors out, streaming in blocks so
/// memory stays flat however long the input is.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Encode texts into vectors with a model folder.",
        discussion: """
            Input: one text per line, or JSON lines with a "text" field (when the file ends in .jsonl or \
            --jsonl is given; such texts may contain newlines). Output: one JSON line per text, in input \
            order: {"text": ..., "embedding": [...]} (plus the input's "id" when it has one).
            Texts longer than the model's maximum length are truncated (--truncate right|left; the number \
            of tokens dropped is reported on standard error) or, with --chunk, split into overlapping \
            windows that are encoded and pooled into one vector by token count.
            """)

    @Option(help: "Model folder: config.json, model.safetensors, vocab.txt or spm.model, pooling settings.")
    var model: String

    @Option(help: "Input file (default: standard input).")
    var input: String?

    @Option(help: "Output file (default: standard output).")
    var output: String?

    @Option(help: "Texts per encoder batch (default: 32).")
    var batchSize: Int = 32

    @Flag(help: "Read JSON lines with a \"text\" field (default: when the input file ends in .jsonl).")
    var jsonl = false

    @Flag(inversion: .prefixedNo, help: "Scale vectors to unit length (default: the model's pooling settings).")
    var normalize: Bool?

    @Option(help: "Which end of an over-long text to cut: right keeps the beginning, left the end (default: right).")
    var truncate: TruncationSide?

    @Flag(help: "Encode over-long texts in overlapping windows and pool them, instead of truncating.")
    var chunk = false

    @Option(help: "Tokens shared by neighbouring windows with --chunk (default: 32, or a quarter of the window if that is smaller).")
    var chunkOverlap: Int?

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp(
        "SQLite store whose embedding cache is read first and filled with what had to be encoded (default: no cache).",
        discussion: "Keys are the model fingerprint (SHA-256 of config.json and model.safetensors, with the pooling, normalisation and long-text settings folded in) and the SHA-256 of the NFC-normalised, trimmed text."))
    var cache: String?

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if chunk && truncate != nil { throw ValidationError("choose either --chunk or --truncate, not both") }
        if chunkOverlap != nil && !chunk { throw ValidationError("--chunk-overlap needs --chunk") }
        if let chunkOverlap, chunkOverlap < 0 { throw ValidationError("--chunk-overlap must not be negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        let modelDirectory = URL(fileURLWithPath: model)
        let shape = try TextEmbedder.shape(modelDirectory: modelDirectory)
        // With a cache the weights are read at the first miss: a fully cached catalog never loads the model.
        var loadedEmbedder = cache == nil ? try TextEmbedder(modelDirectory: modelDirectory, batchSize: batchSize) : nil
        func embedder() throws -> TextEmbedder {
            if let loadedEmbedder { return loadedEmbedder }
            let made = try TextEmbedder(modelDirectory: modelDirectory, batchSize: batchSize)
            guard made.shape == shape else {
                throw ValidationError("\(model): the loaded model gives \(made.shape), its configuration files said \(shape)")
            }
            loadedEmbedder = made
            return made
        }
        let room = shape.maximumLength - 2
        let strategy: LongTextStrategy = chunk
            ? .chunk(overlap: min(chunkOverlap ?? 32, max(0, room / 4)))
            : .truncate(truncate ?? .right)
        if case .chunk(let overlap) = strategy, overlap >= room {
            throw ValidationError("--chunk-overlap must be below the \(room) text tokens of a window")
        }
        let readsJSON = jsonl || (input?.lowercased().hasSuffix(".jsonl") ?? false)
        let reader = try TextLineReader(path: input)
        let writer = try EmbeddingWriter(path: output)
        let progress = ProgressLine()
        let cached = try cache.map { path in
            try CachedEncoding(store: path, modelDirectory: model,
                               settings: "normalize=\(String(describing: normalize))|strategy=\(strategy)")
        }
        var texts: [String] = [], ids: [String?] = []
        var totals = (texts: 0, tokens: 0, truncatedTexts: 0, droppedTokens: 0, chunkedTexts: 0, cacheHits: 0)
        // Blocks of many batches keep the length sorting effective and memory bounded.
        let blockSize = max(1024, 16 * batchSize)

        func flush() throws {
            guard !texts.isEmpty else { return }
            // Only cache misses reach the encoder; hits are copied from the store.
            let lookup = try cached?.lookup(texts, dimension: shape.dimension)
            let missing = lookup?.missingIndices ?? Array(texts.indices)
            let d = shape.dimension
            let result = missing.isEmpty ? nil
                : try embedder().embed(missing.map { texts[$0] }, longTexts: strategy, normalize: normalize)
            if let cached, let lookup {
                if let result { try cached.insert(missing.map { texts[$0] }, vectors: result.vectors, dimension: d) }
                totals.cacheHits += lookup.hitCount
            }
            // (N, D) vectors in input order: cache hits, then the encoded misses in their places.
            let vectors: Tensor
            if let lookup {
                vectors = Tensor(lookup.vectors.isEmpty ? [Float](repeating: 0, count: texts.count * d) : lookup.vectors,
                                 shape: [texts.count, d])
                for (row, i) in missing.enumerated() {
                    (vectors.data + i * d).update(from: result!.vectors.data + row * d, count: d)
                }
            } else {
                vectors = result!.vectors
            }
            for i in texts.indices {
                writer.appendLine(text: texts[i], id: ids[i], vector: vectors.data + i * d, dimension: d)
            }
            try writer.flush()
            totals.texts += texts.count
            if let result {
                totals.tokens += result.tokenCount
                totals.truncatedTexts += result.truncatedTokenCounts.filter { $0 > 0 }.count
                totals.droppedTokens += result.truncatedTokenCounts.reduce(0, +)
                totals.chunkedTexts += result.chunkCounts.filter { $0 > 1 }.count
            }
            progress.update(texts: totals.texts)
            texts.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
        }

        while let line = try reader.next() {
            if readsJSON {
                if line.allSatisfy(\.isWhitespace) { continue }
                let record = try JSONLineRecord(line, file: input ?? "standard input", line: reader.lineNumber)
                texts.append(record.text)
                ids.append(record.id)
            } else {
                texts.append(line)
                ids.append(nil)
            }
            if texts.count >= blockSize { try flush() }
        }
        try flush()
        try writer.close()
        progress.finish()

        var summary = "weft embed: \(totals.texts) texts, \(totals.tokens) tokens in \(progress.elapsedDescription)"
        if totals.truncatedTexts > 0 {
            summary += "; \(totals.truncatedTexts) texts longer than \(shape.maximumLength) tokens lost "
                + "\(totals.droppedTokens) tokens to truncation (use --chunk to keep them)"
        }
        if totals.chunkedTexts > 0 { summary += "; \(totals.chunkedTexts) texts were encoded in several windows" }
        if cached != nil {
            summary += "; cache: \(totals.cacheHits) hits, \(totals.texts - totals.cacheHits) encoded and stored"
            if loadedEmbedder == nil { summary += " (model weights never loaded)" }
        }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
    }
}

extension TruncationSide: ExpressibleByArgument {}

/// One input line in JSON-lines mode.
struct JSONLineRecord {
    let text: String
    let id: String?

    init(_ line: String, file: String, line number: Int) throws(InputError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw .invalidLine(file: file, line: number, reason: "not a JSON object")
        }
        guard let text = object["text"] as? String else {
            throw .invalidLine(file: file, line: number, reason: "no string field \"text\"")
        }
        self.text = text
        switch object["id"] {
        case let s as String: id = JSONText.quoted(s)
        case let n as NSNumber: id = n.stringValue
        default: id = nil
        }
    }
}
