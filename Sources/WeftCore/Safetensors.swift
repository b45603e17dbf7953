import Foundation

/// One tensor to write to a safetensors file: a Float32 `Tensor` stored as
/// F32, F16, BF16 or F64, or an integer array stored as I32 or I64.
public struct SafetensorsEntry: Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]

    enum Values: Sendable {
        case float(Tensor)
        case int32([Int32])
        case int64([Int64])
    }
    let values: Values

    /// `tensor` stored as `dtype` (F32, F16, BF16 or F64); narrowing rounds to nearest, ties to even.
    public static func tensor(_ name: String, _ tensor: Tensor, dtype: SafetensorsDType = .f32) -> SafetensorsEntry {
        SafetensorsEntry(name: name, dtype: dtype, shape: tensor.shape, values: .float(tensor))
    }

    /// `values` (row-major, filling `shape`) stored as I32.
    public static func int32(_ name: String, _ values: [Int32], shape: [Int]) -> SafetensorsEntry {
        SafetensorsEntry(name: name, dtype: .i32, shape: shape, values: .int32(values))
    }

    /// `values` (row-major, filling `shape`) stored as I64.
    public static func int64(_ name: String, _ values: [Int64], shape: [Int]) -> SafetensorsEntry {
        SafetensorsEntry(name: name, dtype: .i64, shape: shape, values: .int64(values))
    }
}

