/// One bad line of a dataset file, reported as `file:line: field: reason`.
public struct LineIssue: Error, Equatable, Sendable, CustomStringConvertible {
    /// Why a line was refused; `weft import --on-error skip` prints counts per kind.
    public enum Kind: String, CaseIterable, Comparable, Sendable {
        case invalidUTF8 = "invalid UTF-8"
        case invalidJSON = "invalid JSON"
        case missingField = "missing field"
        case wrongType = "wrong type"
        case invalidValue = "invalid value"
        case unknownProduct = "unknown product"
        case unknownUser = "unknown user"

        public static func < (left: Kind, right: Kind) -> Bool {
            allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
        }
    }

    public var file: String
    public var line: Int
    /// The JSON key at fault, or `line` when the line as a whole is unreadable.
    public var field: String
    public var kind: Kind
    public var reason: String

    public init(file: String, line: Int, field: String, kind: Kind, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(field): \(reason)" }
}

