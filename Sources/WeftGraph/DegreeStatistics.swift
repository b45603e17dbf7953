/// Out-degree summary of one relation over all its source nodes.
public struct DegreeStatistics: Sendable, Equatable, Codable, CustomStringConvertible {
    public let nodes: Int
    public let edges: Int
    public let minimum: Int
    public let maximum: Int
    public let mean: Double
    public let median: Double
    /// Source nodes without any edge in this relation.
    public let isolated: Int

    /// Statistics of a degree sequence (one entry per source node).
    public init(degrees: [Int]) {
        nodes = degrees.count
        edges = degrees.reduce(0, +)
        minimum = degrees.min() ?? 0
        maximum = degrees.max() ?? 0
        mean = degrees.isEmpty ? 0 : Double(edges) / Double(degrees.count)
        let sorted = degrees.sorted()
        if sorted.isEmpty {
            median = 0
        } else if sorted.count % 2 == 1 {
            median = Double(sorted[sorted.count / 2])
        } else {
            median = Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        isolated = degrees.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
    }

    public var description: String {
        let meanText = (mean * 100).rounded() / 100
        return "\(nodes) nodes, \(edges) edges, degree min \(minimum) / median \(median) / mean \(meanText) / max \(maximum), \(isolated) isolated"
    }
}
