/// A parsed JSON value that keeps what the dataset format needs and
/// `JSONSerialization` blurs: integers apart from doubles, booleans apart from
/// numbers, and the key order of objects (attributes are written back as read).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name, as used in "expected a string, found a number".
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Integers and finite doubles.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// Compact JSON text (no spaces), with strings escaped as RFC 8259 requires.
    public var serialized: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): bytes.append(contentsOf: String(value).utf8)
        case .number(let value):
            // JSON has no NaN or infinity; the writers never produce them, null keeps the output parseable.
            if !value.isFinite {
                bytes.append(contentsOf: "null".utf8)
            } else if value == value.rounded(), abs(value) < 1e15 {
                bytes.append(contentsOf: String(Int64(value)).utf8)
                bytes.append(contentsOf: ".0".utf8)
            } else {
                bytes.append(contentsOf: "\(value)".utf8)
            }
        case .string(let value): JSONValue.writeString(value, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object): object.write(to: &bytes)
        }
    }

    static func writeString(_ string: String, to bytes: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A JSON object that remembers the order its keys were read or set in.
public struct JSONObject: Equatable, Sendable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSONValue] = []
    /// Key positions, kept only for larger objects (id maps with tens of thousands of keys),
    /// where a linear search per key would make parsing quadratic.
    private var positions: [String: Int] = [:]
    private static let indexedFrom = 16

    public init() {}

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    private func position(of key: String) -> Int? {
        keys.count >= JSONObject.indexedFrom ? positions[key] : keys.firstIndex(of: key)
    }

    /// Setting `nil` removes the key; setting an existing key keeps its position.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { values[$0] } }
        set {
            if let index = position(of: key) {
                if let newValue { values[index] = newValue } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                    rebuildPositions()
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
                if keys.count == JSONObject.indexedFrom {
                    rebuildPositions()
                } else if keys.count > JSONObject.indexedFrom {
                    positions[key] = keys.count - 1
                }
            }
        }
    }

    private mutating func rebuildPositions() {
        positions = [:]
        guard keys.count >= JSONObject.indexedFrom else { return }
        for (index, key) in keys.enumerated() { positions[key] = index }
    }

    public static func == (left: JSONObject, right: JSONObject) -> Bool {
        left.keys == right.keys && left.values == right.values
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }

    public var serialized: String { JSONValue.object(self).serialized }

    func write(to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        for index in keys.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.writeString(keys[index], to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            values[index].write(to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}
