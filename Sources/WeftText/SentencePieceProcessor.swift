import CSentencePiece
import Foundation

/// A loaded SentencePiece model (libsentencepiece through `CSentencePiece`).
///
/// Mirrors `sentencepiece::SentencePieceProcessor`: `Load` is an initializer,
/// `EncodeAsIds` / `EncodeAsPieces` / `Decode` throw where the C++ API returns
/// a status, and lookups out of range return nil instead of crashing.
/// Immutable after loading; libsentencepiece's encode and decode are const,
/// so one processor serves many threads.
public final class SentencePieceProcessor: @unchecked Sendable {
    private let handle: OpaquePointer
    /// Where the model came from, for error messages.
    public let source: String
    /// `[PAD]`/`[UNK]`/`[CLS]`/`[SEP]`/`[MASK]` as found in the model (see
    /// `SentencePieceProcessor+Tokenizer.swift`).
    public private(set) var specialTokenIds = SpecialTokenIds(
        padding: nil, unknown: 0, classification: nil, separator: nil, mask: nil)

    /// Loads a `.model` file (a serialized `ModelProto`).
    public init(contentsOfFile path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TokenizerError.fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw TokenizerError.unreadableFile(path: path, reason: "it is a directory")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw TokenizerError.unreadableFile(path: path, reason: "permission denied")
        }
        guard let handle = weft_spp_new() else {
            throw TokenizerError.sentencePiece(operation: "creating a processor", code: -1,
                                               message: "out of memory")
        }
        self.handle = handle
        source = path
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard size != 0 else {
            throw TokenizerError.sentencePiece(operation: "loading \(path)", code: 3,
                                               message: "the model is empty (0 bytes)")
        }
        try Self.explainingLoadFailure {
            try Self.check("loading \(path)") { error in weft_spp_load_file(handle, path, error) }
        }
        try finishLoading()
    }

    /// Loads a model from the bytes of a `.model` file.
    public init(serializedModel bytes: [UInt8], source: String = "serialized model") throws {
        guard let handle = weft_spp_new() else {
            throw TokenizerError.sentencePiece(operation: "creating a processor", code: -1,
                                               message: "out of memory")
        }
        self.handle = handle
        self.source = source
        // An empty buffer parses as an empty ModelProto; reject it with a clear reason.
        guard !bytes.isEmpty else {
            throw TokenizerError.sentencePiece(operation: "loading \(source)", code: 3,
                                               message: "the model is empty (0 bytes)")
        }
        try Self.explainingLoadFailure {
            try Self.check("loading \(source)") { error in
                bytes.withUnsafeBytes { raw in
                    weft_spp_load_serialized(handle, raw.baseAddress, raw.count, error)
                }
            }
        }
        try finishLoading()
    }

    /// Rejects a model that parsed but holds nothing, then finds the special tokens.
    private func finishLoading() throws {
        guard weft_spp_piece_size(handle) > 0 else {
            throw TokenizerError.sentencePiece(operation: "loading \(source)", code: 3,
                                               message: "the model has no pieces")
        }
        specialTokenIds = findSpecialTokenIds()
    }

    deinit { weft_spp_free(handle) }

    // MARK: - Vocabulary

    /// Number of pieces (GetPieceSize).
    public var pieceCount: Int { Int(weft_spp_piece_size(handle)) }

    /// The id of `piece`, or `unknownId` when the model has no such piece.
    public func pieceToId(_ piece: String) -> Int32 {
        var piece = piece
        return piece.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { text in
                weft_spp_piece_to_id(handle, text.baseAddress, text.count)
            }
        }
    }

    /// The piece of `id`, or nil when `id` is outside `0 ..< pieceCount`.
    public func idToPiece(_ id: Int32) -> String? {
        var pointer: UnsafePointer<CChar>?
        var length = 0
        guard weft_spp_id_to_piece(handle, id, &pointer, &length) == 0, let pointer else { return nil }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The piece's score (its log probability in a unigram model); 0 for a bad id.
    public func score(_ id: Int32) -> Float { weft_spp_score(handle, id) }
    public func isUnknown(_ id: Int32) -> Bool { weft_spp_is_unknown(handle, id) != 0 }
    public func isControl(_ id: Int32) -> Bool { weft_spp_is_control(handle, id) != 0 }
    public func isUnused(_ id: Int32) -> Bool { weft_spp_is_unused(handle, id) != 0 }
    public func isByte(_ id: Int32) -> Bool { weft_spp_is_byte(handle, id) != 0 }

    /// Reserved ids; nil when the model disables them.
    public var unknownId: Int32 { weft_spp_unk_id(handle) }
    public var beginOfSentenceId: Int32? { Self.enabled(weft_spp_bos_id(handle)) }
    public var endOfSentenceId: Int32? { Self.enabled(weft_spp_eos_id(handle)) }
    public var padId: Int32? { Self.enabled(weft_spp_pad_id(handle)) }

    /// The model as the bytes of a `.model` file.
    public func serializedModel() throws -> [UInt8] {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        try Self.check("serializing \(source)") { error in
            weft_spp_serialize(handle, &bytes, &length, error)
        }
        defer { weft_spm_free(bytes) }
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: length))
    }

    // MARK: - Encoding

    /// The ids of `text` (EncodeAsIds); no `<s>`/`</s>` or `[CLS]`/`[SEP]` are added.
    public func encodeAsIds(_ text: String) throws -> [Int32] {
        var text = text
        var ids: UnsafeMutablePointer<Int32>?
        var count = 0
        try text.withUTF8 { utf8 in
            try utf8.withMemoryRebound(to: CChar.self) { input in
                try Self.check("encoding with \(source)") { error in
                    weft_spp_encode_ids(handle, input.baseAddress, input.count, &ids, &count, error)
                }
            }
        }
        defer { weft_spm_free(ids) }
        return Array(UnsafeBufferPointer(start: ids, count: count))
    }

    /// The pieces of `text` (EncodeAsPieces), e.g. `["▁Hello", ",", "▁world"]`.
    public func encodeAsPieces(_ text: String) throws -> [String] {
        var text = text
        var pieces = weft_spm_pieces(bytes: nil, offsets: nil, count: 0)
        try text.withUTF8 { utf8 in
            try utf8.withMemoryRebound(to: CChar.self) { input in
                try Self.check("encoding with \(source)") { error in
                    weft_spp_encode_pieces(handle, input.baseAddress, input.count, &pieces, error)
                }
            }
        }
        defer { weft_spm_pieces_free(&pieces) }
        return (0 ..< pieces.count).map { index in
            let start = pieces.offsets[index]
            let end = pieces.offsets[index + 1]
            let bytes = UnsafeRawBufferPointer(start: pieces.bytes.map { $0 + start },
                                               count: end - start)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    // MARK: - Decoding

    /// The text of `ids` (DecodeIds). Control pieces decode to nothing; ids
    /// outside the vocabulary throw `.sentencePiece` with status 11.
    public func decode(ids: [Int32]) throws -> String {
        var text: UnsafeMutablePointer<CChar>?
        var length = 0
        try ids.withUnsafeBufferPointer { input in
            try Self.check("decoding with \(source)") { error in
                weft_spp_decode_ids(handle, input.baseAddress, input.count, &text, &length, error)
            }
        }
        defer { weft_spm_free(text) }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// The text of `pieces` (DecodePieces).
    public func decode(pieces: [String]) throws -> String {
        let utf8 = pieces.map { Array($0.utf8) }
        var text: UnsafeMutablePointer<CChar>?
        var length = 0
        let lengths = utf8.map(\.count)
        // Each piece gets its own allocation so its pointer stays valid for the call.
        let buffers = utf8.map { bytes -> UnsafeMutablePointer<CChar> in
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
            }
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        let pointers: [UnsafePointer<CChar>?] = buffers.map { UnsafePointer($0) }
        try Self.check("decoding with \(source)") { error in
            weft_spp_decode_pieces(handle, pointers, lengths, pointers.count, &text, &length, error)
        }
        defer { weft_spm_free(text) }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    // MARK: - Status

    private static func enabled(_ id: Int32) -> Int32? { id >= 0 ? id : nil }

    /// libsentencepiece reports an unparsable file as a failed C++ expression;
    /// say what that means first.
    private static func explainingLoadFailure(_ load: () throws -> Void) throws {
        do {
            try load()
        } catch TokenizerError.sentencePiece(let operation, let code, let message) {
            throw TokenizerError.sentencePiece(
                operation: operation, code: code,
                message: "not a valid SentencePiece model file (truncated, corrupt or another format); "
                    + "libsentencepiece says: \(message.trimmingCharacters(in: .whitespaces))")
        }
    }

    /// Runs a shim call and turns a non-zero status into `TokenizerError.sentencePiece`.
    static func check(_ operation: @autoclosure () -> String,
                      _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws -> Int32)
        throws
    {
        var message: UnsafeMutablePointer<CChar>?
        let status = try call(&message)
        defer { weft_spm_free(message) }
        guard status == 0 else {
            let text = message.map { String(cString: $0) } ?? "no message"
            throw TokenizerError.sentencePiece(operation: operation(), code: status, message: text)
        }
    }
}
