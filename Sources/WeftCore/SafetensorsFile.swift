import Foundation

/// A safetensors file opened for reading: its header is parsed and checked
/// at once, its tensors are read on demand from a memory mapping.
///
/// ```swift
/// let file = try SafetensorsFile(contentsOf: url)
/// let weight = try file.tensor(named: "bert.embeddings.word_embeddings.weight")  // F32, F16 or BF16 on disk
/// let ids = try file.int32Array(named: "input_ids")
/// ```
///
/// Reading a tensor copies (and if need be widens) its bytes into a new
/// `Tensor`, so tensors stay valid after the file is released. A file is
/// immutable once opened; its methods may be called from several threads.
public final class SafetensorsFile: @unchecked Sendable {
    /// The largest JSON header accepted, as in Hugging Face's reader. Real
    /// headers are a few hundred kilobytes at most; a larger length means the
    /// file is not safetensors at all.
    public static let maximumHeaderByteCount: UInt64 = 100_000_000

    /// The file's path (or the name given to an in-memory buffer), as errors show it.
    public let fileName: String
    /// Tensor names, sorted.
    public let names: [String]
    /// The header's `__metadata__` (empty when it has none).
    public let metadata: [String: String]
    /// Every tensor's entry, in data order.
    public let tensorInfos: [SafetensorsTensorInfo]
    /// Length of the JSON header in bytes (padding included).
    public let headerByteCount: Int

    private let infoByName: [String: SafetensorsTensorInfo]
    private let storage: MappedBytes

    /// Opens and checks the safetensors file at `url`.
    public convenience init(contentsOf url: URL) throws(SafetensorsError) {
        try self.init(path: url.path)
    }

    /// Opens and checks the safetensors file at `path`.
    public convenience init(path: String) throws(SafetensorsError) {
        try self.init(storage: MappedBytes(mappingFileAt: path, name: path), name: path)
    }

