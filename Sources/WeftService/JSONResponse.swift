import Foundation
import Hummingbird

/// Encodes response bodies with snake_case keys as the types declare them and a stable key order.
enum JSONResponse {
    /// `snakeCase` converts camelCase keys (of types from other modules) to snake_case.
    static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, snakeCase: Bool = false) throws -> Response {
        let encoder = JSONEncoder()
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
