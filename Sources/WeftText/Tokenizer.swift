import Foundation
import WeftCore

/// Text to token ids and back; WordPiece (`vocab.txt`) and SentencePiece
/// (`.model`) tokenizers both conform, so the encoder takes either.
///
/// Conformers are immutable after loading and safe to use from several threads.
public protocol Tokenizer: Sendable {
    /// Number of ids: every id is in `0 ..< vocabularySize`.
    var vocabularySize: Int { get }
    /// Padding, unknown, `[CLS]`, `[SEP]` and `[MASK]` ids.
    var specialTokenIds: SpecialTokenIds { get }
    /// The ids of `text` without the tokens added around a sequence.
    func contentIds(_ text: String) throws -> [Int32]
    /// The vocabulary entry of `id`, or nil when `id` is out of range.
    func piece(forId id: Int32) -> String?
    /// The text of `ids`, skipping padding, `[CLS]`, `[SEP]` and `[MASK]`
    /// (WordPiece also skips `[UNK]`, as Hugging Face's decoding does).
    func decode(_ ids: [Int32]) throws -> String
}

extension Tokenizer {
    /// The ids of `text` with `[CLS]` before and `[SEP]` after (when the
    /// vocabulary has them), truncated to `maxLength` ids in all.
    public func encode(_ text: String, maxLength: Int? = nil,
                       truncationSide: TruncationSide = .right) throws -> [Int32] {
        try encodeCountingTruncation(text, maxLength: maxLength, truncationSide: truncationSide).ids
    }

    /// The pieces of `encode(text, ...)`'s ids (`[CLS]`, `▁the`, `##s`, ...).
    public func encodeAsPieces(_ text: String, maxLength: Int? = nil,
                               truncationSide: TruncationSide = .right) throws -> [String] {
        try encode(text, maxLength: maxLength, truncationSide: truncationSide).map { id in
            piece(forId: id) ?? ""
        }
    }

    /// `encode` plus how many content tokens truncation removed.
    public func encodeCountingTruncation(_ text: String, maxLength: Int?,
                                         truncationSide: TruncationSide)
        throws -> (ids: [Int32], truncatedTokenCount: Int)
    {
        let content = try contentIds(text)
        let prefix = specialTokenIds.classification
        let suffix = specialTokenIds.separator
        let specialCount = (prefix == nil ? 0 : 1) + (suffix == nil ? 0 : 1)
        var kept = content[...]
        if let maxLength {
            guard maxLength > specialCount else {
                throw TokenizerError.invalidArgument(
                    reason: "maximum length \(maxLength) leaves no room for text next to "
                        + "\(specialCount) special tokens")
            }
            let room = maxLength - specialCount
            if content.count > room {
                kept = truncationSide == .right ? content.prefix(room) : content.suffix(room)
            }
        }
        var ids = [Int32]()
        ids.reserveCapacity(kept.count + specialCount)
        if let prefix { ids.append(prefix) }
        ids.append(contentsOf: kept)
        if let suffix { ids.append(suffix) }
        return (ids, content.count - kept.count)
    }

    /// Encodes `texts` into one padded (B, T) batch with an attention mask.
    /// T is the longest row (`.longest`) or `maxLength` (`.maximumLength`);
    /// rows longer than `maxLength` are truncated on `truncationSide`.
    /// Large batches are split across `Parallelism.threadCount` threads.
    public func encodeBatch(_ texts: [String], maxLength: Int,
                            truncationSide: TruncationSide = .right,
                            padding: PaddingStrategy = .longest) throws -> TokenizedBatch
    {
        let count = texts.count
        var rows = [[Int32]](repeating: [], count: count)
        var truncated = [Int](repeating: 0, count: count)
        let firstError = FirstErrorBox()
        rows.withUnsafeMutableBufferPointer { rowsBuffer in
            truncated.withUnsafeMutableBufferPointer { truncatedBuffer in
                // Threads write disjoint indices of the two buffers.
                parallelFor(count, minimumPerChunk: 256) { range in
                    for index in range {
                        do {
                            let encoded = try encodeCountingTruncation(
                                texts[index], maxLength: maxLength, truncationSide: truncationSide)
                            rowsBuffer[index] = encoded.ids
                            truncatedBuffer[index] = encoded.truncatedTokenCount
                        } catch {
                            firstError.record(error, index: index)
                            return
                        }
                    }
                }
            }
        }
        if let (error, _) = firstError.value { throw error }

        let lengths = rows.map(\.count)
        let sequenceLength = padding == .maximumLength ? maxLength : (lengths.max() ?? 0)
        let padId = specialTokenIds.padding ?? 0
        var ids = [Int32](repeating: padId, count: count * sequenceLength)
        var mask = [Int32](repeating: 0, count: count * sequenceLength)
        for (row, rowIds) in rows.enumerated() {
            let start = row * sequenceLength
            for (column, id) in rowIds.enumerated() {
                ids[start + column] = id
                mask[start + column] = 1
            }
        }
        return TokenizedBatch(batchSize: count, sequenceLength: sequenceLength, ids: ids,
                              attentionMask: mask, lengths: lengths,
                              truncatedTokenCounts: truncated)
    }
}

/// Keeps the error of the lowest-numbered failing text across threads.
private final class FirstErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error, Int)?

    func record(_ error: any Error, index: Int) {
        lock.lock()
        defer { lock.unlock() }
        if stored == nil || index < stored!.1 { stored = (error, index) }
    }

    var value: (any Error, Int)? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
