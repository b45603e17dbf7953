import Foundation
import Testing
@testable import WeftCore

// MARK: - Helpers

/// The reference tensors: `WEFT_REFERENCE_DIR` when set, else the fixtures copy in the repository.
private func referenceDirectory() -> URL {
    if let path = ProcessInfo.processInfo.environment["WEFT_REFERENCE_DIR"], !path.isEmpty {
        return URL(fileURLWithPath: path, isDirectory: true)
    }
    return URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference", isDirectory: true)
}

/// A fresh empty directory, removed by the caller.
private func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("weft-safetensors-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A file made by hand: `header` as the JSON, its length (or `declaredLength`) in front, `data` after.
private func rawFile(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let json = Array(header.utf8)
    var bytes: [UInt8] = []
    withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { bytes.append(contentsOf: $0) }
    return bytes + json + data
}

/// The error opening `bytes` throws, or nil when it opens.
private func openingError(_ bytes: [UInt8], name: String = "bad.safetensors") -> SafetensorsError? {
    do {
        _ = try SafetensorsFile(bytes: bytes, name: name)
        return nil
    } catch {
        return error
    }
}

private func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// A small valid file: three tensors of three dtypes, with metadata.
private func smallFile() throws -> [UInt8] {
    try Safetensors.encode([
        .tensor("weight", Tensor([1, -2, 3.5, 0.25, 8, -16], shape: [2, 3])),
        .tensor("half", Tensor([0.5, -1, 2], shape: [3]), dtype: .f16),
        .int32("ids", [7, -1, 42, 0], shape: [2, 2]),
    ], metadata: ["format": "pt"])
}

// MARK: - Round trips

@Suite struct SafetensorsRoundTripTests {
    @Test func float32RoundTripIsExactAndKeepsMetadata() throws {
        var generator = SeededGenerator(seed: 7)
        let values = (0..<105).map { _ in generator.nextNormal() * 100 }
            + [0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude]
        let weight = Tensor(values, shape: [8, 14])
        let scalar = Tensor([3.25], shape: [])
        let empty = Tensor(zeros: [0, 4])
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")

        try Safetensors.write(["layer.weight": weight, "scale": scalar, "empty": empty],
                              metadata: ["format": "pt", "note": "quote \" and \\ and \n"], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.names == ["empty", "layer.weight", "scale"])
        #expect(file.metadata == ["format": "pt", "note": "quote \" and \\ and \n"])
        #expect(file.info(named: "layer.weight")?.dtype == .f32)
        #expect(file.info(named: "layer.weight")?.shape == [8, 14])
        #expect(file.info(named: "scale")?.shape == [])

        let read = try file.tensor(named: "layer.weight")
        #expect(read.shape == [8, 14])
        #expect(read.scalars.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try file.tensor(named: "scale").scalars == [3.25])
        #expect(try file.tensor(named: "empty").shape == [0, 4])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test func float16AndBFloat16StoreTheRoundedBitPatterns() throws {
        // Each value with its binary16 and bfloat16 bit patterns (rounded to nearest, ties to even).
        let cases: [(Float, UInt16, UInt16)] = [
            (1, 0x3C00, 0x3F80),
            (-2, 0xC000, 0xC000),
            (0x1p-24, 0x0001, 0x3380),            // binary16's smallest subnormal
            (3 * 0x1p-25, 0x0002, 0x33C0),        // a binary16 tie between subnormals
            (1 + 0x1p-11, 0x3C00, 0x3F80),        // a binary16 tie to even
            (Float(bitPattern: 0x3F81_8000), 0x3C0C, 0x3F82),  // a bfloat16 tie rounding up to even
            (65520, 0x7C00, 0x4780),              // binary16 overflow by rounding
            (.infinity, 0x7C00, 0x7F80),
            (-.infinity, 0xFC00, 0xFF80),
        ]
        let values = cases.map(\.0) + [.nan]
        let tensor = Tensor(values, shape: [values.count])
        let bytes = try Safetensors.encode([.tensor("h", tensor, dtype: .f16), .tensor("b", tensor, dtype: .bf16)])
        let file = try SafetensorsFile(bytes: bytes)
        #expect(file.info(named: "h")?.dtype == .f16)
        #expect(file.info(named: "b")?.dtype == .bf16)

        func stored(_ name: String) throws -> [UInt16] {
            try file.withRawBytes(named: name) { raw in
                (0..<values.count).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
            }
        }
        let half = try stored("h"), bfloat = try stored("b")
        for (i, (value, halfBits, bfloatBits)) in cases.enumerated() {
            #expect(half[i] == halfBits, "F16 of \(value): 0x\(String(half[i], radix: 16))")
            #expect(bfloat[i] == bfloatBits, "BF16 of \(value): 0x\(String(bfloat[i], radix: 16))")
        }

        let readHalf = try file.tensor(named: "h").scalars
        let readBFloat = try file.tensor(named: "b").scalars
        for (i, (_, halfBits, bfloatBits)) in cases.enumerated() {
            #expect(readHalf[i].bitPattern == Float16Conversion.float(fromFloat16Bits: halfBits).bitPattern)
            #expect(readBFloat[i].bitPattern == Float16Conversion.float(fromBFloat16Bits: bfloatBits).bitPattern)
        }
        #expect(readHalf.last!.isNaN && readBFloat.last!.isNaN)
    }

    @Test func float16RoundTripOfRepresentableValuesIsExact() throws {
        // Values already on the binary16 grid come back unchanged, including subnormals.
        let values = stride(from: 0, to: 0x7C00, by: 37).map { Float16Conversion.float(fromFloat16Bits: UInt16($0)) }
        let tensor = Tensor(values + values.map { -$0 }, shape: [2, values.count])
        let file = try SafetensorsFile(bytes: Safetensors.encode([.tensor("t", tensor, dtype: .f16)]))
        #expect(try file.tensor(named: "t").scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
        let bfloat = try SafetensorsFile(bytes: Safetensors.encode([.tensor("t", Tensor([1.5, -0x1p-130, 3e38], shape: [3]), dtype: .bf16)]))
        #expect(try bfloat.tensor(named: "t").scalars == [1.5, -0x1p-130, Float(bitPattern: 0x7F62_0000)])
    }

    @Test func float64IsReadAndWritten() throws {
        let tensor = Tensor([1.5, -2, 0x1p-140], shape: [3])
        let bytes = try Safetensors.encode([.tensor("d", tensor, dtype: .f64)])
        let file = try SafetensorsFile(bytes: bytes)
        #expect(file.info(named: "d")?.dtype == .f64)
        #expect(try file.withRawBytes(named: "d") { $0.loadUnaligned(as: Double.self) } == 1.5)
        #expect(try file.tensor(named: "d").scalars == [1.5, -2, 0x1p-140])
    }

    @Test func integerRoundTripsAreExact() throws {
        let int32: [Int32] = [0, 1, -1, .max, .min, 101, 30522]
        let int64: [Int64] = [0, -1, .max, .min, 1 << 40, Int64(Int32.max) + 1]
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("ids.safetensors")
        try Safetensors.write([.int32("a", int32, shape: [7]), .int64("b", int64, shape: [2, 3]),
                               .int64("small", [5, -6], shape: [2])], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(try file.int32Array(named: "a") == int32)
        #expect(try file.int64Array(named: "a") == int32.map(Int64.init))
        #expect(try file.int64Array(named: "b") == int64)
        #expect(file.info(named: "b")?.shape == [2, 3])
        #expect(try file.int32Array(named: "small") == [5, -6])
        #expect(throws: SafetensorsError.valueOutOfRange(file: url.path, tensor: "b", index: 2,
                                                        value: String(Int64.max), requested: "Int32")) {
            try file.int32Array(named: "b")
        }
    }

    @Test func smallerIntegerTypesAreWidened() throws {
        // Hand-made: U8, I8, I16, U16, BOOL, U32, U64 laid out largest first.
        let header = #"{"u64":{"dtype":"U64","shape":[2],"data_offsets":[0,16]},"#
            + #""u32":{"dtype":"U32","shape":[1],"data_offsets":[16,20]},"#
            + #""i16":{"dtype":"I16","shape":[1],"data_offsets":[20,22]},"#
            + #""u16":{"dtype":"U16","shape":[1],"data_offsets":[22,24]},"#
            + #""i8":{"dtype":"I8","shape":[1],"data_offsets":[24,25]},"#
            + #""u8":{"dtype":"U8","shape":[1],"data_offsets":[25,26]},"#
            + #""mask":{"dtype":"BOOL","shape":[2],"data_offsets":[26,28]}}"#
        var data: [UInt8] = []
        withUnsafeBytes(of: UInt64(12).littleEndian) { data += $0 }
        withUnsafeBytes(of: UInt64.max.littleEndian) { data += $0 }
        withUnsafeBytes(of: UInt32.max.littleEndian) { data += $0 }
        withUnsafeBytes(of: Int16(-300).littleEndian) { data += $0 }
        withUnsafeBytes(of: UInt16(65535).littleEndian) { data += $0 }
        data += [0xFF, 200, 1, 0]  // i8 -1, u8 200, mask [true, false]
        let file = try SafetensorsFile(bytes: rawFile(header, data: data), name: "ints")
        #expect(try file.int32Array(named: "i16") == [-300])
        #expect(try file.int32Array(named: "u16") == [65535])
        #expect(try file.int32Array(named: "i8") == [-1])
        #expect(try file.int32Array(named: "u8") == [200])
        #expect(try file.int32Array(named: "mask") == [1, 0])
        #expect(try file.int64Array(named: "u32") == [Int64(UInt32.max)])
        #expect(throws: SafetensorsError.valueOutOfRange(file: "ints", tensor: "u32", index: 0,
                                                        value: String(UInt32.max), requested: "Int32")) {
            try file.int32Array(named: "u32")
        }
        #expect(throws: SafetensorsError.valueOutOfRange(file: "ints", tensor: "u64", index: 1,
                                                        value: String(UInt64.max), requested: "Int64")) {
            try file.int64Array(named: "u64")
        }
    }

    @Test func wrongReadsNameTheTensor() throws {
        let file = try SafetensorsFile(bytes: smallFile(), name: "small")
        #expect(throws: SafetensorsError.tensorNotFound(file: "small", tensor: "missing")) {
            try file.tensor(named: "missing")
        }
        #expect(throws: SafetensorsError.unsupportedConversion(file: "small", tensor: "ids", dtype: .i32, requested: "Float32")) {
            try file.tensor(named: "ids")
        }
        #expect(throws: SafetensorsError.unsupportedConversion(file: "small", tensor: "weight", dtype: .f32, requested: "Int64")) {
            try file.int64Array(named: "weight")
        }
        let message = SafetensorsError.tensorNotFound(file: "small", tensor: "missing").description
        #expect(message.contains("small") && message.contains("\"missing\""))
    }
}

