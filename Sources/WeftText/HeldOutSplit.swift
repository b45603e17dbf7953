/// Which text of a pretraining corpus is kept out of training, for the
/// held-out masked accuracy and perplexity.
public enum HeldOutSplit: Sendable, Equatable, Codable {
    /// No held-out text.
    case none
    /// Lines whose FNV-1a hash falls in the first `fraction` of the hash
    /// range: deterministic, independent of file order, and a line repeated
    /// elsewhere in the corpus lands on the same side.
    case fraction(Double)
    /// Whole files or folders, removed from the training files.
    case files([String])

    var summary: String {
        switch self {
        case .none: "none"
        case .fraction(let f): "fraction \(f)"
        case .files(let paths): "files \(paths.joined(separator: ", "))"
        }
    }

    /// Whether a line belongs to the held-out part under `.fraction`.
    static func isHeldOut(_ line: String, fraction: Double) -> Bool {
        var line = line
        let hash = line.withUTF8 { FNV1a.hash($0) }
        return Double(hash % 1_000_000) < fraction * 1_000_000
    }
}

/// 64-bit FNV-1a: a fast, stable, non-cryptographic hash for splits and cache keys.
enum FNV1a {
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { hash($0) } }
}
