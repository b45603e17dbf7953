/// Why a safetensors file could not be read or written.
///
/// Every case names the file (its path, or the name given to an in-memory
/// buffer) and, where one is to blame, the tensor; `description` is one
/// sentence fit to show a user.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    // MARK: Opening
    case cannotOpen(file: String, reason: String)
    case fileTooShort(file: String, byteCount: Int)
    /// The 8-byte header length points past the end of the file, or beyond
    /// `SafetensorsFile.maximumHeaderByteCount`.
    case invalidHeaderLength(file: String, headerByteCount: UInt64, fileByteCount: Int)
    /// `offset` counts from the first byte of the JSON header.
    case invalidHeaderJSON(file: String, offset: Int, reason: String)
    /// The header is JSON but not a safetensors header (not an object, say).
    case invalidHeader(file: String, reason: String)
    case invalidMetadata(file: String, key: String?, reason: String)
    case duplicateTensorName(file: String, tensor: String)
    case missingField(file: String, tensor: String, field: String)
    case invalidField(file: String, tensor: String, field: String, reason: String)
    case unknownDType(file: String, tensor: String, dtype: String)
    /// `data_offsets` with begin after end.
    case invalidDataOffsets(file: String, tensor: String, begin: Int, end: Int)
    /// `data_offsets` span a different number of bytes than shape × dtype needs.
    case sizeMismatch(file: String, tensor: String, dtype: SafetensorsDType, shape: [Int],
                      expectedByteCount: Int, dataOffsetsByteCount: Int)
    case overlappingTensors(file: String, tensor: String, other: String)
    /// Bytes between the end of `after` (nil: the start of the data) and the start of `tensor` belong to no tensor.
    case gapInData(file: String, after: String?, tensor: String, byteCount: Int)
    /// The file ends before the data of `tensor` does.
    case truncatedData(file: String, tensor: String, expectedFileByteCount: Int, fileByteCount: Int)
    case trailingBytes(file: String, byteCount: Int)

    // MARK: Reading a tensor
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's dtype cannot be read as `requested` ("Float32", "Int32", ...).
    case unsupportedConversion(file: String, tensor: String, dtype: SafetensorsDType, requested: String)
    /// An integer does not fit the requested type (an I64 read as Int32, say).
    case valueOutOfRange(file: String, tensor: String, index: Int, value: String, requested: String)

    // MARK: Writing
    case invalidEntry(file: String, tensor: String, reason: String)
    case duplicateEntryName(file: String, tensor: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            "Cannot open safetensors file \(file): \(reason)."
        case let .fileTooShort(file, byteCount):
            "Safetensors file \(file) has \(byteCount) bytes, fewer than the 8 of its header length; it is empty or cut short."
        case let .invalidHeaderLength(file, headerByteCount, fileByteCount):
            if headerByteCount > SafetensorsFile.maximumHeaderByteCount {
                "Safetensors file \(file) declares a \(headerByteCount)-byte header, more than the \(SafetensorsFile.maximumHeaderByteCount) allowed; it is not a safetensors file or is corrupt."
            } else {
                "Safetensors file \(file) declares a \(headerByteCount)-byte header but holds only \(fileByteCount - 8) bytes after the length; it is cut short or corrupt."
            }
        case let .invalidHeaderJSON(file, offset, reason):
            "The header of safetensors file \(file) is not valid JSON at byte \(offset) of the header: \(reason)."
        case let .invalidHeader(file, reason):
            "The header of safetensors file \(file) is invalid: \(reason)."
        case let .invalidMetadata(file, key, reason):
            if let key {
                "The __metadata__ entry \"\(key)\" in safetensors file \(file) is invalid: \(reason)."
            } else {
                "The __metadata__ of safetensors file \(file) is invalid: \(reason)."
            }
        case let .duplicateTensorName(file, tensor):
            "Safetensors file \(file) lists tensor \"\(tensor)\" more than once."
        case let .missingField(file, tensor, field):
            "Tensor \"\(tensor)\" in safetensors file \(file) has no \"\(field)\" field."
        case let .invalidField(file, tensor, field, reason):
            "The \"\(field)\" of tensor \"\(tensor)\" in safetensors file \(file) is invalid: \(reason)."
        case let .unknownDType(file, tensor, dtype):
            "Tensor \"\(tensor)\" in safetensors file \(file) has unknown dtype \"\(dtype)\" (known: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))."
        case let .invalidDataOffsets(file, tensor, begin, end):
            "Tensor \"\(tensor)\" in safetensors file \(file) has data_offsets [\(begin), \(end)] whose begin is after its end."
        case let .sizeMismatch(file, tensor, dtype, shape, expected, actual):
            "Tensor \"\(tensor)\" in safetensors file \(file) has shape \(shape) and dtype \(dtype), which need \(expected) bytes, but its data_offsets span \(actual)."
        case let .overlappingTensors(file, tensor, other):
            "Tensors \"\(other)\" and \"\(tensor)\" in safetensors file \(file) have overlapping data_offsets."
        case let .gapInData(file, after, tensor, byteCount):
            if let after {
                "Safetensors file \(file) has \(byteCount) bytes belonging to no tensor between tensors \"\(after)\" and \"\(tensor)\"."
            } else {
                "Safetensors file \(file) has \(byteCount) bytes belonging to no tensor before its first tensor \"\(tensor)\"."
            }
        case let .truncatedData(file, tensor, expected, actual):
            "Safetensors file \(file) is truncated: it has \(actual) bytes but its header needs \(expected), so tensor \"\(tensor)\" is cut off."
        case let .trailingBytes(file, byteCount):
            "Safetensors file \(file) has \(byteCount) bytes after the last tensor's data that its header does not account for."
        case let .tensorNotFound(file, tensor):
            "Safetensors file \(file) has no tensor named \"\(tensor)\"."
        case let .unsupportedConversion(file, tensor, dtype, requested):
            "Tensor \"\(tensor)\" in safetensors file \(file) has dtype \(dtype), which cannot be read as \(requested)."
        case let .valueOutOfRange(file, tensor, index, value, requested):
            "Element \(index) of tensor \"\(tensor)\" in safetensors file \(file) is \(value), which does not fit in \(requested)."
        case let .invalidEntry(file, tensor, reason):
            "Cannot write tensor \"\(tensor)\" to safetensors file \(file): \(reason)."
        case let .duplicateEntryName(file, tensor):
            "Cannot write safetensors file \(file): the name \"\(tensor)\" is given to more than one tensor."
        case let .writeFailed(file, reason):
            "Cannot write safetensors file \(file): \(reason)."
        }
    }
}
