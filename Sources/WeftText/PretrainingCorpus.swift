import Foundation
import WeftNN

/// Text tokenized into one stream of ids for masked-LM pretraining, and cut
/// into packed sequences.
///
/// The stream is every document's content ids followed by `[SEP]`; sequence
/// i is `[CLS]` + stream[i·(T−2) ..< (i+1)·(T−2)] + `[SEP]` (RoBERTa's
/// "full sentences" packing: sequences cross document boundaries, so no
/// position is padding except in the very last sequence).
public final class PretrainingCorpus: Sendable {
    /// (N) content ids of every document, each followed by the separator.
    public let tokens: [Int32]
    /// Documents (non-blank lines) in the stream.
    public let documentCount: Int
    public let classificationId: Int32
    public let separatorId: Int32

    public init(tokens: [Int32], documentCount: Int, classificationId: Int32, separatorId: Int32) {
        self.tokens = tokens
        self.documentCount = documentCount
        self.classificationId = classificationId
        self.separatorId = separatorId
    }

    /// Sequences of at most `length` ids the stream makes (the last may be shorter).
    public func sequenceCount(length: Int) -> Int {
        let room = length - 2
        return room > 0 ? (tokens.count + room - 1) / room : 0
    }

    /// Sequence `index` of at most `length` ids: `[CLS]`, a slice of the stream, `[SEP]`.
    public func sequence(_ index: Int, length: Int) -> [Int32] {
        let room = length - 2
        let start = index * room, end = min(tokens.count, start + room)
        var ids = [Int32]()
        ids.reserveCapacity(end - start + 2)
        ids.append(classificationId)
        ids.append(contentsOf: tokens[start..<end])
        ids.append(separatorId)
        return ids
    }

    /// What `prepare` reports while it tokenizes.
    public struct Progress: Sendable {
        public var part: String
        public var lines: Int
        public var tokens: Int
    }

    /// The training and held-out corpora of a run.
    public struct Prepared: Sendable {
        public let training: PretrainingCorpus
        public let heldOut: PretrainingCorpus
        /// True when both were read from the cache instead of tokenized.
        public let fromCache: Bool
        /// Identifies the text and tokenizer; a checkpoint records it so a resumed run reads the same data.
        public let fingerprint: String
    }

