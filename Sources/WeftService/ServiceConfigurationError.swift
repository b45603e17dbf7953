/// Settings `weft serve` refuses to start with.
public enum ServiceConfigurationError: Error, CustomStringConvertible, Equatable {
    case invalid(setting: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let setting, let reason): "--\(setting): \(reason)"
        }
    }

    /// The command-line setting to change.
    public var setting: String {
        switch self {
        case .invalid(let setting, _): setting
        }
    }
}
