import Foundation
import Hummingbird

/// A request the service answers with an error status and a JSON body
/// `{"error": {"message": ..., "type": ..., "field": ...}}` (the shape of
/// OpenAI's errors, so its clients show the message).
public struct ServiceError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    /// The request field at fault (`input`, `texts[3]`, `k`), when there is one.
    public let field: String?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    public static func invalid(field: String, _ reason: String) -> ServiceError {
        ServiceError(.unprocessableContent, "\(field): \(reason)", field: field)
    }

    public static func notFound(_ message: String) -> ServiceError {
        ServiceError(.notFound, message)
    }

    public var description: String { "\(status.code) \(message)" }

    /// OpenAI's `type` for the status.
    var kind: String {
        switch status.code {
        case 413: "request_too_large"
        case 422, 400: "invalid_request_error"
        case 404: "not_found_error"
        case 409: "conflict_error"
        case 429: "rate_limit_error"
        case 503: "unavailable_error"
        default: "server_error"
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let message: String
            let type: String
            let field: String?
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Body(error: .init(message: message, type: kind, field: field)))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .tooManyRequests { headers[.retryAfter] = "1" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
