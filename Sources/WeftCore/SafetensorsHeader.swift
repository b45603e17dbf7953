/// One tensor's entry in a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range of the tensor's data, counted from the end of the header.
    public let dataOffsets: Range<Int>

    /// Number of elements (product of `shape`; 1 for a scalar).
    public var elementCount: Int { dataOffsets.count / dtype.byteCount }
}

/// The header of a safetensors file: how it is checked when read and how it
/// is laid out when written.
///
/// A file is an 8-byte little-endian header length N, N bytes of JSON
/// `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}`
/// (padded with spaces), then the tensors' raw little-endian bytes. Reading
/// holds a file to the rules of Hugging Face's reference reader, so a file
/// Weft accepts is one the Python tooling accepts: the tensors' data must
/// tile the data section exactly, with no overlap, gap or trailing byte.
struct SafetensorsHeader {
    /// The tensors in data order.
    var tensors: [SafetensorsTensorInfo]
    var metadata: [String: String]
    /// N, the JSON header's length in bytes (padding included).
    var byteCount: Int

    static let metadataKey = "__metadata__"

    // MARK: Reading

    /// Parses and checks the header of `file` (a whole safetensors file).
    static func parse(file: UnsafeRawBufferPointer, name: String) throws(SafetensorsError) -> SafetensorsHeader {
        guard file.count >= 8 else { throw .fileTooShort(file: name, byteCount: file.count) }
        let declared = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard declared <= SafetensorsFile.maximumHeaderByteCount, declared <= UInt64(file.count - 8) else {
            throw .invalidHeaderLength(file: name, headerByteCount: declared, fileByteCount: file.count)
        }
        let headerByteCount = Int(declared)
        let json: HeaderJSON
        do {
            json = try HeaderJSONParser.parse(UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerByteCount)]))
        } catch {
            throw .invalidHeaderJSON(file: name, offset: error.offset, reason: error.reason)
        }
        guard case let .object(members) = json else {
            throw .invalidHeader(file: name, reason: "it is \(json.kindName), not an object of tensors")
        }

        var metadata: [String: String] = [:]
        var sawMetadata = false
        var seen = Set<String>()
        var tensors: [SafetensorsTensorInfo] = []
        tensors.reserveCapacity(members.count)
        for (key, value) in members {
            if key == metadataKey {
                guard !sawMetadata else { throw .invalidMetadata(file: name, key: nil, reason: "it appears twice") }
                sawMetadata = true
                metadata = try parseMetadata(value, file: name)
                continue
            }
            guard seen.insert(key).inserted else { throw .duplicateTensorName(file: name, tensor: key) }
            tensors.append(try parseTensor(key, value, file: name))
        }

        try checkLayout(&tensors, dataByteCount: file.count - 8 - headerByteCount,
                        headerByteCount: headerByteCount, file: name)
        return SafetensorsHeader(tensors: tensors, metadata: metadata, byteCount: headerByteCount)
    }

    private static func parseMetadata(_ value: HeaderJSON, file: String) throws(SafetensorsError) -> [String: String] {
        guard case let .object(members) = value else {
            throw .invalidMetadata(file: file, key: nil, reason: "it is \(value.kindName), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value else {
                throw .invalidMetadata(file: file, key: key, reason: "its value is \(value.kindName), not a string")
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw .invalidMetadata(file: file, key: key, reason: "the key appears twice")
            }
        }
        return metadata
    }

    private static func parseTensor(_ tensor: String, _ value: HeaderJSON,
                                    file: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard case let .object(members) = value else {
            throw .invalidField(file: file, tensor: tensor, field: "(entry)",
                                reason: "it is \(value.kindName), not an object with dtype, shape and data_offsets")
        }
        var fields: [String: HeaderJSON] = [:]
        for (key, value) in members {
            guard fields.updateValue(value, forKey: key) == nil else {
                throw .invalidField(file: file, tensor: tensor, field: key, reason: "it appears twice")
            }
        }

        guard let dtypeValue = fields["dtype"] else { throw .missingField(file: file, tensor: tensor, field: "dtype") }
        guard case let .string(dtypeText) = dtypeValue else {
            throw .invalidField(file: file, tensor: tensor, field: "dtype", reason: "it is \(dtypeValue.kindName), not a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeText) else {
            throw .unknownDType(file: file, tensor: tensor, dtype: dtypeText)
        }

        guard let shapeValue = fields["shape"] else { throw .missingField(file: file, tensor: tensor, field: "shape") }
        guard case let .array(dimensions) = shapeValue else {
            throw .invalidField(file: file, tensor: tensor, field: "shape", reason: "it is \(shapeValue.kindName), not an array")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dimensions.count)
        var byteCount = dtype.byteCount
        var overflow = false
        for dimension in dimensions {
            guard let size = dimension.nonNegativeInteger else {
                throw .invalidField(file: file, tensor: tensor, field: "shape",
                                    reason: "\(shapeValue.rendered()) holds \(dimension.rendered()), not a non-negative integer")
            }
            shape.append(size)
            let (product, overflowed) = byteCount.multipliedReportingOverflow(by: size)
            byteCount = product
            overflow = overflow || overflowed
        }
        // A zero dimension makes the size 0 whatever the others, so overflow
        // only matters when every dimension is positive.
        if overflow, !shape.contains(0) {
            throw .invalidField(file: file, tensor: tensor, field: "shape",
                                reason: "\(shapeValue.rendered()) of \(dtype) describes more bytes than a file can hold")
        }
        if shape.contains(0) { byteCount = 0 }

        guard let offsetsValue = fields["data_offsets"] else {
            throw .missingField(file: file, tensor: tensor, field: "data_offsets")
        }
        guard case let .array(offsets) = offsetsValue, offsets.count == 2,
              let begin = offsets[0].nonNegativeInteger, let end = offsets[1].nonNegativeInteger else {
            throw .invalidField(file: file, tensor: tensor, field: "data_offsets",
                                reason: "\(offsetsValue.rendered()) is not two non-negative integers [begin, end]")
        }
        guard begin <= end else { throw .invalidDataOffsets(file: file, tensor: tensor, begin: begin, end: end) }
        guard end - begin == byteCount else {
            throw .sizeMismatch(file: file, tensor: tensor, dtype: dtype, shape: shape,
                                expectedByteCount: byteCount, dataOffsetsByteCount: end - begin)
        }
        return SafetensorsTensorInfo(name: tensor, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Sorts `tensors` into data order and checks that they tile the data section.
    private static func checkLayout(_ tensors: inout [SafetensorsTensorInfo], dataByteCount: Int,
                                    headerByteCount: Int, file: String) throws(SafetensorsError) {
        tensors.sort {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound)
        }
        var end = 0
        var previous: SafetensorsTensorInfo?
        for tensor in tensors {
            let begin = tensor.dataOffsets.lowerBound
            if begin < end, let previous {
                throw .overlappingTensors(file: file, tensor: tensor.name, other: previous.name)
            }
            if begin > end {
                throw .gapInData(file: file, after: previous?.name, tensor: tensor.name, byteCount: begin - end)
            }
            end = tensor.dataOffsets.upperBound
            previous = tensor
        }
        if end > dataByteCount {
            let cut = tensors.first { $0.dataOffsets.upperBound > dataByteCount }!
            // A corrupt end near Int.max must not overflow the message's arithmetic.
            let (needed, overflowed) = (8 + headerByteCount).addingReportingOverflow(end)
            throw .truncatedData(file: file, tensor: cut.name, expectedFileByteCount: overflowed ? Int.max : needed,
                                 fileByteCount: 8 + headerByteCount + dataByteCount)
        }
        if end < dataByteCount { throw .trailingBytes(file: file, byteCount: dataByteCount - end) }
    }

    // MARK: Writing

    /// Lays out `tensors` (name, dtype, shape; names distinct) and encodes the
    /// header byte for byte as Hugging Face's writer does: tensors ordered by
    /// dtype, widest first (so each is aligned to its element size), then by
    /// name; JSON keys in that same order after `__metadata__` (omitted when
    /// empty), no spaces; the JSON padded with spaces to a multiple of 8
    /// bytes so the data starts 8-byte aligned.
    ///
    /// Returns the 8-byte length and the JSON as one buffer, and the tensors in data order.
    static func encode(_ tensors: [(name: String, dtype: SafetensorsDType, shape: [Int])],
                       metadata: [String: String]) -> (bytes: [UInt8], layout: [SafetensorsTensorInfo]) {
        let dataOrder = tensors.sorted {
            $0.dtype.writeOrder != $1.dtype.writeOrder
                ? $0.dtype.writeOrder > $1.dtype.writeOrder
                : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var layout: [SafetensorsTensorInfo] = []
        layout.reserveCapacity(dataOrder.count)
        var offset = 0
        for tensor in dataOrder {
            let byteCount = tensor.shape.reduce(tensor.dtype.byteCount, *)
            layout.append(SafetensorsTensorInfo(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape,
                                                dataOffsets: offset..<(offset + byteCount)))
            offset += byteCount
        }

        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { HeaderJSON.quoted($0.key) + ":" + HeaderJSON.quoted($0.value) }
            members.append(HeaderJSON.quoted(metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        for tensor in layout {
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append(HeaderJSON.quoted(tensor.name)
                + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(tensor.dataOffsets.lowerBound),\(tensor.dataOffsets.upperBound)]}")
        }
        var json = Array(("{" + members.joined(separator: ",") + "}").utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        return (bytes, layout)
    }
}
