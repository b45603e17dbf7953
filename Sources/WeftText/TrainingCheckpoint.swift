import Foundation
import WeftNN

/// A resumable snapshot of a training run: a model folder (`config.json`,
/// `model.safetensors`, `pooling.json`, the tokenizer file, so `weft embed`
/// and `weft mlm-eval` read it as any model) plus `optimizer.safetensors`
/// (AdamW's moments, `m.<name>` and `v.<name>`) and `trainer-state.json`
/// (step, generator state, data position, options).
///
/// Checkpoints live in a `checkpoints/` folder as `step-000100`, …. Each is
/// written whole into a hidden `.partial-…` folder and then renamed into
/// place, which is atomic: a `step-*` folder is always complete, and a run
/// killed mid-write leaves only a `.partial-…` folder, which is ignored and
/// removed by the next run.
public enum TrainingCheckpoint {
    public static let stateFileName = "trainer-state.json"
    public static let optimizerFileName = "optimizer.safetensors"
    private static let prefix = "step-"
    private static let partialPrefix = ".partial-"

    /// Writes a checkpoint for `step` into `checkpointsDirectory` and keeps
    /// only the newest `keep` checkpoints. Returns its folder.
    @discardableResult
    public static func save<State: Encodable>(encoder: TransformerEncoder, optimizer: AdamW, state: State, step: Int,
                                              pooling: PoolingSettings, tokenizerFile: URL?,
                                              in checkpointsDirectory: URL, keep: Int = 2) throws -> URL {
        let fm = FileManager.default
        let name = prefix + String(format: "%09d", step)
        let partial = checkpointsDirectory.appendingPathComponent("\(partialPrefix)\(name)-\(getpid())")
        let final = checkpointsDirectory.appendingPathComponent(name)
        do {
            try fm.createDirectory(at: checkpointsDirectory, withIntermediateDirectories: true)
            if fm.fileExists(atPath: partial.path) { try fm.removeItem(at: partial) }
            try fm.createDirectory(at: partial, withIntermediateDirectories: false)
        } catch {
            throw TrainingError.unwritableFile(file: partial.path, reason: error.localizedDescription)
        }
        try writeModelFolder(encoder, to: partial, pooling: pooling, tokenizerFile: tokenizerFile)
        let optimizerURL = partial.appendingPathComponent(optimizerFileName)
        do {
            try Safetensors.write(optimizer.momentTensors.map { ($0.name, $0.tensor) },
                                  metadata: ["step": String(optimizer.step)], to: optimizerURL)
        } catch {
            throw TrainingError.unwritableFile(file: optimizerURL.path, reason: error.description)
        }
        let stateURL = partial.appendingPathComponent(stateFileName)
        do {
            let encoderJSON = JSONEncoder()
            encoderJSON.outputFormatting = [.prettyPrinted, .sortedKeys]
            let handle = try encoderJSON.encode(state)
            try handle.write(to: stateURL)
            try flush(stateURL)
        } catch {
            throw TrainingError.unwritableFile(file: stateURL.path, reason: error.localizedDescription)
        }
        do {
            if fm.fileExists(atPath: final.path) {
                // Only when a run is re-done from an earlier checkpoint: the old folder goes aside first,
                // so the name never points at a half-written folder.
                let aside = checkpointsDirectory.appendingPathComponent("\(partialPrefix)replaced-\(name)-\(getpid())")
                try fm.moveItem(at: final, to: aside)
                try fm.moveItem(at: partial, to: final)
                try fm.removeItem(at: aside)
            } else {
                try fm.moveItem(at: partial, to: final)
            }
        } catch {
            throw TrainingError.unwritableFile(file: final.path, reason: error.localizedDescription)
        }
        flushDirectory(checkpointsDirectory)
        for old in completed(in: checkpointsDirectory).dropLast(max(keep, 1)) {
            // Renamed out of the step-* names first: a deletion cut short must not leave a half-empty checkpoint.
            let doomed = checkpointsDirectory.appendingPathComponent("\(partialPrefix)removed-\(old.url.lastPathComponent)-\(getpid())")
            if (try? fm.moveItem(at: old.url, to: doomed)) != nil { try? fm.removeItem(at: doomed) }
        }
        return final
    }

