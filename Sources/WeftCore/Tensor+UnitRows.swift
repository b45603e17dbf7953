extension Tensor {
    /// A copy of this (rows, width) tensor with every row scaled to unit L2
    /// length; rows of (near) zero length stay as they are.
    public func unitRows() -> Tensor {
        let width = lastDimension
        let y = copy()
        for r in 0..<y.rowCount {
            let row = y.data + r * width
            let norm = Kernels.dot(row, row, width).squareRoot()
            if norm > 1e-12 { Kernels.scale(row, row, 1 / norm, width) }
        }
        return y
    }
}
