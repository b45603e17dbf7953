/// An element type of the safetensors format, named as in the file's header.
///
/// The case names mirror the format's own ("F32", "BF16", ...) so a header and
/// the code that reads it can be compared at a glance. Every type the format
/// defines with a whole number of bytes per element is recognised, so a file
/// holding, say, F8 tensors still opens and its other tensors can be read.
public enum SafetensorsDType: String, Sendable, CaseIterable, CustomStringConvertible {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8E5M2 = "F8_E5M2"
    case f8E4M3 = "F8_E4M3"
    case f8E8M0 = "F8_E8M0"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case i64 = "I64"
    case u64 = "U64"
    case f64 = "F64"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: 1
        case .i16, .u16, .f16, .bf16: 2
        case .i32, .u32, .f32: 4
        case .c64, .i64, .u64, .f64: 8
        }
    }

    /// Rank in Hugging Face's dtype enumeration, which its writer sorts by
    /// (descending) to lay out data; ascending rank is ascending alignment.
    var writeOrder: Int {
        switch self {
        case .bool: 0
        case .u8: 1
        case .i8: 2
        case .f8E5M2: 3
        case .f8E4M3: 4
        case .f8E8M0: 5
        case .i16: 6
        case .u16: 7
        case .f16: 8
        case .bf16: 9
        case .i32: 10
        case .u32: 11
        case .f32: 12
        case .c64: 13
        case .f64: 14
        case .i64: 15
        case .u64: 16
        }
    }

    /// Whether `SafetensorsFile.tensor(named:)` converts this type to Float32.
    public var isReadableAsFloat: Bool { self == .f32 || self == .f16 || self == .bf16 || self == .f64 }

    /// Whether `SafetensorsFile.int32Array(named:)` and `int64Array(named:)` read this type.
    public var isReadableAsInteger: Bool {
        switch self {
        case .bool, .u8, .i8, .i16, .u16, .i32, .u32, .i64, .u64: true
        default: false
        }
    }

    public var description: String { rawValue }
}
