import Foundation
import WeftNN

/// A model folder: `config.json` (Hugging Face BERT keys), `model.safetensors`
/// (Hugging Face BERT names), a tokenizer file (`vocab.txt` or `spm.model`)
/// and `pooling.json`.
///
/// Loading accepts what Hugging Face and sentence-transformers write: names
/// with or without the `bert.` prefix, F32/F16/BF16 weights (widened to
/// Float32), a stored or absent tied decoder, and position-id buffers.
public enum EncoderCheckpoint {
    /// Tokenizer files a folder may hold, in the order they are looked for.
    public static let tokenizerFileNames = ["spm.model", "vocab.txt"]

    /// A loaded model folder.
    public struct Loaded {
        public let encoder: TransformerEncoder
        /// Pooling from `pooling.json` or the sentence-transformers files; mean + normalise when absent.
        public let pooling: PoolingSettings
        /// The tokenizer file, when the folder has one.
        public let tokenizerFile: URL?
        /// Tensors in the file that the model does not use (e.g. `pooler.dense.weight`).
        public let unusedTensors: [String]
    }

    /// Loads `directory`. The MLM head is built when the weights have one.
    public static func load(from directory: URL) throws(EncoderError) -> Loaded {
        let configURL = directory.appendingPathComponent("config.json")
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        for url in [configURL, weightsURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw .missingFile(directory: directory.path, file: url.lastPathComponent)
        }
        let config = try BertConfig.load(from: configURL)
        let file: SafetensorsFile
        do { file = try SafetensorsFile(contentsOf: weightsURL) } catch {
            throw .unreadableFile(file: weightsURL.path, reason: error.description)
        }
        let hasHead = file.contains("cls.predictions.transform.dense.weight")
        let encoder = try TransformerEncoder.placeholder(config: config, languageModelHead: hasHead)
        let unused = try loadWeights(into: encoder, from: file)
        let pooling = try PoolingSettings.load(fromModelDirectory: directory) ?? PoolingSettings()
        let tokenizer = tokenizerFileNames.map { directory.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        return Loaded(encoder: encoder, pooling: pooling, tokenizerFile: tokenizer, unusedTensors: unused)
    }

    /// Tensors that carry no parameters: buffers Hugging Face stores beside the weights.
    static func isBuffer(_ name: String) -> Bool {
        name.hasSuffix("embeddings.position_ids") || name.hasSuffix("embeddings.token_type_ids")
    }

    /// Copies every parameter of `encoder` from `file`. Returns the names of
    /// tensors the model does not use. Throws when a parameter is missing,
    /// has another shape, or cannot be read as floats.
    @discardableResult
    public static func loadWeights(into encoder: TransformerEncoder,
                                   from file: SafetensorsFile) throws(EncoderError) -> [String] {
        var consumed = Set<String>()
        var missing: [String] = [], misshaped: [String] = []
        func stored(_ name: String) -> String? {
            if file.contains(name) { return name }
            // sentence-transformers saves the bare BertModel, without the `bert.` prefix.
            if name.hasPrefix("bert."), file.contains(String(name.dropFirst(5))) { return String(name.dropFirst(5)) }
            // The MLM bias is also stored as the decoder's bias, which it is tied to.
            if name == "cls.predictions.bias", file.contains("cls.predictions.decoder.bias") {
                return "cls.predictions.decoder.bias"
            }
            return nil
        }
        for (name, parameter) in encoder.namedParameters() {
            guard let source = stored(name), let info = file.info(named: source) else {
                missing.append(name)
                continue
            }
            consumed.insert(source)
            guard info.shape == parameter.value.shape else {
                misshaped.append("\(source): expected \(parameter.value.shape), found \(info.shape)")
                continue
            }
            guard info.dtype.isReadableAsFloat else {
                misshaped.append("\(source): dtype \(info.dtype) is not a float type")
                continue
            }
            do {
                parameter.value.assign(try file.tensor(named: source))
            } catch {
                throw .unreadableFile(file: file.fileName, reason: error.description)
            }
        }
        if encoder.languageModelHead != nil {
            // The tied decoder is the word table; its stored copies need no loading.
            for tied in ["cls.predictions.decoder.weight", "cls.predictions.decoder.bias"] { consumed.insert(tied) }
        }
        if !missing.isEmpty || !misshaped.isEmpty {
            let unexpected = file.names.filter { !consumed.contains($0) && !isBuffer($0) }
            throw .checkpointMismatch(file: file.fileName, missing: missing, misshaped: misshaped,
                                      unexpected: unexpected)
        }
        return file.names.filter { !consumed.contains($0) && !isBuffer($0) }
    }

    /// Writes `encoder` as a model folder: config.json, model.safetensors
    /// (Float32, Hugging Face names, the tied decoder bias stored as
    /// Hugging Face stores it), pooling.json, and a copy of `tokenizerFile`
    /// under its own name.
    public static func save(_ encoder: TransformerEncoder, to directory: URL, pooling: PoolingSettings,
                            tokenizerFile: URL?) throws(EncoderError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritableFile(file: directory.path, reason: error.localizedDescription)
        }
        try encoder.config.save(to: directory.appendingPathComponent("config.json"))
        var tensors = encoder.namedParameters().map { ($0.name, $0.parameter.value) }
        if let head = encoder.languageModelHead { tensors.append(("cls.predictions.decoder.bias", head.bias.value)) }
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        do {
            try Safetensors.write(tensors, metadata: ["format": "pt"], to: weightsURL)
        } catch {
            throw .unwritableFile(file: weightsURL.path, reason: error.description)
        }
        try pooling.save(toModelDirectory: directory)
        if let tokenizerFile {
            let destination = directory.appendingPathComponent(tokenizerFile.lastPathComponent)
            guard destination.standardizedFileURL != tokenizerFile.standardizedFileURL else { return }
            do {
                if FileManager.default.fileExists(atPath: destination.path) {
                    try FileManager.default.removeItem(at: destination)
                }
                try FileManager.default.copyItem(at: tokenizerFile, to: destination)
            } catch {
                throw .unwritableFile(file: destination.path, reason: error.localizedDescription)
            }
        }
    }
}