// MARK: - Layout

@Suite struct SafetensorsLayoutTests {
    /// Golden bytes of Hugging Face's writer for one F32 tensor `attn.0` of
    /// shape [1, 2, 3] holding 0...5 (from the safetensors crate's own tests).
    @Test func matchesHuggingFaceBytesForOneTensor() throws {
        let values = Tensor([0, 1, 2, 3, 4, 5], shape: [1, 2, 3])
        let json = #"{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}"#
        #expect(json.utf8.count == 64)
        #expect(try Safetensors.encode([.tensor("attn.0", values)]) == rawFile(json, data: floatBytes([0, 1, 2, 3, 4, 5])))

        // A 65-byte JSON is padded with 7 spaces to 72 so the data starts aligned.
        let padded = #"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}"#
        #expect(try Safetensors.encode([.tensor("attn0", values.reshaped([1, 1, 2, 3]))])
            == rawFile(padded + "       ", data: floatBytes([0, 1, 2, 3, 4, 5])))
    }

    @Test func matchesHuggingFaceBytesWithoutTensors() throws {
        #expect(try Safetensors.encode([]) == rawFile("{}      "))
        #expect(try Safetensors.encode([], metadata: ["framework": "pt"])
            == rawFile(#"{"__metadata__":{"framework":"pt"}}"# + "     "))
    }

    @Test func ordersDataWidestDTypeFirstThenByName() throws {
        let bytes = try Safetensors.encode([
            .tensor("a.half", Tensor([1], shape: [1]), dtype: .f16),
            .int32("z.ids", [1, 2, 3], shape: [3]),
            .tensor("b.weight", Tensor([1, 2], shape: [2])),
            .int64("c.big", [9], shape: [1]),
            .tensor("a.weight", Tensor([3], shape: [1])),
        ], metadata: ["b": "2", "a": "1"])
        let headerLength = Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(headerLength % 8 == 0)
        let json = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        let expected = #"{"__metadata__":{"a":"1","b":"2"},"#
            + #""c.big":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"#
            + #""a.weight":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"#
            + #""b.weight":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"#
            + #""z.ids":{"dtype":"I32","shape":[3],"data_offsets":[20,32]},"#
            + #""a.half":{"dtype":"F16","shape":[1],"data_offsets":[32,34]}}"#
        #expect(json == expected + String(repeating: " ", count: headerLength - expected.utf8.count))
        #expect(headerLength - expected.utf8.count < 8)
        let file = try SafetensorsFile(bytes: bytes)
        for info in file.tensorInfos {
            #expect((8 + headerLength + info.dataOffsets.lowerBound) % info.dtype.byteCount == 0, "\(info.name) is misaligned")
        }
        // The same tensors in another order give the same bytes.
        let again = try Safetensors.encode([
            .tensor("a.weight", Tensor([3], shape: [1])), .int64("c.big", [9], shape: [1]),
            .tensor("b.weight", Tensor([1, 2], shape: [2])), .int32("z.ids", [1, 2, 3], shape: [3]),
            .tensor("a.half", Tensor([1], shape: [1]), dtype: .f16),
        ], metadata: ["a": "1", "b": "2"])
        #expect(again == bytes)
    }

    @Test func escapesNamesAndReadsEscapes() throws {
        let name = "tab\there \"q\" \\ é 🙂 \u{01}"
        let file = try SafetensorsFile(bytes: Safetensors.encode([.tensor(name, Tensor([1], shape: [1]))],
                                                                 metadata: ["k\u{1F}": "v/\u{7F}"]))
        #expect(file.names == [name])
        #expect(file.metadata == ["k\u{1F}": "v/\u{7F}"])
        // Escapes a foreign writer may use: \/ and \u with a surrogate pair.
        let foreign = rawFile(#"{"a\/b \ud83d\ude42 \u00e9":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#, data: floatBytes([2]))
        #expect(try SafetensorsFile(bytes: foreign).names == ["a/b 🙂 é"])
    }

    @Test func writeRejectsBadEntries() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad.safetensors")
        let path = url.path
        let one = Tensor([1], shape: [1])
        #expect(throws: SafetensorsError.duplicateEntryName(file: path, tensor: "x")) {
            try Safetensors.write([.tensor("x", one), .int32("x", [1], shape: [1])], to: url)
        }
        #expect(throws: SafetensorsError.invalidEntry(file: path, tensor: "__metadata__",
                                                     reason: "the name is reserved for the header's metadata")) {
            try Safetensors.write([("__metadata__", one)], to: url)
        }
        #expect(throws: SafetensorsError.invalidEntry(file: path, tensor: "ids", reason: "3 values do not fill shape [2, 2]")) {
            try Safetensors.write([.int32("ids", [1, 2, 3], shape: [2, 2])], to: url)
        }
        #expect(throws: SafetensorsError.invalidEntry(file: path, tensor: "x",
                                                     reason: "a Float32 tensor can be stored as F32, F16, BF16 or F64, not I32")) {
            try Safetensors.write([("x", one)], to: url, dtype: .i32)
        }
        #expect(throws: SafetensorsError.invalidEntry(file: path, tensor: "n", reason: "shape [-1] has a negative dimension")) {
            try Safetensors.write([.int64("n", [], shape: [-1])], to: url)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try Safetensors.write([("w", Tensor([1, 2, 3], shape: [3]))], to: url)
        let before = try SafetensorsFile(contentsOf: url)

        try Safetensors.write([("w", Tensor([4, 5], shape: [2])), ("v", Tensor([6], shape: [1]))], to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        // The file opened before still reads the old contents: the new one was renamed in, not written over it.
        #expect(try before.tensor(named: "w").scalars == [1, 2, 3])
        let after = try SafetensorsFile(contentsOf: url)
        #expect(after.names == ["v", "w"])
        #expect(try after.tensor(named: "w").scalars == [4, 5])

        let missing = directory.appendingPathComponent("no/such/dir/x.safetensors")
        #expect(throws: SafetensorsError.self) { try Safetensors.write([("w", Tensor([1], shape: [1]))], to: missing) }
        do {
            try Safetensors.write([("w", Tensor([1], shape: [1]))], to: missing)
        } catch {
            #expect(error.description.contains(missing.path))
        }
        // Writing over a directory fails at the rename and cleans up its temporary file.
        let subdirectory = directory.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: subdirectory, withIntermediateDirectories: false)
        #expect(throws: SafetensorsError.self) { try Safetensors.write([("w", Tensor([1], shape: [1]))], to: subdirectory) }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)) == ["model.safetensors", "taken"])
    }

    @Test func largeTensorsCrossConversionChunks() throws {
        // More elements than one conversion chunk (2^17) and than one parallel chunk (2^18).
        var generator = SeededGenerator(seed: 11)
        let count = 300_001
        let tensor = Tensor((0..<count).map { _ in generator.nextNormal() }, shape: [count])
        for dtype: SafetensorsDType in [.f32, .f16, .bf16] {
            let file = try SafetensorsFile(bytes: Safetensors.encode([.tensor("t", tensor, dtype: dtype)]))
            let read = try file.tensor(named: "t")
            let expected: [Float] = switch dtype {
            case .f16: tensor.scalars.map { Float16Conversion.float(fromFloat16Bits: Float16Conversion.float16Bits(from: $0)) }
            case .bf16: tensor.scalars.map { Float16Conversion.float(fromBFloat16Bits: Float16Conversion.bfloat16Bits(from: $0)) }
            default: tensor.scalars
            }
            #expect(read.scalars == expected, "\(dtype)")
        }
    }
}

