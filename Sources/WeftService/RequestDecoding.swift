import Foundation
import Hummingbird

/// JSON bodies in, with the service's error statuses: over `limit` bytes is
/// 413, anything undecodable is 422 naming the field at fault.
enum RequestDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServiceError(.contentTooLarge, "the request body is over the \(limit)-byte limit")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as ServiceError {
            throw error
        } catch let error as DecodingError {
            throw Self.serviceError(error)
        } catch {
            throw ServiceError.invalid(field: "body", "\(error)")
        }
    }

    /// `texts[2]`, `input`, ... from a coding path.
    static func fieldName(_ path: [any CodingKey]) -> String {
        var name = ""
        for key in path {
            if let index = key.intValue { name += "[\(index)]" } else { name += name.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return name.isEmpty ? "body" : name
    }

    static func serviceError(_ error: DecodingError) -> ServiceError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(field: fieldName(context.codingPath + [key]), "is required")
        case .typeMismatch(let type, let context):
            return .invalid(field: fieldName(context.codingPath), "expected \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(field: fieldName(context.codingPath), "expected \(Self.describe(type)), got null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .invalid(field: "body", "is not valid JSON") }
            return .invalid(field: fieldName(context.codingPath), context.debugDescription)
        @unknown default:
            return .invalid(field: "body", "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type: "an integer"
        case is Float.Type, is Double.Type: "a number"
        default: "\(type)".hasPrefix("Array") ? "a list" : "\(type)"
        }
    }
}

/// `"text"` or `["text", ...]`, as OpenAI's `input` takes either.
struct TextList: Decodable, Sendable {
    var texts: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            texts = [text]
        } else if let list = try? container.decode([String].self) {
            texts = list
        } else {
            throw ServiceError.invalid(field: RequestDecoding.fieldName(decoder.codingPath),
                                       "expected a string or a list of strings")
        }
    }
}
