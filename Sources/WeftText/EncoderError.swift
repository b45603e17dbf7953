import Foundation

/// What can go wrong reading, writing or running an encoder; each case
/// names the file, field or tensor at fault.
public enum EncoderError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be read.
    case unreadableFile(file: String, reason: String)
    /// A file could not be written.
    case unwritableFile(file: String, reason: String)
    /// A configuration value is missing, has the wrong type, or does not fit the others.
    case invalidConfig(file: String, field: String, reason: String)
    /// A checkpoint's tensors do not match the model: missing, of the wrong shape, or not readable.
    case checkpointMismatch(file: String, missing: [String], misshaped: [String], unexpected: [String])
    /// A model folder lacks a required file.
    case missingFile(directory: String, file: String)
    /// An input batch does not fit the model (ids out of range, too long, inconsistent sizes).
    case invalidInput(reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(file, reason):
            return "cannot read \(file): \(reason)"
        case let .unwritableFile(file, reason):
            return "cannot write \(file): \(reason)"
        case let .invalidConfig(file, field, reason):
            return "\(file): field \"\(field)\": \(reason)"
        case let .checkpointMismatch(file, missing, misshaped, unexpected):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !misshaped.isEmpty { parts.append("wrong shape \(misshaped.joined(separator: "; "))") }
            if !unexpected.isEmpty { parts.append("unexpected \(unexpected.joined(separator: ", "))") }
            return "\(file) does not fit the model: \(parts.joined(separator: "; "))"
        case let .missingFile(directory, file):
            return "\(directory) has no \(file)"
        case let .invalidInput(reason):
            return "invalid encoder input: \(reason)"
        }
    }

    /// The JSON key a decoding error is about.
    static func fieldName(of error: Error) -> String {
        guard let error = error as? DecodingError else { return "(file)" }
        switch error {
        case let .keyNotFound(key, _): return key.stringValue
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return context.codingPath.last?.stringValue ?? "(file)"
        @unknown default: return "(file)"
        }
    }

    /// One readable sentence for a decoding error.
    static func reason(of error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound: return "is required but missing"
        case let .typeMismatch(type, _): return "has the wrong type (expected \(type))"
        case .valueNotFound: return "is null"
        case let .dataCorrupted(context): return context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}
