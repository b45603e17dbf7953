import Foundation
import Testing
@testable import WeftText
import WeftNN
import WeftCore

/// The pre-LN encoder (`LayerNormPlacement.pre`): its gradients, its fast
/// inference path against its tape forward, its files, and pretraining with it.
struct PreLayerNormTests {
    static let config = BertConfig(vocabularySize: 37, hiddenSize: 12, layerCount: 2, attentionHeadCount: 3,
                                   intermediateSize: 20, maximumPositionCount: 64, layerNormPlacement: .pre)

    @Test func wholeEncoderGradientCheck() throws {
        let config = BertConfig(vocabularySize: 11, hiddenSize: 8, layerCount: 2, attentionHeadCount: 2,
                                intermediateSize: 12, maximumPositionCount: 6, hiddenDropoutProbability: 0,
                                attentionDropoutProbability: 0, layerNormPlacement: .pre)
        var rng = SeededGenerator(seed: 21)
        let model = try TransformerEncoder(config: config, using: &rng)
        #expect(model.finalLayerNorm != nil)
        for p in model.parameters { p.value.assign(Tensor.randomUniform(p.shape, low: -0.5, high: 0.5, using: &rng)) }
        let batch = try EncoderInput(sequences: [[1, 4, 7, 2], [1, 9, 2]])
        let labels: [Int32] = [-100, 4, 3, -100, -100, 8, -100, -100]
        let mismatches = GradientCheck.check(inputs: model.parameters, maxElements: 16) { t, _ in
            var r = SeededGenerator(seed: 0)
            return try! model.languageModelLoss(batch, labels: labels, tape: t, training: false, using: &r)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
    }

    /// Pre-LN is a different function from post-LN with the same weights, not a relabelling.
    @Test func differsFromPostLayerNormWithTheSameWeights() throws {
        var post = Self.config
        post.layerNormPlacement = .post
        let preModel = try TransformerEncoder(config: Self.config, languageModelHead: false, seed: 4)
        let postModel = try TransformerEncoder(config: post, languageModelHead: false, seed: 4)
        // Weights far from BERT's small initial ones, so each sub-layer changes the stream.
        var rng = SeededGenerator(seed: 8)
        for (p, q) in zip(preModel.parameters, postModel.parameters) {
            let value = Tensor.randomUniform(p.shape, low: -0.5, high: 0.5, using: &rng)
            p.value.assign(value)
            q.value.assign(value)
        }
        let input = try EncoderInput(sequences: [[2, 9, 14, 3]])
        let a = try preModel(input, tape: .inference).value.scalars, b = try postModel(input, tape: .inference).value.scalars
        #expect(zip(a, b).map { abs($0 - $1) }.max()! > 1e-3)
    }

    /// EncoderInferenceTests' check (1e-4 of each tensor's largest element, hidden states and every pooling).
    @Test(arguments: [1, 2, 16])
    func inferenceMatchesTheTapeForward(batchSize: Int) throws {
        let model = try TransformerEncoder(config: Self.config, languageModelHead: false, seed: 5)
        var rng = SeededGenerator(seed: 6)
        for p in model.parameters { p.value.assign(Tensor.randomUniform(p.shape, low: -0.4, high: 0.4, using: &rng)) }
        let lengths = [33, 7, 50, 1, 29, 64, 18, 40, 45, 12]
        let sequences = lengths.map { n in (0..<n).map { _ in Int32(rng.nextInt(below: 37)) } }
        try EncoderInferenceTests().expectMatchesTape(model, sequences, batchSize: batchSize)
    }

    @Test func savedFolderSaysPreAndReloadsTheSameModel() throws {
        let model = try TransformerEncoder(config: Self.config, seed: 7)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weft-preln-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try EncoderCheckpoint.save(model, to: dir, pooling: PoolingSettings(), tokenizerFile: nil)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(json["layer_norm_placement"] as? String == "pre")
        #expect(json["model_type"] as? String == BertConfig.preLayerNormModelType)
        let file = try SafetensorsFile(contentsOf: dir.appendingPathComponent("model.safetensors"))
        #expect(file.contains("bert.encoder.final_layer_norm.weight"))
        let loaded = try EncoderCheckpoint.load(from: dir)
        #expect(loaded.encoder.config == Self.config)
        let input = try EncoderInput(sequences: [[2, 5, 8, 3]])
        #expect(try model(input, tape: .inference).value.scalars == loaded.encoder(input, tape: .inference).value.scalars)

        // A post-LN model's config.json stays plain BERT.
        var post = Self.config
        post.layerNormPlacement = .post
        let postDirectory = dir.appendingPathComponent("post")
        try EncoderCheckpoint.save(try TransformerEncoder(config: post, seed: 1), to: postDirectory,
                                   pooling: PoolingSettings(), tokenizerFile: nil)
        let postJSON = try JSONSerialization.jsonObject(
            with: Data(contentsOf: postDirectory.appendingPathComponent("config.json"))) as! [String: Any]
        #expect(postJSON["model_type"] as? String == "bert")
        #expect(postJSON["layer_norm_placement"] == nil)
    }

    /// Pretraining runs written before the setting existed read as post-LN; a resume with the other placement is refused by name.
    @Test func runConfigurationDefaultsToPostAndComparesPlacement() throws {
        let configuration = PretrainingFixture.configuration(steps: 4)
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as! [String: Any]
        json.removeValue(forKey: "layerNormPlacement")
        let old = try JSONDecoder().decode(PretrainingRunConfiguration.self,
                                           from: JSONSerialization.data(withJSONObject: json))
        #expect(old.layerNormPlacement == .post)
        var pre = configuration
        pre.layerNormPlacement = .pre
        #expect(pre.differences(from: old) == ["--layer-norm (post)"])
    }

    @Test func pretrainingWithPreLayerNormLowersTheLoss() throws {
        let tokenizer = try PretrainingFixture.tokenizer()
        let corpus = try PretrainingCorpus.prepare(
            paths: [PretrainingFixture.samplePath], heldOut: .none, tokenizer: tokenizer,
            tokenizerFile: URL(fileURLWithPath: PretrainingFixture.tokenizerPath), cacheDirectory: nil).training
        let options = PretrainingFixture.configuration(steps: 40, batchSize: 8, maximumLength: 32).options
        let model = try TransformerEncoder(
            config: ModelPreset.tiny.config(vocabularySize: tokenizer.vocabularySize, layerNormPlacement: .pre), seed: 1)
        let trainer = try MaskedLanguageModelTrainer(encoder: model, corpus: corpus,
                                                     specialTokenIds: tokenizer.specialTokenIds, options: options)
        var losses: [Double] = []
        while !trainer.isFinished { losses.append(try trainer.step().loss) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        #expect(last < first - 0.4, "loss went from \(first) to \(last)")
    }
}
