import Foundation

/// Lines of plain text from files, folders and zip archives, for training
/// tokenizers and language models.
///
/// - Folders are walked recursively in name order; hidden files are skipped.
/// - `.zip` archives are read member by member with `unzip -p` (members
///   named README* are skipped: they describe the corpus, they are not text of it).
/// - Bytes are decoded as UTF-8, invalid sequences becoming U+FFFD.
/// - WikiExtractor markup lines (`<doc id=... title=...>`, `</doc>`) and blank
///   lines are dropped; every other line is one sentence, without its `\r`.
public struct TextCorpus: Sendable {
    /// The files in reading order.
    public let files: [URL]

    /// Collects the files under `paths`, leaving out any path in `excluding`
    /// (a file, or a folder and everything in it).
    public init(paths: [String], excluding: [String] = []) throws {
        guard !paths.isEmpty else {
            throw TokenizerError.invalidArgument(reason: "no input files or folders given")
        }
        let excluded = excluding.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        func isExcluded(_ url: URL) -> Bool {
            let path = url.standardizedFileURL.path
            return excluded.contains { path == $0 || path.hasPrefix($0 + "/") }
        }
        var files = [URL]()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TokenizerError.fileNotFound(path: path)
            }
            let url = URL(fileURLWithPath: path)
            if isExcluded(url) { continue }
            if !isDirectory.boolValue {
                files.append(url)
                continue
            }
            guard let enumerator = FileManager.default.enumerator(
                at: url, includingPropertiesForKeys: [.isRegularFileKey],
                options: [.skipsHiddenFiles])
            else {
                throw TokenizerError.unreadableFile(path: path, reason: "cannot list the folder")
            }
            var found = [URL]()
            for case let file as URL in enumerator {
                let values = try? file.resourceValues(forKeys: [.isRegularFileKey])
                if values?.isRegularFile == true && !isExcluded(file) { found.append(file) }
            }
            files += found.sorted { $0.path < $1.path }
        }
        self.files = files
    }

    /// Calls `body` with each kept line, file by file; `body` returns false to stop.
    public func forEachLine(_ body: (String) throws -> Bool) throws {
        var lines = makeLineIterator()
        while let line = try lines.next() {
            if try !body(line) { return }
        }
    }

    /// Reads the kept lines one at a time, holding one file in memory.
    public func makeLineIterator() -> LineIterator { LineIterator(files: files) }

    public struct LineIterator {
        private let files: [URL]
        private var nextFile = 0
        /// The current file's bytes (one entry per zip member).
        private var chunks: [Data] = []
        private var chunkIndex = 0
        private var position = 0

        init(files: [URL]) { self.files = files }

        /// The next kept line, or nil after the last file.
        public mutating func next() throws -> String? {
            while true {
                if chunkIndex >= chunks.count {
                    guard nextFile < files.count else { return nil }
                    chunks = try TextCorpus.contents(of: files[nextFile])
                    nextFile += 1
                    chunkIndex = 0
                    position = 0
                    continue
                }
                if let line = nextLine(in: chunks[chunkIndex]) {
                    if TextCorpus.isTextLine(line[...]) { return line }
                    continue
                }
                chunkIndex += 1
                position = 0
            }
        }

        /// Splits on "\n" bytes: as `String`s, "\r\n" is one Character and would not split.
        private mutating func nextLine(in data: Data) -> String? {
            data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
                guard position < bytes.count else { return nil }
                let start = position
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                position = end + 1
                var lineEnd = end
                if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< lineEnd]),
                              as: UTF8.self)
            }
        }
    }

    /// A line of text that is not markup and not blank; WikiExtractor wraps
    /// every article in `<doc ...>` ... `</doc>` lines.
    public static func isTextLine(_ line: Substring) -> Bool {
        if line.hasPrefix("<doc ") || line == "</doc>" { return false }
        return line.contains { !$0.isWhitespace }
    }

    /// A file's bytes, or each member's bytes for a zip archive.
    fileprivate static func contents(of file: URL) throws -> [Data] {
        guard file.pathExtension.lowercased() == "zip" else {
            do {
                return [try Data(contentsOf: file)]
            } catch {
                throw TokenizerError.unreadableFile(path: file.path, reason: error.localizedDescription)
            }
        }
        let members = try runUnzip(["-Z1", file.path], archive: file)
        let names = String(decoding: members, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.hasSuffix("/") && !($0.split(separator: "/").last ?? "").uppercased().hasPrefix("README") }
        return try names.sorted().map { name in
            // unzip treats [ ] * ? in member names as wildcards unless escaped.
            let pattern = name.replacingOccurrences(of: "[", with: "[[]")
                .replacingOccurrences(of: "*", with: "[*]").replacingOccurrences(of: "?", with: "[?]")
            return try runUnzip(["-p", file.path, pattern], archive: file)
        }
    }

    private static func runUnzip(_ arguments: [String], archive: URL) throws -> Data {
        let candidates = ["/usr/bin/unzip", "/bin/unzip", "/usr/local/bin/unzip", "/opt/homebrew/bin/unzip"]
        guard let unzip = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TokenizerError.unreadableFile(
                path: archive.path, reason: "reading zip archives needs the unzip command (Scripts/setup.sh installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: unzip)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TokenizerError.unreadableFile(path: archive.path, reason: "cannot run unzip: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TokenizerError.unreadableFile(
                path: archive.path, reason: "unzip \(arguments.first ?? "") exited with status \(process.terminationStatus)")
        }
        return data
    }
}