// MARK: - Reference files

@Suite struct SafetensorsReferenceTests {
    private struct BertConfig: Decodable {
        let vocab_size, hidden_size, num_hidden_layers, intermediate_size, max_position_embeddings, type_vocab_size: Int
    }

    @Test func readsTheTinyBertWeights() throws {
        let folder = referenceDirectory().appendingPathComponent("tiny-bert")
        let config = try JSONDecoder().decode(BertConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let hidden = config.hidden_size
        var expected: [String: [Int]] = [
            "bert.embeddings.word_embeddings.weight": [config.vocab_size, hidden],
            "bert.embeddings.position_embeddings.weight": [config.max_position_embeddings, hidden],
            "bert.embeddings.token_type_embeddings.weight": [config.type_vocab_size, hidden],
            "bert.embeddings.LayerNorm.weight": [hidden],
            "cls.predictions.bias": [config.vocab_size],
            "cls.predictions.transform.dense.weight": [hidden, hidden],
        ]
        for layer in 0..<config.num_hidden_layers {
            let prefix = "bert.encoder.layer.\(layer)."
            expected[prefix + "attention.self.query.weight"] = [hidden, hidden]
            expected[prefix + "attention.output.LayerNorm.bias"] = [hidden]
            expected[prefix + "intermediate.dense.weight"] = [config.intermediate_size, hidden]
            expected[prefix + "output.dense.weight"] = [hidden, config.intermediate_size]
        }
        for (name, shape) in expected {
            let info = try #require(file.info(named: name), "missing \(name)")
            #expect(info.dtype == .f32)
            #expect(info.shape == shape, "\(name)")
            let tensor = try file.tensor(named: name)
            #expect(tensor.shape == shape)
            #expect(tensor.scalars.allSatisfy { $0.isFinite })
        }
        // LayerNorm scales of a fresh BERT start at one; a misread offset would not give that.
        let scale = try file.tensor(named: "bert.embeddings.LayerNorm.weight")
        #expect(scale.isApproximatelyEqual(to: Tensor(repeating: 1, shape: [hidden]), absoluteTolerance: 0.5))
        // Word embeddings are initialised with a small spread, not all equal and not huge.
        let words = try file.tensor(named: "bert.embeddings.word_embeddings.weight").scalars
        #expect(words.contains { $0 != words[0] } && words.allSatisfy { abs($0) < 1 })
    }

    @Test func readsTheTinyBertReferenceInputs() throws {
        let folder = referenceDirectory().appendingPathComponent("tiny-bert")
        let config = try JSONDecoder().decode(BertConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent("reference.safetensors"))
        let ids = try #require(file.info(named: "input_ids"))
        #expect(ids.dtype == .i32 && ids.shape.count == 2)
        let (batch, length) = (ids.shape[0], ids.shape[1])
        #expect(batch > 0 && length > 0)
        let inputIds = try file.int32Array(named: "input_ids")
        let mask = try file.int32Array(named: "attention_mask")
        #expect(inputIds.count == batch * length && mask.count == batch * length)
        #expect(inputIds.allSatisfy { $0 >= 0 && Int($0) < config.vocab_size })
        #expect(mask.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(try file.int64Array(named: "input_ids") == inputIds.map(Int64.init))
        #expect(try file.tensor(named: "last_hidden_state").shape == [batch, length, config.hidden_size])
        #expect(try file.tensor(named: "logits").shape == [batch, length, config.vocab_size])
    }

    @Test func readsTheMiniLMReference() throws {
        let file = try SafetensorsFile(contentsOf: referenceDirectory().appendingPathComponent("minilm/reference.safetensors"))
        let ids = try #require(file.info(named: "input_ids"))
        let mask = try file.int32Array(named: "attention_mask")
        #expect(file.info(named: "attention_mask")?.shape == ids.shape)
        #expect(try file.int32Array(named: "input_ids").count == mask.count)
        let embeddings = try file.tensor(named: "sentence_embeddings")
        #expect(embeddings.shape.first == ids.shape.first)
        for row in 0..<embeddings.shape[0] {
            let norm = embeddings.row(row).scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4, "row \(row) has norm \(norm)")
        }
    }