    /// Writes a model folder whose tokenizer file has the name model folders are searched
    /// for (`spm.model` or `vocab.txt`), whatever the source file is called.
    public static func writeModelFolder(_ encoder: TransformerEncoder, to directory: URL, pooling: PoolingSettings,
                                        tokenizerFile: URL?) throws {
        try EncoderCheckpoint.save(encoder, to: directory, pooling: pooling, tokenizerFile: nil)
        guard let tokenizerFile else { return }
        let name = tokenizerFile.pathExtension.lowercased() == "txt" ? "vocab.txt" : "spm.model"
        let destination = directory.appendingPathComponent(name)
        do {
            if FileManager.default.fileExists(atPath: destination.path) {
                try FileManager.default.removeItem(at: destination)
            }
            try FileManager.default.copyItem(at: tokenizerFile, to: destination)
        } catch {
            throw TrainingError.unwritableFile(file: destination.path, reason: error.localizedDescription)
        }
    }

    /// Writes a model folder atomically: into a hidden sibling, then renamed over `directory`.
    public static func replaceModelFolder(_ encoder: TransformerEncoder, at directory: URL, pooling: PoolingSettings,
                                          tokenizerFile: URL?, extraFiles: [String: Data] = [:]) throws {
        let fm = FileManager.default
        let parent = directory.deletingLastPathComponent()
        let partial = parent.appendingPathComponent("\(partialPrefix)\(directory.lastPathComponent)-\(getpid())")
        let aside = parent.appendingPathComponent("\(partialPrefix)old-\(directory.lastPathComponent)-\(getpid())")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: partial.path) { try fm.removeItem(at: partial) }
            try fm.createDirectory(at: partial, withIntermediateDirectories: false)
        } catch {
            throw TrainingError.unwritableFile(file: partial.path, reason: error.localizedDescription)
        }
        try writeModelFolder(encoder, to: partial, pooling: pooling, tokenizerFile: tokenizerFile)
        do {
            for (name, data) in extraFiles { try data.write(to: partial.appendingPathComponent(name)) }
            if fm.fileExists(atPath: directory.path) {
                try fm.moveItem(at: directory, to: aside)
                try fm.moveItem(at: partial, to: directory)
                try fm.removeItem(at: aside)
            } else {
                try fm.moveItem(at: partial, to: directory)
            }
        } catch {
            throw TrainingError.unwritableFile(file: directory.path, reason: error.localizedDescription)
        }
    }

    /// Complete checkpoints, oldest first.
    public static func completed(in checkpointsDirectory: URL) -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsDirectory.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix(prefix), let step = Int(name.dropFirst(prefix.count)) else { return nil }
            return (step, checkpointsDirectory.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// The newest complete checkpoint, if any.
    public static func latest(in checkpointsDirectory: URL) -> URL? { completed(in: checkpointsDirectory).last?.url }

    /// Removes folders left by writes that never finished (a killed run).
    public static func removeUnfinished(in checkpointsDirectory: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsDirectory.path)) ?? []
        for name in names where name.hasPrefix(partialPrefix) {
            try? FileManager.default.removeItem(at: checkpointsDirectory.appendingPathComponent(name))
        }
    }

    /// Unfinished folders present (for tests and diagnostics).
    public static func unfinished(in checkpointsDirectory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: checkpointsDirectory.path)) ?? [])
            .filter { $0.hasPrefix(partialPrefix) }
    }

    /// Reads a checkpoint's `trainer-state.json`.
    public static func loadState<State: Decodable>(_ type: State.Type, from directory: URL) throws -> State {
        let url = directory.appendingPathComponent(stateFileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.incompatibleCheckpoint(directory: directory.path, reason: "no readable \(stateFileName)")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw TrainingError.incompatibleCheckpoint(directory: directory.path,
                                                       reason: "\(stateFileName): \(EncoderError.reason(of: error))")
        }
    }

    /// The moment tensors of a checkpoint, by name.
    public static func optimizerMoments(from directory: URL) throws -> SafetensorsFile {
        let url = directory.appendingPathComponent(optimizerFileName)
        do { return try SafetensorsFile(contentsOf: url) } catch {
            throw TrainingError.incompatibleCheckpoint(directory: directory.path, reason: error.description)
        }
    }

    private static func flush(_ url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.synchronize()
    }

    private static func flushDirectory(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }
}
