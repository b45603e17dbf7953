import Foundation
import GRDB
import Testing
@testable import WeftStore

@Suite struct FingerprintMemoTests {
    private func modelFiles(in folder: TemporaryDirectory, weights: [UInt8]) throws -> (String, String) {
        let config = folder.path("config.json"), model = folder.path("model.safetensors")
        try Data("{\"hidden\": 8}".utf8).write(to: URL(fileURLWithPath: config))
        try Data(weights).write(to: URL(fileURLWithPath: model))
        return (config, model)
    }

    private func rememberedFingerprint(_ store: Store) throws -> String? {
        try store.read { try String.fetchOne($0, sql: "SELECT fingerprint FROM model_fingerprint_memo") }
    }

    @Test func remembersTheHashAndNoticesARewrittenFile() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("weft.db"))
        let memo = FingerprintMemo(store: store)
        let (config, model) = try modelFiles(in: folder, weights: [1, 2, 3, 4])
        let first = try memo.fingerprint(configurationFile: config, weightsFile: model)
        #expect(first == (try ModelFingerprint(configurationFile: config, weightsFile: model)))
        #expect(try rememberedFingerprint(store) == first.hex)

        // A planted memo row with the current signature is what gets returned: proof the hash was skipped.
        let planted = String(repeating: "ab", count: 32)
        try store.write { try $0.execute(sql: "UPDATE model_fingerprint_memo SET fingerprint = ?", arguments: [planted]) }
        #expect(try memo.fingerprint(configurationFile: config, weightsFile: model).hex == planted)

        // Same size, new bytes: the signature (inode / times) changes, so the file is hashed again.
        try Data([1, 2, 3, 5]).write(to: URL(fileURLWithPath: model))
        let rewritten = try memo.fingerprint(configurationFile: config, weightsFile: model)
        #expect(rewritten == ModelFingerprint(configuration: Data("{\"hidden\": 8}".utf8), weights: Data([1, 2, 3, 5])))
        #expect(try rememberedFingerprint(store) == rewritten.hex)
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM model_fingerprint_memo") } == 1)
    }

    @Test func aReadOnlyStoreHashesWithoutWriting() throws {
        let folder = try TemporaryDirectory()
        _ = try Store(path: folder.path("weft.db"))
        let readOnly = try Store(path: folder.path("weft.db"), options: .init(readOnly: true))
        let (config, model) = try modelFiles(in: folder, weights: [9, 9])
        let fingerprint = try FingerprintMemo(store: readOnly).fingerprint(configurationFile: config, weightsFile: model)
        #expect(fingerprint == ModelFingerprint(configuration: Data("{\"hidden\": 8}".utf8), weights: Data([9, 9])))
        #expect(try rememberedFingerprint(readOnly) == nil)
    }

    @Test func aMissingWeightsFileIsNamed() throws {
        let folder = try TemporaryDirectory()
        let store = try Store(path: folder.path("weft.db"))
        let missing = folder.path("absent.safetensors")
        #expect {
            _ = try FingerprintMemo(store: store).fingerprint(configurationFile: missing, weightsFile: missing)
        } throws: { "\($0)".contains(missing) }
    }
}