    /// Tokenizes `paths` (files, folders, zips; one document per line) with
    /// `tokenizer`, splitting off the held-out part, or reads both from
    /// `cacheDirectory` when it holds them for the same files (path, size,
    /// modification time), tokenizer bytes and split. Writes the cache atomically.
    public static func prepare(paths: [String], excluding: [String] = [], heldOut: HeldOutSplit,
                               tokenizer: any Tokenizer, tokenizerFile: URL, cacheDirectory: URL?,
                               progress: (Progress) -> Void = { _ in }) throws -> Prepared {
        let specials = tokenizer.specialTokenIds
        guard let cls = specials.classification else {
            throw TrainingError.missingSpecialToken(token: "[CLS]", tokenizer: tokenizerFile.path)
        }
        guard let sep = specials.separator else {
            throw TrainingError.missingSpecialToken(token: "[SEP]", tokenizer: tokenizerFile.path)
        }
        var heldOutFiles: [String] = []
        if case .files(let files) = heldOut {
            guard !files.isEmpty else { throw TrainingError.invalidOption(name: "--held-out", reason: "no files given") }
            heldOutFiles = files
        }
        if case .fraction(let f) = heldOut, !(f > 0 && f < 1) {
            throw TrainingError.invalidOption(name: "--held-out-fraction", reason: "must be in (0, 1), got \(f)")
        }
        let trainingText = try TextCorpus(paths: paths, excluding: excluding + heldOutFiles)
        guard !trainingText.files.isEmpty else {
            throw TrainingError.insufficientData(reason: "no training files left in \(paths.joined(separator: ", "))")
        }
        let heldOutText = heldOutFiles.isEmpty ? nil : try TextCorpus(paths: heldOutFiles, excluding: excluding)
        let fingerprint = try Self.fingerprint(files: trainingText.files + (heldOutText?.files ?? []),
                                               tokenizerFile: tokenizerFile, heldOut: heldOut)
        let trainingURL = cacheDirectory?.appendingPathComponent("training.safetensors")
        let heldOutURL = cacheDirectory?.appendingPathComponent("held-out.safetensors")
        if let trainingURL, let heldOutURL,
           let training = try? load(trainingURL, fingerprint: fingerprint, cls: cls, sep: sep),
           let held = try? load(heldOutURL, fingerprint: fingerprint, cls: cls, sep: sep) {
            return Prepared(training: training, heldOut: held, fromCache: true, fingerprint: fingerprint)
        }

        var training = StreamBuilder(), held = StreamBuilder()
        let fraction: Double? = if case .fraction(let f) = heldOut { f } else { nil }
        try tokenize(trainingText, tokenizer: tokenizer, separator: sep, part: "training", progress: progress) { line, ids in
            if let fraction, HeldOutSplit.isHeldOut(line, fraction: fraction) {
                held.append(ids, separator: sep)
            } else {
                training.append(ids, separator: sep)
            }
        }
        if let heldOutText {
            try tokenize(heldOutText, tokenizer: tokenizer, separator: sep, part: "held-out", progress: progress) { _, ids in
                held.append(ids, separator: sep)
            }
        }
        guard !training.tokens.isEmpty else {
            throw TrainingError.insufficientData(reason: "\(paths.joined(separator: ", ")) hold no text")
        }
        let result = Prepared(
            training: PretrainingCorpus(tokens: training.tokens, documentCount: training.documents,
                                        classificationId: cls, separatorId: sep),
            heldOut: PretrainingCorpus(tokens: held.tokens, documentCount: held.documents,
                                       classificationId: cls, separatorId: sep),
            fromCache: false, fingerprint: fingerprint)
        if let cacheDirectory, let trainingURL, let heldOutURL {
            do {
                try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
            } catch {
                throw TrainingError.unwritableFile(file: cacheDirectory.path, reason: error.localizedDescription)
            }
            try save(result.training, to: trainingURL, fingerprint: fingerprint)
            try save(result.heldOut, to: heldOutURL, fingerprint: fingerprint)
        }
        return result
    }

    private struct StreamBuilder {
        var tokens: [Int32] = []
        var documents = 0

        mutating func append(_ ids: [Int32], separator: Int32) {
            guard !ids.isEmpty else { return }
            tokens.append(contentsOf: ids)
            tokens.append(separator)
            documents += 1
        }
    }

    /// Tokenizes lines in blocks, each block across the cores, and hands them on in order.
    private static func tokenize(_ corpus: TextCorpus, tokenizer: any Tokenizer, separator: Int32, part: String,
                                 progress: (Progress) -> Void,
                                 consume: (String, [Int32]) -> Void) throws {
        var lines = corpus.makeLineIterator()
        var block: [String] = []
        var lineCount = 0, tokenCount = 0
        let blockSize = 8192
        func flush() throws {
            var encoded = [[Int32]](repeating: [], count: block.count)
            let failure = ErrorSlot()
            let texts = block
            encoded.withUnsafeMutableBufferPointer { out in
                let out = UncheckedSendable(out)
                parallelFor(texts.count, minimumPerChunk: 256) { range in
                    for i in range {
                        do { out.value[i] = try tokenizer.contentIds(texts[i]) } catch { failure.set(error) }
                    }
                }
            }
            if let error = failure.error { throw error }
            for (text, ids) in zip(block, encoded) {
                consume(text, ids)
                tokenCount += ids.count
            }
            lineCount += block.count
            block.removeAll(keepingCapacity: true)
            progress(Progress(part: part, lines: lineCount, tokens: tokenCount))
        }
        while let line = try lines.next() {
            block.append(line)
            if block.count == blockSize { try flush() }
        }
        if !block.isEmpty { try flush() }
    }

