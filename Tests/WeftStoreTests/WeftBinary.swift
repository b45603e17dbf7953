import Foundation

/// The built `weft` executable, for tests that need a second process.
enum WeftBinary {
    /// Next to the test bundle in the build folder (`swift build --build-tests` builds both),
    /// or where `WEFT_BINARY` points.
    static var path: String? {
        if let override = ProcessInfo.processInfo.environment["WEFT_BINARY"] { return override }
        var candidates: [URL] = []
        let testExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(testExecutable.deletingLastPathComponent().appendingPathComponent("weft"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("weft"))
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/weft"))
        return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `weft arguments...` with its output discarded.
    static func start(_ arguments: [String]) throws -> Process {
        guard let path else { throw MissingBinary() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    struct MissingBinary: Error, CustomStringConvertible {
        var description: String { "the weft executable was not found next to the tests; run `swift build --build-tests` first" }
    }
}