/// Writing safetensors files (reading is `SafetensorsFile`).
///
/// Files are laid out as Hugging Face's writer lays them out (see
/// `SafetensorsHeader.encode`), so `safetensors.torch.load_file` reads them
/// and writing the same tensors twice gives the same bytes.
public enum Safetensors {
    /// Writes `entries` and `metadata` to `url`, replacing any file there.
    ///
    /// The bytes go to a temporary file in the same directory, which is
    /// flushed to disk and then renamed over `url`: a reader, or a crash, sees
    /// the old file or the new one, never half of one.
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:],
                             to url: URL) throws(SafetensorsError) {
        let path = url.path
        let layout = try plan(entries, metadata: metadata, file: path)
        try AtomicFileWriter.write(to: url) { (descriptor: Int32) throws(SafetensorsError) in
            try emit(entries, layout) { (chunk: UnsafeRawBufferPointer) throws(SafetensorsError) in
                try AtomicFileWriter.writeAll(chunk, to: descriptor, file: path)
            }
        }
    }

    /// Writes named Float32 tensors, all stored as `dtype` (F32, F16, BF16 or F64).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:],
                             to url: URL, dtype: SafetensorsDType = .f32) throws(SafetensorsError) {
        try write(tensors.map { SafetensorsEntry.tensor($0.0, $0.1, dtype: dtype) }, metadata: metadata, to: url)
    }

    /// Writes named Float32 tensors, all stored as `dtype` (F32, F16, BF16 or F64).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                             to url: URL, dtype: SafetensorsDType = .f32) throws(SafetensorsError) {
        try write(tensors.map { SafetensorsEntry.tensor($0.key, $0.value, dtype: dtype) }, metadata: metadata, to: url)
    }

    /// The bytes of a safetensors file holding `entries` and `metadata`.
    public static func encode(_ entries: [SafetensorsEntry],
                              metadata: [String: String] = [:]) throws(SafetensorsError) -> [UInt8] {
        let layout = try plan(entries, metadata: metadata, file: "<memory>")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(layout.header.count + (layout.tensors.last?.dataOffsets.upperBound ?? 0))
        try emit(entries, layout) { (chunk: UnsafeRawBufferPointer) throws(SafetensorsError) in
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    // MARK: Implementation

    private struct Plan {
        var header: [UInt8]
        /// The tensors in data order, each with the index of its entry.
        var tensors: [(entry: Int, dataOffsets: Range<Int>)]
    }

    /// Checks the entries and lays out the file.
    private static func plan(_ entries: [SafetensorsEntry], metadata: [String: String],
                             file: String) throws(SafetensorsError) -> Plan {
        var indexByName: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            guard entry.name != SafetensorsHeader.metadataKey else {
                throw .invalidEntry(file: file, tensor: entry.name, reason: "the name is reserved for the header's metadata")
            }
            guard indexByName.updateValue(index, forKey: entry.name) == nil else {
                throw .duplicateEntryName(file: file, tensor: entry.name)
            }
            let valueCount: Int
            switch entry.values {
            case let .float(tensor):
                guard [.f32, .f16, .bf16, .f64].contains(entry.dtype) else {
                    throw .invalidEntry(file: file, tensor: entry.name,
                                        reason: "a Float32 tensor can be stored as F32, F16, BF16 or F64, not \(entry.dtype)")
                }
                valueCount = tensor.count
            case let .int32(values): valueCount = values.count
            case let .int64(values): valueCount = values.count
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidEntry(file: file, tensor: entry.name, reason: "shape \(entry.shape) has a negative dimension")
            }
            var elementCount = 1
            for dimension in entry.shape {
                let (product, overflowed) = elementCount.multipliedReportingOverflow(by: dimension)
                guard !overflowed else {
                    throw .invalidEntry(file: file, tensor: entry.name, reason: "shape \(entry.shape) is too large")
                }
                elementCount = product
            }
            guard elementCount == valueCount else {
                throw .invalidEntry(file: file, tensor: entry.name,
                                    reason: "\(valueCount) values do not fill shape \(entry.shape)")
            }
        }
        let encoded = SafetensorsHeader.encode(entries.map { ($0.name, $0.dtype, $0.shape) }, metadata: metadata)
        return Plan(header: encoded.bytes,
                    tensors: encoded.layout.map { (indexByName[$0.name]!, $0.dataOffsets) })
    }

    /// Elements converted per chunk when narrowing: 256 KiB of output, small
    /// enough to stay in cache, large enough that each write is cheap.
    private static let chunkElementCount = 1 << 17

    /// Feeds the file's bytes, header first, to `sink` in order.
    private static func emit(_ entries: [SafetensorsEntry], _ plan: Plan,
                             sink: (UnsafeRawBufferPointer) throws(SafetensorsError) -> Void) throws(SafetensorsError) {
        try withBytes(of: plan.header, sink)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 * chunkElementCount, alignment: 64)
        defer { scratch.deallocate() }
        for (index, _) in plan.tensors {
            let entry = entries[index]
            switch entry.values {
            case let .float(tensor):
                try emitFloats(tensor, as: entry.dtype, scratch: scratch, sink: sink)
            case let .int32(values):
                try emitLittleEndian(values, scratch: scratch, sink: sink)
            case let .int64(values):
                try emitLittleEndian(values, scratch: scratch, sink: sink)
            }
        }
    }

    private static func emitFloats(_ tensor: Tensor, as dtype: SafetensorsDType, scratch: UnsafeMutableRawBufferPointer,
                                   sink: (UnsafeRawBufferPointer) throws(SafetensorsError) -> Void) throws(SafetensorsError) {
        #if _endian(little)
        if dtype == .f32 {
            try sink(UnsafeRawBufferPointer(start: tensor.data, count: 4 * tensor.count))
            return
        }
        #endif
        var start = 0
        while start < tensor.count {
            let n = min(chunkElementCount, tensor.count - start)
            let source = tensor.data + start
            let output = scratch.baseAddress!
            switch dtype {
            case .f16: Float16Conversion.narrowToFloat16(source, into: output, count: n)
            case .bf16: Float16Conversion.narrowToBFloat16(source, into: output, count: n)
            case .f64:
                for i in 0..<n {
                    output.storeBytes(of: Double(source[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
                }
            default:
                for i in 0..<n {
                    output.storeBytes(of: source[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                }
            }
            try sink(UnsafeRawBufferPointer(start: output, count: n * dtype.byteCount))
            start += n
        }
    }

    /// `Array.withUnsafeBytes` rethrows untyped errors; this keeps the sink's type.
    private static func withBytes<Element>(of array: [Element],
                                           _ body: (UnsafeRawBufferPointer) throws(SafetensorsError) -> Void) throws(SafetensorsError) {
        var failure: SafetensorsError?
        array.withUnsafeBytes { bytes in
            do throws(SafetensorsError) { try body(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private static func emitLittleEndian<Element: FixedWidthInteger>(
        _ values: [Element], scratch: UnsafeMutableRawBufferPointer,
        sink: (UnsafeRawBufferPointer) throws(SafetensorsError) -> Void
    ) throws(SafetensorsError) {
        #if _endian(little)
        try withBytes(of: values, sink)
        #else
        let size = MemoryLayout<Element>.size
        var start = 0
        while start < values.count {
            let n = min(chunkElementCount, values.count - start)
            for i in 0..<n {
                scratch.storeBytes(of: values[start + i].littleEndian, toByteOffset: size * i, as: Element.self)
            }
            try sink(UnsafeRawBufferPointer(rebasing: scratch[0..<(n * size)]))
            start += n
        }
        #endif
    }
}