    /// Reads a safetensors file held in memory (copied); `name` stands for the file in errors.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(SafetensorsError) {
        let storage = bytes.withUnsafeBytes { MappedBytes(copying: $0) }
        try self.init(storage: storage, name: name)
    }

    private init(storage: MappedBytes, name: String) throws(SafetensorsError) {
        let header = try SafetensorsHeader.parse(file: storage.bytes, name: name)
        self.storage = storage
        self.fileName = name
        self.metadata = header.metadata
        self.tensorInfos = header.tensors
        self.headerByteCount = header.byteCount
        self.names = header.tensors.map(\.name).sorted()
        self.infoByName = Dictionary(uniqueKeysWithValues: header.tensors.map { ($0.name, $0) })
    }

    /// Size of the whole file in bytes.
    public var byteCount: Int { storage.bytes.count }

    /// The entry of tensor `name`, or nil when the file has none.
    public func info(named name: String) -> SafetensorsTensorInfo? { infoByName[name] }

    public func contains(_ name: String) -> Bool { infoByName[name] != nil }

    private func requireInfo(_ name: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard let info = infoByName[name] else { throw .tensorNotFound(file: fileName, tensor: name) }
        return info
    }

    /// Start of `info`'s bytes. The header check guarantees they lie inside the file.
    private func dataPointer(_ info: SafetensorsTensorInfo) -> UnsafeRawPointer {
        storage.bytes.baseAddress! + (8 + headerByteCount + info.dataOffsets.lowerBound)
    }

    // MARK: Floating point

    /// Tensor `name` as Float32: F32 is copied, F16 and BF16 widened exactly,
    /// F64 rounded to nearest.
    public func tensor(named name: String) throws(SafetensorsError) -> Tensor {
        let info = try requireInfo(name)
        guard info.dtype.isReadableAsFloat else {
            throw .unsupportedConversion(file: fileName, tensor: name, dtype: info.dtype, requested: "Float32")
        }
        let result = Tensor(uninitialized: info.shape)
        let count = info.elementCount
        if count == 0 { return result }
        let source = dataPointer(info)
        let destination = result.data
        let dtype = info.dtype
        // Each chunk is long enough to amortise a thread hand-off many times over.
        parallelFor(count, minimumPerChunk: 1 << 18) { range in
            let n = range.count
            let output = destination + range.lowerBound
            switch dtype {
            case .f32:
                #if _endian(little)
                UnsafeMutableRawPointer(output).copyMemory(from: source + 4 * range.lowerBound, byteCount: 4 * n)
                #else
                for i in range {
                    output[i - range.lowerBound] = Float(bitPattern: UInt32(littleEndian:
                        source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                #endif
            case .f16:
                Float16Conversion.widenFloat16(source + 2 * range.lowerBound, into: output, count: n)
            case .bf16:
                Float16Conversion.widenBFloat16(source + 2 * range.lowerBound, into: output, count: n)
            case .f64:
                for i in range {
                    output[i - range.lowerBound] = Float(Double(bitPattern: UInt64(littleEndian:
                        source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            default:
                break
            }
        }
        return result
    }

    // MARK: Integers

    /// Integer tensor `name` as Int32. Any integer or BOOL dtype is accepted;
    /// a value that does not fit (from I64, U32 or U64) is an error.
    public func int32Array(named name: String) throws(SafetensorsError) -> [Int32] {
        try integers(named: name, as: Int32.self, requested: "Int32")
    }

    /// Integer tensor `name` as Int64. Any integer or BOOL dtype is accepted;
    /// a U64 value above Int64.max is an error.
    public func int64Array(named name: String) throws(SafetensorsError) -> [Int64] {
        try integers(named: name, as: Int64.self, requested: "Int64")
    }

    private func integers<Target: FixedWidthInteger>(named name: String, as target: Target.Type,
                                                      requested: String) throws(SafetensorsError) -> [Target] {
        let info = try requireInfo(name)
        switch info.dtype {
        case .bool, .u8: return try convertIntegers(info, from: UInt8.self, to: target, requested: requested)
        case .i8: return try convertIntegers(info, from: Int8.self, to: target, requested: requested)
        case .i16: return try convertIntegers(info, from: Int16.self, to: target, requested: requested)
        case .u16: return try convertIntegers(info, from: UInt16.self, to: target, requested: requested)
        case .i32: return try convertIntegers(info, from: Int32.self, to: target, requested: requested)
        case .u32: return try convertIntegers(info, from: UInt32.self, to: target, requested: requested)
        case .i64: return try convertIntegers(info, from: Int64.self, to: target, requested: requested)
        case .u64: return try convertIntegers(info, from: UInt64.self, to: target, requested: requested)
        default:
            throw .unsupportedConversion(file: fileName, tensor: name, dtype: info.dtype, requested: requested)
        }
    }

    private func convertIntegers<Source: FixedWidthInteger, Target: FixedWidthInteger>(
        _ info: SafetensorsTensorInfo, from _: Source.Type, to _: Target.Type, requested: String
    ) throws(SafetensorsError) -> [Target] {
        let count = info.elementCount
        if count == 0 { return [] }
        let source = dataPointer(info)
        var result = [Target](repeating: 0, count: count)
        var firstBad: (index: Int, value: Source)?
        result.withUnsafeMutableBufferPointer { output in
            #if _endian(little)
            if Source.self == Target.self {
                UnsafeMutableRawPointer(output.baseAddress!).copyMemory(from: source, byteCount: count * MemoryLayout<Source>.size)
                return
            }
            #endif
            for i in 0..<count {
                let value = Source(littleEndian: source.loadUnaligned(fromByteOffset: i * MemoryLayout<Source>.size, as: Source.self))
                guard let converted = Target(exactly: value) else {
                    firstBad = (i, value)
                    return
                }
                output[i] = converted
            }
        }
        if let firstBad {
            throw .valueOutOfRange(file: fileName, tensor: info.name, index: firstBad.index,
                                   value: String(firstBad.value), requested: requested)
        }
        return result
    }

    // MARK: Raw bytes

    /// Calls `body` with tensor `name`'s raw little-endian bytes, straight from
    /// the mapping, for dtypes this type does not convert or to avoid a copy.
    /// The bytes are valid only during the call.
    public func withRawBytes<Result>(named name: String,
                                     _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let info = try requireInfo(name)
        return try body(UnsafeRawBufferPointer(start: dataPointer(info), count: info.dataOffsets.count))
    }
}
