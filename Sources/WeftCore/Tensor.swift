/// A dense Float32 tensor: a shape and a row-major, contiguous window of a
/// shared `TensorStorage`.
///
/// `Tensor` has reference semantics for its elements, as in PyTorch: a
/// reshaped tensor or a row slice shares storage with the tensor it came
/// from, and writing through one is visible through the other. Use `copy()`
/// for an independent tensor.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let storage: TensorStorage
    /// Index of this tensor's first element in `storage`.
    public let offset: Int
    /// Number of elements (product of `shape`).
    public let count: Int

    // MARK: Creation

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        let n = Tensor.elementCount(shape)
        self.init(storage: TensorStorage(count: n, zeroed: true), shape: shape, offset: 0)
    }

    /// A tensor whose contents are undefined; for outputs a kernel overwrites.
    public init(uninitialized shape: [Int]) {
        let n = Tensor.elementCount(shape)
        self.init(storage: TensorStorage(count: n, zeroed: false), shape: shape, offset: 0)
    }

    /// A tensor filled with one value.
    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitialized: shape)
        data.update(repeating: value, count: count)
    }

    /// A tensor holding `values` in row-major order.
    public init(_ values: [Float], shape: [Int]) {
        precondition(values.count == Tensor.elementCount(shape),
                     "\(values.count) values do not fill shape \(shape)")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { data.update(from: base, count: count) }
        }
    }

    /// A one-element tensor of shape [1].
    public init(scalar: Float) { self.init([scalar], shape: [1]) }

    /// A view of `storage` starting at `offset`.
    public init(storage: TensorStorage, shape: [Int], offset: Int = 0) {
        let n = Tensor.elementCount(shape)
        precondition(offset >= 0 && offset + n <= storage.count,
                     "view of \(n) elements at \(offset) exceeds storage of \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.count = n
    }

    static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "negative dimension in shape \(shape)")
            n *= d
        }
        return n
    }

    // MARK: Access

    /// Pointer to the first element. Valid while this tensor (or another
    /// holder of its storage) is alive.
    @inline(__always) public var data: UnsafeMutablePointer<Float> { storage.pointer + offset }

    public var rank: Int { shape.count }

    /// Size of the last dimension (1 for a scalar shape []).
    public var lastDimension: Int { shape.last ?? 1 }

    /// Number of rows when viewed as a matrix (rows × lastDimension).
    public var rowCount: Int { lastDimension == 0 ? 0 : count / lastDimension }

    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The only element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with shape \(shape)")
        return data[0]
    }

    public subscript(flat index: Int) -> Float {
        get { precondition(index >= 0 && index < count); return data[index] }
        nonmutating set { precondition(index >= 0 && index < count); data[index] = newValue }
    }

    public subscript(indices: Int...) -> Float {
        get { data[flatIndex(indices)] }
        nonmutating set { data[flatIndex(indices)] = newValue }
    }

    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "\(indices.count) indices for shape \(shape)")
        var idx = 0
        for (i, d) in zip(indices, shape) {
            precondition(i >= 0 && i < d, "index \(indices) out of range for shape \(shape)")
            idx = idx * d + i
        }
        return idx
    }

    // MARK: Views

    /// The same elements under another shape; one dimension may be -1.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var s = newShape
        if let inferred = s.firstIndex(of: -1) {
            let known = s.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            s[inferred] = count / known
        }
        precondition(Tensor.elementCount(s) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(storage: storage, shape: s, offset: offset)
    }

    /// Rows `range` of the first dimension, sharing storage.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) out of range for shape \(shape)")
        let inner = shape[0] == 0 ? 0 : count / shape[0]
        var s = shape
        s[0] = range.count
        return Tensor(storage: storage, shape: s, offset: offset + range.lowerBound * inner)
    }

    /// Row `i` of the first dimension, sharing storage.
    public func row(_ i: Int) -> Tensor {
        rows(i..<(i + 1)).reshaped(Array(shape.dropFirst()))
    }

    /// An independent copy with its own storage.
    public func copy() -> Tensor {
        let t = Tensor(uninitialized: shape)
        t.data.update(from: data, count: count)
        return t
    }

    /// Copies `other` (same element count) into this tensor.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }
    public func zero() { fill(0) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}