    final class ErrorSlot: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var stored: Error?
        var error: Error? { lock.withLock { stored } }
        func set(_ error: Error) { lock.withLock { if stored == nil { stored = error } } }
    }

    /// A description of everything the token streams depend on.
    static func fingerprint(files: [URL], tokenizerFile: URL, heldOut: HeldOutSplit) throws -> String {
        let tokenizerBytes: Data
        do { tokenizerBytes = try Data(contentsOf: tokenizerFile) } catch {
            throw TrainingError.unreadableFile(file: tokenizerFile.path, reason: error.localizedDescription)
        }
        // Content, not modification times: a copy of the same corpus (a re-copied data folder with new modification times)
        // must still resume, and an edit that keeps size and mtime must not. Hashing ≈ 75 MB takes well under 1 s.
        var parts = ["weft-pretraining-corpus v2",
                     "tokenizer \(String(FNV1a.hash([UInt8](tokenizerBytes)), radix: 16)) \(tokenizerBytes.count)",
                     "held-out \(heldOut.summary)"]
        for file in files {
            let content: Data
            do { content = try Data(contentsOf: file, options: .alwaysMapped) } catch {
                throw TrainingError.unreadableFile(file: file.path, reason: error.localizedDescription)
            }
            let hash = content.withUnsafeBytes { FNV1a.hash($0.bindMemory(to: UInt8.self)) }
            parts.append("\(file.standardizedFileURL.path) \(content.count) \(String(hash, radix: 16))")
        }
        let text = parts.joined(separator: "\n")
        return String(FNV1a.hash([UInt8](text.utf8)), radix: 16) + "-" + String(files.count)
    }

    private static func save(_ corpus: PretrainingCorpus, to url: URL, fingerprint: String) throws {
        do {
            try Safetensors.write([.int32("tokens", corpus.tokens, shape: [corpus.tokens.count])],
                                  metadata: ["fingerprint": fingerprint, "documents": String(corpus.documentCount)],
                                  to: url)
        } catch {
            throw TrainingError.unwritableFile(file: url.path, reason: error.description)
        }
    }

    private static func load(_ url: URL, fingerprint: String, cls: Int32, sep: Int32) throws -> PretrainingCorpus? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try SafetensorsFile(contentsOf: url)
        guard file.metadata["fingerprint"] == fingerprint, let documents = file.metadata["documents"].flatMap(Int.init)
        else { return nil }
        return PretrainingCorpus(tokens: try file.int32Array(named: "tokens"), documentCount: documents,
                                 classificationId: cls, separatorId: sep)
    }
}

extension PretrainingCorpus {
    /// A corpus of in-memory texts (one document each), tokenized across the cores.
    public static func tokenizing(_ texts: [String], tokenizer: any Tokenizer) throws -> PretrainingCorpus {
        let specials = tokenizer.specialTokenIds
        guard let cls = specials.classification, let sep = specials.separator else {
            throw TrainingError.missingSpecialToken(token: "[CLS] or [SEP]", tokenizer: "the tokenizer")
        }
        var encoded = [[Int32]](repeating: [], count: texts.count)
        let failure = ErrorSlot()
        encoded.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            parallelFor(texts.count, minimumPerChunk: 64) { range in
                for i in range {
                    do { out.value[i] = try tokenizer.contentIds(texts[i]) } catch { failure.set(error) }
                }
            }
        }
        if let error = failure.error { throw error }
        var tokens: [Int32] = []
        var documents = 0
        for ids in encoded where !ids.isEmpty {
            tokens += ids
            tokens.append(sep)
            documents += 1
        }
        return PretrainingCorpus(tokens: tokens, documentCount: documents, classificationId: cls, separatorId: sep)
    }
}