    @Test func rewritingTheReferenceKeepsEveryTensor() throws {
        let source = try SafetensorsFile(contentsOf: referenceDirectory().appendingPathComponent("tiny-bert/reference.safetensors"))
        var entries: [SafetensorsEntry] = []
        for info in source.tensorInfos {
            switch info.dtype {
            case .i32: entries.append(.int32(info.name, try source.int32Array(named: info.name), shape: info.shape))
            default: entries.append(.tensor(info.name, try source.tensor(named: info.name)))
            }
        }
        let copy = try SafetensorsFile(bytes: Safetensors.encode(entries))
        #expect(copy.names == source.names)
        for name in source.names {
            #expect(copy.info(named: name)?.shape == source.info(named: name)?.shape)
            let original = try source.withRawBytes(named: name) { Array($0) }
            #expect(try copy.withRawBytes(named: name) { Array($0) } == original, "\(name)")
        }
    }
}

// MARK: - Corrupt files

@Suite struct SafetensorsCorruptionTests {
    private let tensorA = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    @Test func tooShortFiles() {
        for count in 0..<8 {
            #expect(openingError(Array(repeating: 0, count: count)) == .fileTooShort(file: "bad.safetensors", byteCount: count))
        }
    }

    @Test func headerLengthOutOfRange() {
        let header = "{" + tensorA + "}"
        let beyond = rawFile(header, data: floatBytes([1, 2]), declaredLength: UInt64(header.utf8.count + 9))
        #expect(openingError(beyond) == .invalidHeaderLength(file: "bad.safetensors", headerByteCount: UInt64(header.utf8.count + 9),
                                                             fileByteCount: beyond.count))
        let absurd = rawFile("{}", declaredLength: UInt64.max)
        #expect(openingError(absurd) == .invalidHeaderLength(file: "bad.safetensors", headerByteCount: .max, fileByteCount: 10))
        #expect(SafetensorsError.invalidHeaderLength(file: "f", headerByteCount: .max, fileByteCount: 10).description.contains("more than"))
    }

    @Test func invalidJSON() {
        let cases: [(String, Int)] = [
            (#"{"a":"#, 5), ("", 0), ("   ", 0), (#"{"a" 1}"#, 5), (#"{"a":1,}"#, 7), ("{\"a\":01}", 6),
            (#"{"a":tru}"#, 5), (#"{"a":"x"} x"#, 10), ("{\"a\":\"\u{01}\"}", 6), (#"{"a":"\q"}"#, 7),
            (#"{"a":"\ud800"}"#, 12),
        ]
        for (header, offset) in cases {
            guard case let .invalidHeaderJSON(file, found, reason)? = openingError(rawFile(header)) else {
                Issue.record("\(header) should be invalid JSON, got \(String(describing: openingError(rawFile(header))))")
                continue
            }
            #expect(file == "bad.safetensors")
            #expect(found == offset, "\(header): \(reason)")
        }
        var notUTF8 = rawFile(#"{"ab":1}"#)
        notUTF8[11] = 0xFF
        #expect(openingError(notUTF8) == .invalidHeaderJSON(file: "bad.safetensors", offset: 3, reason: "the header is not valid UTF-8"))
        // Deep nesting is refused, not followed down the stack.
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        guard case .invalidHeaderJSON(_, _, let reason)? = openingError(rawFile(deep)) else {
            Issue.record("deep nesting should be refused")
            return
        }
        #expect(reason.contains("nesting"))
    }

    @Test func headerThatIsNotAnObjectOfTensors() {
        #expect(openingError(rawFile("[1, 2]")) == .invalidHeader(file: "bad.safetensors", reason: "it is an array, not an object of tensors"))
        #expect(openingError(rawFile(#"{"a": 3}"#)) == .invalidField(file: "bad.safetensors", tensor: "a", field: "(entry)",
            reason: "it is a number, not an object with dtype, shape and data_offsets"))
    }

    @Test func missingFields() {
        for field in ["dtype", "shape", "data_offsets"] {
            var parts = [#""dtype":"F32""#, #""shape":[2]"#, #""data_offsets":[0,8]"#]
            parts.removeAll { $0.hasPrefix("\"\(field)\"") }
            let header = #"{"t":{"# + parts.joined(separator: ",") + "}}"
            #expect(openingError(rawFile(header, data: floatBytes([1, 2]))) == .missingField(file: "bad.safetensors", tensor: "t", field: field))
        }
    }

    @Test func unknownDType() {
        let header = #"{"t":{"dtype":"F17","shape":[2],"data_offsets":[0,8]}}"#
        #expect(openingError(rawFile(header, data: floatBytes([1, 2]))) == .unknownDType(file: "bad.safetensors", tensor: "t", dtype: "F17"))
    }

    @Test func invalidFieldValues() {
        func error(_ entry: String) -> SafetensorsError? { openingError(rawFile(#"{"t":"# + entry + "}", data: floatBytes([1, 2]))) }
        let cases: [(String, String)] = [
            (#"{"dtype":32,"shape":[2],"data_offsets":[0,8]}"#, "dtype"),
            (#"{"dtype":"F32","shape":2,"data_offsets":[0,8]}"#, "shape"),
            (#"{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}"#, "shape"),
            (#"{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}"#, "shape"),
            (#"{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}"#, "shape"),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}"#, "data_offsets"),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,1e1]}"#, "data_offsets"),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}"#, "data_offsets"),
            (#"{"dtype":"F32","shape":[2],"data_offsets":[0,8],"shape":[2]}"#, "shape"),
        ]
        for (entry, field) in cases {
            guard case let .invalidField(file, tensor, found, _)? = error(entry) else {
                Issue.record("\(entry) gave \(String(describing: error(entry)))")
                continue
            }
            #expect(file == "bad.safetensors" && tensor == "t" && found == field, "\(entry)")
        }
    }

    @Test func invalidMetadata() {
        #expect(openingError(rawFile(#"{"__metadata__":{"k":1}}"#)) == .invalidMetadata(file: "bad.safetensors", key: "k",
            reason: "its value is a number, not a string"))
        #expect(openingError(rawFile(#"{"__metadata__":[]}"#)) == .invalidMetadata(file: "bad.safetensors", key: nil,
            reason: "it is an array, not an object of strings"))
        #expect(openingError(rawFile(#"{"__metadata__":{"k":"a","k":"b"}}"#)) == .invalidMetadata(file: "bad.safetensors", key: "k",
            reason: "the key appears twice"))
    }

    @Test func duplicateNames() {
        let header = "{" + tensorA + "," + #""a":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}"# + "}"
        #expect(openingError(rawFile(header, data: floatBytes([1, 2]))) == .duplicateTensorName(file: "bad.safetensors", tensor: "a"))
    }

    @Test func dataOffsetsBackwards() {
        let header = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#
        #expect(openingError(rawFile(header, data: floatBytes([1, 2]))) == .invalidDataOffsets(file: "bad.safetensors", tensor: "t", begin: 8, end: 0))
    }

    @Test func sizeNotMatchingShapeAndDType() {
        let header = #"{"t":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}"#
        #expect(openingError(rawFile(header, data: floatBytes([1, 2]))) == .sizeMismatch(
            file: "bad.safetensors", tensor: "t", dtype: .f16, shape: [2], expectedByteCount: 4, dataOffsetsByteCount: 8))
    }

    @Test func overlappingTensors() {
        let header = "{" + tensorA + "," + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"# + "}"
        #expect(openingError(rawFile(header, data: floatBytes([1, 2, 3]))) == .overlappingTensors(file: "bad.safetensors", tensor: "b", other: "a"))
    }

    @Test func gapsInData() {
        let header = "{" + tensorA + "," + #""b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}"# + "}"
        #expect(openingError(rawFile(header, data: floatBytes([1, 2, 3, 4]))) == .gapInData(file: "bad.safetensors", after: "a", tensor: "b", byteCount: 4))
        let late = #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(openingError(rawFile(late, data: floatBytes([1, 2]))) == .gapInData(file: "bad.safetensors", after: nil, tensor: "b", byteCount: 4))
    }

    @Test func truncatedAndOverlongData() {
        let header = "{" + tensorA + "}"
        let file = rawFile(header, data: floatBytes([1, 2]))
        #expect(openingError(Array(file.dropLast(3))) == .truncatedData(
            file: "bad.safetensors", tensor: "a", expectedFileByteCount: file.count, fileByteCount: file.count - 3))
        #expect(openingError(file + [0, 0]) == .trailingBytes(file: "bad.safetensors", byteCount: 2))
        // An absurd end offset on a consistent-looking entry must not overflow the arithmetic.
        let huge = Int.max - 3
        let absurd = #"{"t":{"dtype":"U8","shape":[\#(huge)],"data_offsets":[0,\#(huge)]}}"#
        #expect(openingError(rawFile(absurd)) == .truncatedData(file: "bad.safetensors", tensor: "t",
                                                                expectedFileByteCount: .max, fileByteCount: 8 + absurd.utf8.count))
    }

    @Test func errorsFromDiskNameThePath() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("cut.safetensors")
        try Data(try smallFile().dropLast(1)).write(to: url)
        do {
            _ = try SafetensorsFile(contentsOf: url)
            Issue.record("a truncated file opened")
        } catch {
            guard case .truncatedData(let file, _, _, _) = error else { Issue.record("\(error)"); return }
            #expect(file == url.path)
            #expect(error.description.contains(url.path))
        }
        let empty = directory.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        #expect(throws: SafetensorsError.fileTooShort(file: empty.path, byteCount: 0)) { try SafetensorsFile(contentsOf: empty) }
        let missing = directory.appendingPathComponent("missing.safetensors")
        #expect(throws: SafetensorsError.cannotOpen(file: missing.path, reason: "No such file or directory")) {
            try SafetensorsFile(contentsOf: missing)
        }
        #expect(throws: SafetensorsError.cannotOpen(file: directory.path, reason: "it is not a regular file")) {
            try SafetensorsFile(contentsOf: directory)
        }
    }

    /// Cutting a valid file anywhere gives the error for where the cut falls.
    @Test func truncationAtEveryOffsetThrowsTheMatchingError() throws {
        let file = try smallFile()
        let headerEnd = 8 + Int(file.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        for length in 0..<file.count {
            let error = openingError(Array(file[0..<length]))
            switch length {
            case ..<8:
                #expect(error == .fileTooShort(file: "bad.safetensors", byteCount: length))
            case ..<headerEnd:
                guard case .invalidHeaderLength? = error else { Issue.record("cut at \(length): \(String(describing: error))"); continue }
            default:
                guard case .truncatedData? = error else { Issue.record("cut at \(length): \(String(describing: error))"); continue }
            }
        }
        #expect(openingError(file) == nil)
    }

    /// Random damage to the header never crashes the reader: the file is
    /// refused with a typed error, or it opens and every tensor reads.
    @Test func randomHeaderDamageNeverCrashes() throws {
        let file = try smallFile()
        let headerEnd = 8 + Int(file.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var generator = SeededGenerator(seed: 2024)
        var refused = 0
        let trials = 3000
        for trial in 0..<trials {
            var damaged = file
            let changes = 1 + Int(generator.next() % 3)
            for _ in 0..<changes {
                let position = Int(generator.next() % UInt64(headerEnd))
                // Half the time a random byte, else a JSON-significant one, which reaches deeper checks.
                let significant = Array(#"{}[]:,"0123456789-. \"#.utf8)
                damaged[position] = trial % 2 == 0
                    ? UInt8(truncatingIfNeeded: generator.next())
                    : significant[Int(generator.next() % UInt64(significant.count))]
            }
            do {
                let opened = try SafetensorsFile(bytes: damaged)
                for info in opened.tensorInfos {
                    if info.dtype.isReadableAsFloat {
                        #expect(try opened.tensor(named: info.name).count == info.elementCount)
                    } else if info.dtype.isReadableAsInteger {
                        _ = try? opened.int64Array(named: info.name)
                    }
                }
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
        }
        // Most damage is caught; what is not left a file that still reads consistently.
        #expect(refused > trials / 2)
    }

    @Test func randomGarbageIsRefused() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<500 {
            let count = Int(generator.next() % 300)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(openingError(bytes) != nil)
        }
    }
}
