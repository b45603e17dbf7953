/// Small summary statistics for evaluation reports.
public enum Statistics {
    /// Standard error of the mean of `values`: the sample standard deviation
    /// (n − 1 in the denominator) over √n; nil for fewer than two values.
    public static func standardError(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (variance / n).squareRoot()
    }
}
