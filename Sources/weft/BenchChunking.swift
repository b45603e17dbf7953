import ArgumentParser
import Foundation
import WeftCore
import WeftText

/// `weft bench chunking`: does encoding long texts in overlapping windows
/// retrieve them better than truncating them?
///
/// Every text longer than the window is a target. Its queries are passages
/// of its own words: one from its beginning and one from its end. Each query
/// is embedded and searched (cosine) among all texts, which are embedded once
/// truncated (the beginning kept) and once chunked. Truncation never sees
/// the end of a long text, so end passages show what chunking recovers;
/// beginning passages show what, if anything, chunking costs.
struct BenchChunking: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chunking",
        abstract: "Retrieval of long texts from their passages: chunked vs truncated encoding.",
        discussion: "The last line is one JSON object with the figures.")

    @Option(help: "Model folder (e.g. models/external/all-MiniLM-L6-v2).")
    var model: String

    @Option(help: "Texts: JSON lines with \"text\" (default: data/product-descriptions/descriptions.jsonl).")
    var input: String = "data/product-descriptions/descriptions.jsonl"

    @Option(help: "Window length in tokens, below the model's own so that many texts are long (default: 64).")
    var maximumLength: Int = 64

    @Option(help: "Words per query passage (default: 12).")
    var passageWords: Int = 12

    @Option(help: "Tokens shared by neighbouring windows (default: 16).")
    var overlap: Int = 16

    func run() async throws {
        let reader = try TextLineReader(path: input)
        var texts: [String] = []
        while let line = try reader.next() {
            if line.allSatisfy(\.isWhitespace) { continue }
            texts.append(try JSONLineRecord(line, file: input, line: reader.lineNumber).text)
        }
        let embedder = try TextEmbedder(modelDirectory: URL(fileURLWithPath: model), batchSize: 32,
                                        maximumLength: maximumLength)
        let room = embedder.maximumLength - 2
        let targets = try texts.indices.filter { try embedder.tokenizer.contentIds(texts[$0]).count > room }
            .filter { texts[$0].split(separator: " ").count >= 3 * passageWords }
        guard !targets.isEmpty else { throw ValidationError("no text is longer than \(room) tokens") }
        func passage(_ text: String, fromEnd: Bool) -> String {
            let words = text.split(separator: " ")
            return (fromEnd ? words.suffix(passageWords) : words.prefix(passageWords)).joined(separator: " ")
        }
        let truncated = try embedder.embed(texts, longTexts: .truncate(.right), normalize: true).vectors
        let chunked = try embedder.embed(texts, longTexts: .chunk(overlap: overlap), normalize: true).vectors
        print("bench chunking: \(texts.count) texts, \(targets.count) longer than \(room) tokens; "
              + "windows of \(embedder.maximumLength) tokens overlapping by \(overlap); passages of \(passageWords) words")
        var figures: [String: Double] = ["long_texts": Double(targets.count), "window": Double(embedder.maximumLength)]
        for (part, fromEnd) in [("beginning", false), ("end", true)] {
            let queries = try embedder.embed(targets.map { passage(texts[$0], fromEnd: fromEnd) }, normalize: true).vectors
            for (name, corpus) in [("truncate", truncated), ("chunk", chunked)] {
                let (recall, reciprocal) = Self.rank(queries, targets, corpus, dimension: embedder.dimension)
                figures["\(part)_\(name)_recall_at_1"] = recall
                figures["\(part)_\(name)_mrr"] = reciprocal
                print(String(format: "passages from the %@, corpus %@: recall@1 %.3f, MRR %.3f", part, name, recall, reciprocal))
            }
        }
        print("{" + figures.keys.sorted().map { "\"\($0)\":\(String(format: "%.4g", figures[$0]!))" }.joined(separator: ",") + "}")
    }

    /// Recall@1 and mean reciprocal rank of each query's own text among all texts, by dot product of unit vectors.
    static func rank(_ queries: Tensor, _ targets: [Int], _ corpus: Tensor, dimension c: Int) -> (Double, Double) {
        var hits = 0.0, reciprocal = 0.0
        for (q, target) in targets.enumerated() {
            let query = queries.data + q * c
            let own = Kernels.dot(query, corpus.data + target * c, c)
            var rank = 1
            for t in 0..<corpus.rowCount where t != target && Kernels.dot(query, corpus.data + t * c, c) > own { rank += 1 }
            if rank == 1 { hits += 1 }
            reciprocal += 1 / Double(rank)
        }
        return (hits / Double(targets.count), reciprocal / Double(targets.count))
    }
}
