import Foundation
import WeftCore

/// What to do with a text longer than the model's maximum length.
public enum LongTextStrategy: Sendable, Equatable {
    /// Keep the first (`.right`) or last (`.left`) tokens that fit; the
    /// result says how many were dropped.
    case truncate(TruncationSide)
    /// Cover the whole text with windows of the maximum length that overlap
    /// by `overlap` tokens, encode each, and pool them into one vector
    /// weighted by their token counts (for mean pooling this is the mean over
    /// every window token).
    case chunk(overlap: Int)
}

/// Text in, vectors out: a tokenizer, the tape-free encoder, its pooling
/// and the long-text strategy, with buffers reused across calls.
///
/// Not reentrant (it owns one workspace); use one per thread.
public final class TextEmbedder {
    public let tokenizer: any Tokenizer
    public let engine: EncoderInference
    public let pooling: PoolingSettings
    /// Tokens per encoded sequence, special tokens included.
    public let maximumLength: Int
    public let workspace: EncoderWorkspace

    /// Vectors of one call and what happened to long texts.
    public struct Result {
        /// (texts, C) one vector per text, in input order
        public let vectors: Tensor
        /// Per text: content tokens dropped by truncation (0 when chunking or when the text fit).
        public let truncatedTokenCounts: [Int]
        /// Per text: sequences encoded (1 unless chunked).
        public let chunkCounts: [Int]
        /// Real tokens encoded, special tokens included.
        public let tokenCount: Int
    }

    /// `batchSize` sequences go through the encoder together.
    public init(encoder: TransformerEncoder, tokenizer: any Tokenizer, pooling: PoolingSettings,
                batchSize: Int) throws(EncoderError) {
        guard tokenizer.vocabularySize <= encoder.config.vocabularySize else {
            throw .invalidInput(reason: "the tokenizer has \(tokenizer.vocabularySize) ids but the model only "
                                + "\(encoder.config.vocabularySize) rows of word embeddings")
        }
        guard batchSize > 0 else { throw .invalidInput(reason: "batch size must be positive, got \(batchSize)") }
        let length = min(pooling.maximumLength ?? encoder.config.maximumPositionCount,
                         encoder.config.maximumPositionCount)
        let specials = (tokenizer.specialTokenIds.classification == nil ? 0 : 1)
            + (tokenizer.specialTokenIds.separator == nil ? 0 : 1)
        guard length > specials else {
            throw .invalidInput(reason: "maximum length \(length) leaves no room next to \(specials) special tokens")
        }
        self.tokenizer = tokenizer
        engine = EncoderInference(encoder)
        self.pooling = pooling
        maximumLength = length
        workspace = engine.makeWorkspace(maximumBatchSize: batchSize, maximumLength: length)
    }

    /// Loads a model folder (config.json, model.safetensors, its tokenizer file, pooling settings).
    /// `maximumLength` overrides the folder's maximum input length (it cannot exceed the model's positions).
    public convenience init(modelDirectory: URL, batchSize: Int, maximumLength: Int? = nil) throws {
        let loaded = try EncoderCheckpoint.load(from: modelDirectory)
        guard let tokenizerFile = loaded.tokenizerFile else {
            throw EncoderError.missingFile(directory: modelDirectory.path,
                                           file: EncoderCheckpoint.tokenizerFileNames.joined(separator: " or "))
        }
        let tokenizer = try TokenizerLoader.load(path: tokenizerFile.path)
        var pooling = loaded.pooling
        if let maximumLength { pooling.maximumLength = maximumLength }
        try self.init(encoder: loaded.encoder, tokenizer: tokenizer, pooling: pooling, batchSize: batchSize)
    }

    public var dimension: Int { engine.config.hiddenSize }

    /// What a model folder's embedder will produce, read from its configuration files only.
    public struct Shape: Sendable, Equatable {
        /// Length of each vector.
        public let dimension: Int
        /// Tokens per encoded sequence, special tokens included.
        public let maximumLength: Int
    }

    /// The shape `init(modelDirectory:batchSize:maximumLength:)` would give, without reading the weights,
    /// so a caller whose texts are all cached never pays for loading the model.
    public static func shape(modelDirectory: URL, maximumLength: Int? = nil) throws -> Shape {
        let configURL = modelDirectory.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw EncoderError.missingFile(directory: modelDirectory.path, file: "config.json")
        }
        let config = try BertConfig.load(from: configURL)
        let pooling = try PoolingSettings.load(fromModelDirectory: modelDirectory) ?? PoolingSettings()
        let length = min(maximumLength ?? pooling.maximumLength ?? config.maximumPositionCount,
                         config.maximumPositionCount)
        return Shape(dimension: config.hiddenSize, maximumLength: length)
    }

    public var shape: Shape { Shape(dimension: dimension, maximumLength: maximumLength) }

    /// Encodes `texts`; vectors are L2-normalised when `normalize` (default: the model's pooling settings).
    public func embed(_ texts: [String], longTexts: LongTextStrategy = .truncate(.right),
                      normalize: Bool? = nil) throws -> Result {
        let prepared = try sequences(for: texts, longTexts: longTexts)
        let pooled = Tensor(uninitialized: [prepared.sequences.count, dimension])  // (sequences, C) before normalisation
        try engine.pool(prepared.sequences, mode: pooling.mode, normalize: false, workspace: workspace, into: pooled.data)
        return Result(vectors: combine(prepared, pooled: pooled.data, normalize: normalize),
                      truncatedTokenCounts: prepared.truncatedTokenCounts, chunkCounts: prepared.chunkCounts,
                      tokenCount: prepared.tokenCount)
    }

    /// Windows of `size` over `0..<count` starting every `size − overlap`,
    /// the last one ending at `count` (so it may overlap its predecessor more).
    static func windows(count: Int, size: Int, overlap: Int) -> [Range<Int>] {
        guard count > size else { return [0..<count] }
        let stride = size - overlap
        var result: [Range<Int>] = []
        var start = 0
        while start + size < count {
            result.append(start..<(start + size))
            start += stride
        }
        result.append((count - size)..<count)
        return result
    }

    func wrap(_ ids: ArraySlice<Int32>) -> [Int32] {
        var s: [Int32] = []
        s.reserveCapacity(ids.count + 2)
        if let cls = tokenizer.specialTokenIds.classification { s.append(cls) }
        s.append(contentsOf: ids)
        if let sep = tokenizer.specialTokenIds.separator { s.append(sep) }
        return s
    }

    /// Tokenizes in parallel; the first failing text (lowest index) is reported.
    func contentIds(_ texts: [String]) throws -> [[Int32]] {
        var result = [[Int32]](repeating: [], count: texts.count)
        var errors = [(any Error)?](repeating: nil, count: texts.count)
        let tokenizer = self.tokenizer
        result.withUnsafeMutableBufferPointer { out in
            errors.withUnsafeMutableBufferPointer { failures in
                // Workers write disjoint indices.
                let o = UncheckedSendable(out), f = UncheckedSendable(failures)
                parallelFor(texts.count, minimumPerChunk: 64) { range in
                    for i in range {
                        do { o.value[i] = try tokenizer.contentIds(texts[i]) } catch { f.value[i] = error }
                    }
                }
            }
        }
        if let index = errors.firstIndex(where: { $0 != nil }), let error = errors[index] {
            throw EncoderError.invalidInput(reason: "text \(index) could not be tokenized: \(error)")
        }
        return result
    }
}
