import Foundation
import Testing
@testable import WeftText
import WeftNN

/// The PyTorch reference tensors (see Tests/Fixtures/reference/README.md):
/// from `WEFT_REFERENCE_DIR` when set, else the fixtures beside the tests.
enum ReferenceFixtures {
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["WEFT_REFERENCE_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/reference")
    }

    static var tinyBert: URL { directory.appendingPathComponent("tiny-bert") }
    static var miniLM: URL { directory.appendingPathComponent("minilm") }

    /// The repository's `models/external/all-MiniLM-L6-v2`, fetched by Scripts/fetch-pretrained.sh.
    static var miniLMModel: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/external/all-MiniLM-L6-v2")
    }
}

/// Elementwise closeness with a tolerance scaled to the reference tensor:
/// |a − r| ≤ rtol · (|r| + floor · max|r|) + atol. The floor keeps elements
/// near zero (where Float32 rounding of a sum of larger terms dominates)
/// from demanding more digits than the computation has; `atol` covers
/// tensors that are zero in exact arithmetic.
struct Closeness: CustomStringConvertible {
    let worstIndex: Int
    let actual: Float
    let expected: Float
    let ratio: Float

    init(_ actual: Tensor, _ expected: Tensor, relative rtol: Float, floor: Float, absolute atol: Float = 0) {
        precondition(actual.count == expected.count, "compare \(actual.shape) with \(expected.shape)")
        var scale: Float = 0
        for i in 0..<expected.count { scale = max(scale, abs(expected.data[i])) }
        var worst: Float = 0, index = 0
        for i in 0..<expected.count {
            let r = expected.data[i], a = actual.data[i]
            let allowed = rtol * (abs(r) + floor * scale) + atol
            let ratio = allowed > 0 ? abs(a - r) / allowed : (a == r ? 0 : .infinity)
            if !(ratio <= worst) { worst = ratio; index = i }
        }
        worstIndex = index
        self.actual = actual.count > 0 ? actual.data[index] : 0
        self.expected = expected.count > 0 ? expected.data[index] : 0
        ratio = worst
    }

    /// Within tolerance (ratio of error to allowed error ≤ 1).
    var passes: Bool { ratio <= 1 }

    var description: String {
        "element \(worstIndex): \(actual) vs reference \(expected) (\(ratio) × the allowed error)"
    }
}
