import Foundation

/// How token vectors become one text vector.
public enum PoolingMode: String, Sendable, Codable, CaseIterable {
    /// Mean over the real (unpadded) tokens: sentence-transformers' default.
    case mean
    /// The vector of the first token, `[CLS]`.
    case cls
}

/// A model folder's pooling settings (`pooling.json`): the mode, whether
/// vectors are scaled to unit length, and the longest input in tokens.
public struct PoolingSettings: Sendable, Equatable, Codable {
    public var mode: PoolingMode
    /// Scale every text vector to unit L2 norm.
    public var normalize: Bool
    /// Tokens per input, special tokens included; longer texts are truncated
    /// or chunked. Nil means the model's `max_position_embeddings`.
    public var maximumLength: Int?

    public init(mode: PoolingMode = .mean, normalize: Bool = true, maximumLength: Int? = nil) {
        self.mode = mode
        self.normalize = normalize
        self.maximumLength = maximumLength
    }

    enum CodingKeys: String, CodingKey {
        case mode
        case normalize
        case maximumLength = "max_length"
    }

    static let fileName = "pooling.json"

    /// Reads `pooling.json` from `directory`, or failing that the
    /// sentence-transformers files (`1_Pooling/config.json`, `modules.json`,
    /// `sentence_bert_config.json`), or returns nil when neither is there.
    public static func load(fromModelDirectory directory: URL) throws(EncoderError) -> PoolingSettings? {
        let own = directory.appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: own.path) {
            do {
                return try JSONDecoder().decode(PoolingSettings.self, from: Data(contentsOf: own))
            } catch {
                throw .invalidConfig(file: own.path, field: EncoderError.fieldName(of: error),
                                     reason: EncoderError.reason(of: error))
            }
        }
        return try sentenceTransformersSettings(directory)
    }

    private struct SentenceTransformersPooling: Decodable {
        var pooling_mode_cls_token: Bool?
        var pooling_mode_mean_tokens: Bool?
        var pooling_mode_max_tokens: Bool?
        var pooling_mode_mean_sqrt_len_tokens: Bool?
    }

    private struct SentenceTransformersModule: Decodable { var type: String }

    private struct SentenceBertConfig: Decodable { var max_seq_length: Int? }

    private static func sentenceTransformersSettings(_ directory: URL) throws(EncoderError) -> PoolingSettings? {
        let poolingFile = directory.appendingPathComponent("1_Pooling/config.json")
        guard FileManager.default.fileExists(atPath: poolingFile.path) else { return nil }
        func read<T: Decodable>(_ type: T.Type, _ url: URL) throws(EncoderError) -> T {
            do { return try JSONDecoder().decode(type, from: Data(contentsOf: url)) } catch {
                throw .invalidConfig(file: url.path, field: EncoderError.fieldName(of: error),
                                     reason: EncoderError.reason(of: error))
            }
        }
        let pooling = try read(SentenceTransformersPooling.self, poolingFile)
        let mode: PoolingMode
        if pooling.pooling_mode_mean_tokens == true {
            mode = .mean
        } else if pooling.pooling_mode_cls_token == true {
            mode = .cls
        } else {
            throw .invalidConfig(file: poolingFile.path, field: "pooling_mode_*",
                                 reason: "only mean and CLS pooling are supported")
        }
        var normalize = false
        let modulesFile = directory.appendingPathComponent("modules.json")
        if FileManager.default.fileExists(atPath: modulesFile.path) {
            let modules = try read([SentenceTransformersModule].self, modulesFile)
            normalize = modules.contains { $0.type.hasSuffix(".Normalize") }
        }
        var maximumLength: Int?
        let bertConfigFile = directory.appendingPathComponent("sentence_bert_config.json")
        if FileManager.default.fileExists(atPath: bertConfigFile.path) {
            maximumLength = try read(SentenceBertConfig.self, bertConfigFile).max_seq_length
        }
        return PoolingSettings(mode: mode, normalize: normalize, maximumLength: maximumLength)
    }

    /// Writes `pooling.json` into `directory`.
    public func save(toModelDirectory directory: URL) throws(EncoderError) {
        let url = directory.appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(self).write(to: url, options: .atomic) } catch {
            throw .unwritableFile(file: url.path, reason: error.localizedDescription)
        }
    }
}
