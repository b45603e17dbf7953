import Foundation
import Testing
@testable import WeftNN

/// A two-layer module with nested names, as real models have.
final class TinyNet: Module {
    let first: Linear, norm: LayerNorm, second: Linear
    init(seed: UInt64, width: Int = 4) {
        var rng = SeededGenerator(seed: seed)
        first = Linear(inFeatures: 3, outFeatures: width, using: &rng)
        norm = LayerNorm(dimension: width)
        second = Linear(inFeatures: width, outFeatures: 2, using: &rng)
    }
    func namedParameters() -> [(name: String, parameter: Variable)] {
        prefixed("first", first) + prefixed("norm", norm) + prefixed("second", second)
    }
}

struct CheckpointTests {
    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("weft-\(UUID().uuidString)-\(name)")
    }

    @Test func saveAndLoadRoundTripByName() throws {
        let a = TinyNet(seed: 1), b = TinyNet(seed: 2)
        let url = temporaryURL("net.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.saveParameters(to: url)
        #expect(a.first.weight.value.scalars != b.first.weight.value.scalars)
        try b.loadParameters(from: url)
        for (pa, pb) in zip(a.parameters, b.parameters) { #expect(pa.value.scalars == pb.value.scalars) }
        #expect(a.namedParameters().map(\.name) == ["first.weight", "first.bias", "norm.weight", "norm.bias",
                                                    "second.weight", "second.bias"])
    }

    @Test func halfPrecisionLoadsAsFloat32() throws {
        let a = TinyNet(seed: 3), b = TinyNet(seed: 4)
        let url = temporaryURL("net16.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.saveParameters(to: url, dtype: .f16)
        try b.loadParameters(from: url)
        for (pa, pb) in zip(a.parameters, b.parameters) {
            #expect(Tensor.maxAbsDifference(pa.value, pb.value) < 1e-3)
        }
    }

    @Test func mismatchesAreReportedByNameAndNothingChanges() throws {
        let wide = TinyNet(seed: 5, width: 5), net = TinyNet(seed: 6)
        let url = temporaryURL("wide.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write(wide.namedParameters().filter { $0.name != "second.bias" }.map { ($0.name, $0.parameter.value) }
                              + [("extra.weight", Tensor(zeros: [1]))], to: url)
        let before = net.parameters.map { $0.value.scalars }
        do {
            try net.loadParameters(from: url)
            Issue.record("a mismatched checkpoint loaded")
        } catch let error as CheckpointMismatch {
            #expect(error.missing == ["second.bias"])
            #expect(error.unexpected == ["extra.weight"])
            #expect(Set(error.misshapen.map(\.name)) == ["first.weight", "first.bias", "norm.weight", "norm.bias", "second.weight"])
            #expect(error.description.contains("second.bias"))
        }
        #expect(net.parameters.map { $0.value.scalars } == before)
    }

    @Test func renamingMapsForeignNames() throws {
        let a = TinyNet(seed: 7), b = TinyNet(seed: 8)
        let url = temporaryURL("prefixed.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write(a.namedParameters().map { ("model.\($0.name)", $0.parameter.value) }, to: url)
        try b.loadParameters(from: url) { $0.hasPrefix("model.") ? String($0.dropFirst(6)) : nil }
        #expect(b.first.weight.value.scalars == a.first.weight.value.scalars)
    }

    @Test func corruptFileIsAClearError() throws {
        let url = temporaryURL("bad.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data([1, 2, 3]).write(to: url)
        #expect(throws: SafetensorsError.self) { try TinyNet(seed: 9).loadParameters(from: url) }
    }
}
