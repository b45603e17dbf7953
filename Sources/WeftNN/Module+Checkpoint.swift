import Foundation

/// What a checkpoint load found wrong, by parameter name.
public struct CheckpointMismatch: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var misshapen: [(name: String, expected: [Int], found: [Int])] = []

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misshapen.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
        if !misshapen.isEmpty {
            parts.append("wrong shape " + misshapen.map { "\($0.name) (expected \($0.expected), found \($0.found))" }
                .joined(separator: ", "))
        }
        return "\(file): checkpoint does not match the model: " + parts.joined(separator: "; ")
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.file == b.file && a.missing == b.missing && a.unexpected == b.unexpected
            && a.misshapen.map(\.name) == b.misshapen.map(\.name)
    }
}

extension Module {
    /// Writes every named parameter to a safetensors file (atomically:
    /// temporary file, then rename), as F32 or narrowed to F16/BF16.
    public func saveParameters(to url: URL, dtype: SafetensorsDType = .f32,
                               metadata: [String: String] = [:]) throws {
        try Safetensors.write(namedParameters().map { ($0.name, $0.parameter.value) }, metadata: metadata,
                              to: url, dtype: dtype)
    }

    /// Loads parameters by name from a safetensors file (F32, F16 or BF16,
    /// widened to F32). `rename` maps a file name to a parameter name (or nil
    /// to skip it). Nothing is changed unless every parameter is found with
    /// the right shape and, when `allowUnexpected` is false, the file has no
    /// other tensors; otherwise the error lists every problem by name.
    public func loadParameters(from url: URL, allowUnexpected: Bool = false,
                               rename: (String) -> String? = { $0 }) throws {
        let file = try SafetensorsFile(contentsOf: url)
        var byName: [String: String] = [:]  // parameter name → file name
        var mismatch = CheckpointMismatch(file: url.path)
        for fileName in file.names {
            if let p = rename(fileName) { byName[p] = fileName }
        }
        let params = namedParameters()
        let known = Set(params.map(\.name))
        if !allowUnexpected {
            mismatch.unexpected += byName.filter { !known.contains($0.key) }.map(\.value).sorted()
        }
        var loads: [(Variable, Tensor)] = []
        for (name, p) in params {
            guard let fileName = byName[name], let info = file.info(named: fileName) else {
                mismatch.missing.append(name)
                continue
            }
            if info.shape != p.value.shape {
                mismatch.misshapen.append((name, p.value.shape, info.shape))
                continue
            }
            loads.append((p, try file.tensor(named: fileName)))
        }
        guard mismatch.isEmpty else { throw mismatch }
        for (p, t) in loads { p.value.assign(t) }
    }
}
