@_exported import WeftCore

/// Something with named parameters. Names follow the checkpoint layout
/// (e.g. `encoder.layer.0.attention.self.query.weight`), so a module's
/// parameters map one-to-one onto safetensors entries.
public protocol Module: AnyObject {
    /// The module's own parameters and its children's, with dotted names.
    func namedParameters() -> [(name: String, parameter: Variable)]
}

extension Module {
    public var parameters: [Variable] { namedParameters().map(\.parameter) }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    public func zeroGradients() { for p in parameters { p.zeroGrad() } }
}

/// Prefixes child parameter names: `prefixed("encoder", child)` gives `encoder.<name>`.
public func prefixed(_ prefix: String, _ child: Module) -> [(name: String, parameter: Variable)] {
    child.namedParameters().map { (name: prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", parameter: $0.parameter) }
}
