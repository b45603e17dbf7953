import CSentencePiece
import Foundation

/// Trains SentencePiece models with libsentencepiece (`SentencePieceTrainer::Train`).
public enum SentencePieceTrainer {
    /// Trains on the sentences `nextSentence` returns (nil ends the input) and
    /// returns the model. Errors thrown by `nextSentence` stop training and are rethrown.
    ///
    /// libsentencepiece's logging and random generator are process-wide, so
    /// trainings should not run concurrently.
    public static func train(options: SentencePieceTrainingOptions, verbose: Bool = false,
                             nextSentence: () throws -> String?) throws -> SentencePieceProcessor
    {
        let bytes = try train(arguments: options.arguments(), seed: options.seed, verbose: verbose,
                              nextSentence: nextSentence)
        return try SentencePieceProcessor(serializedModel: bytes, source: "the trained model")
    }

    /// Trains on `sentences` and returns the model.
    public static func train(options: SentencePieceTrainingOptions, verbose: Bool = false,
                             sentences: some Sequence<String>) throws -> SentencePieceProcessor
    {
        var iterator = sentences.makeIterator()
        return try train(options: options, verbose: verbose) { iterator.next() }
    }

    /// Trains from a full `spm_train` argument string, reading the sentences
    /// named by its `--input` flag; returns the serialized model.
    public static func train(arguments: String, seed: UInt32? = nil,
                             verbose: Bool = false) throws -> [UInt8]
    {
        prepare(seed: seed, verbose: verbose)
        var model: UnsafeMutablePointer<CChar>?
        var length = 0
        defer { weft_spm_free(model) }
        try SentencePieceProcessor.check("training") { error in
            weft_spm_train(arguments, nil, nil, &model, &length, error)
        }
        return [UInt8](UnsafeRawBufferPointer(start: model, count: length))
    }

    /// Trains from a full `spm_train` argument string on the sentences
    /// `nextSentence` returns (nil ends the input); returns the serialized model.
    public static func train(arguments: String, seed: UInt32? = nil, verbose: Bool = false,
                             nextSentence: () throws -> String?) throws -> [UInt8]
    {
        prepare(seed: seed, verbose: verbose)
        var model: UnsafeMutablePointer<CChar>?
        var length = 0
        defer { weft_spm_free(model) }
        try withoutActuallyEscaping(nextSentence) { nextSentence in
            let source = SentenceSource(nextSentence)
            defer { source.release() }
            let context = Unmanaged.passUnretained(source).toOpaque()
            do {
                try SentencePieceProcessor.check("training") { error in
                    weft_spm_train(arguments, sentenceSourceNext, context, &model, &length, error)
                }
            } catch {
                // The trainer only saw "aborted"; the source's own error says why.
                if let sourceError = source.error { throw sourceError }
                throw error
            }
            if let sourceError = source.error { throw sourceError }
        }
        return [UInt8](UnsafeRawBufferPointer(start: model, count: length))
    }

    private static func prepare(seed: UInt32?, verbose: Bool) {
        weft_spm_set_min_log_level(verbose ? 0 : 2)
        if let seed { weft_spm_set_random_seed(seed) }
    }
}

/// Hands sentences to the C++ trainer one at a time, keeping the current one's
/// bytes alive until the next call.
private final class SentenceSource {
    let next: () throws -> String?
    var buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: 4096)
    var error: (any Error)?

    init(_ next: @escaping () throws -> String?) { self.next = next }

    func release() { buffer.deallocate() }

    /// 1 with a sentence, 0 at the end, -1 after an error.
    func advance(_ sentence: UnsafeMutablePointer<UnsafePointer<CChar>?>,
                 _ length: UnsafeMutablePointer<Int>) -> Int32
    {
        do {
            guard var text = try next() else { return 0 }
            return text.withUTF8 { utf8 in
                if utf8.count > buffer.count {
                    buffer.deallocate()
                    buffer = .allocate(capacity: utf8.count)
                }
                if utf8.count > 0 {
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(
                        from: utf8.baseAddress!, byteCount: utf8.count)
                }
                sentence.pointee = UnsafePointer(buffer.baseAddress)
                length.pointee = utf8.count
                return 1
            }
        } catch {
            self.error = error
            return -1
        }
    }
}

private let sentenceSourceNext: weft_spm_next_sentence = { context, sentence, length in
    guard let context, let sentence, let length else { return -1 }
    return Unmanaged<SentenceSource>.fromOpaque(context).takeUnretainedValue()
        .advance(sentence, length)
}
