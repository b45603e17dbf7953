/// One relation's edges in compressed sparse rows (CSR): the neighbours of
/// row (source node) r are `targets[offsets[r] ..< offsets[r + 1]]`, sorted
/// ascending and without duplicates, so membership is a binary search.
public struct Adjacency: Sendable, Equatable {
    /// (rows + 1), non-decreasing, first 0, last = edge count.
    public let offsets: [Int32]
    /// (E) destination node of each edge, grouped by source.
    public let targets: [Int32]

    public var rowCount: Int { offsets.count - 1 }
    public var edgeCount: Int { targets.count }

    /// An adjacency with `rowCount` rows and no edges.
    public init(emptyRows rowCount: Int) {
        offsets = [Int32](repeating: 0, count: rowCount + 1)
        targets = []
    }

    init(offsets: [Int32], targets: [Int32]) {
        self.offsets = offsets
        self.targets = targets
    }

    /// CSR read back from storage, used as is when it keeps this type's invariants (offsets from 0
    /// to the edge count, non-decreasing; each row's targets in `0..<columnCount`, strictly
    /// ascending); nil otherwise.
    public init?(checkedOffsets offsets: [Int32], targets: [Int32], columnCount: Int) {
        guard offsets.first == 0, Int(offsets.last ?? -1) == targets.count,
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else { return nil }
        for r in 0..<(offsets.count - 1) {
            let row = targets[Int(offsets[r])..<Int(offsets[r + 1])]
            guard row.allSatisfy({ $0 >= 0 && Int($0) < columnCount }),
                  zip(row, row.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        }
        self.init(offsets: offsets, targets: targets)
    }

    /// Builds CSR from an edge list (counting sort by source, then each row
    /// sorted and de-duplicated). Ids must already be in range.
    public init(rowCount: Int, sources: [Int32], targets: [Int32]) {
        precondition(sources.count == targets.count)
        var counts = [Int32](repeating: 0, count: rowCount + 1)
        for s in sources { counts[Int(s) + 1] += 1 }
        for r in 0..<rowCount { counts[r + 1] += counts[r] }
        var cursor = counts
        var sorted = [Int32](repeating: 0, count: sources.count)
        for e in 0..<sources.count {
            let s = Int(sources[e])
            sorted[Int(cursor[s])] = targets[e]
            cursor[s] += 1
        }
        // Sort each row in place and count its distinct entries.
        var distinct = [Int32](repeating: 0, count: rowCount)
        sorted.withUnsafeMutableBufferPointer { buffer in
            counts.withUnsafeBufferPointer { o in
                distinct.withUnsafeMutableBufferPointer { d in
                    parallelFor(rowCount, minimumPerChunk: 4096) { range in
                        for r in range {
                            let lo = Int(o[r]), hi = Int(o[r + 1])
                            if hi - lo > 1 {
                                var row = UnsafeMutableBufferPointer(rebasing: buffer[lo..<hi])
                                row.sort()
                            }
                            var n: Int32 = hi > lo ? 1 : 0
                            var i = lo + 1
                            while i < hi { if buffer[i] != buffer[i - 1] { n += 1 }; i += 1 }
                            d[r] = n
                        }
                    }
                }
            }
        }
        if distinct.reduce(0, { $0 + Int($1) }) == sorted.count {
            self.offsets = counts
            self.targets = sorted
            return
        }
        var newOffsets = [Int32](repeating: 0, count: rowCount + 1)
        for r in 0..<rowCount { newOffsets[r + 1] = newOffsets[r] + distinct[r] }
        var unique = [Int32](repeating: 0, count: Int(newOffsets[rowCount]))
        for r in 0..<rowCount {
            var w = Int(newOffsets[r])
            let lo = Int(counts[r]), hi = Int(counts[r + 1])
            for i in lo..<hi where i == lo || sorted[i] != sorted[i - 1] {
                unique[w] = sorted[i]
                w += 1
            }
        }
        self.offsets = newOffsets
        self.targets = unique
    }

    @inline(__always)
    public func degree(of row: Int) -> Int {
        row < rowCount ? Int(offsets[row + 1] - offsets[row]) : 0
    }

    /// The sorted neighbours of `row` (empty beyond the last row, so nodes
    /// added after the CSR was built need no row of their own yet).
    @inline(__always)
    public func neighbors(of row: Int) -> ArraySlice<Int32> {
        row < rowCount ? targets[Int(offsets[row])..<Int(offsets[row + 1])] : []
    }

    /// Whether the edge row → target exists (binary search).
    public func contains(row: Int, target: Int32) -> Bool {
        guard row < rowCount else { return false }
        var lo = Int(offsets[row]), hi = Int(offsets[row + 1])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = targets[mid]
            if v == target { return true }
            if v < target { lo = mid + 1 } else { hi = mid }
        }
        return false
    }

    /// The edge list (sources, targets) in CSR order.
    public var edgeList: (sources: [Int32], targets: [Int32]) {
        var sources = [Int32](repeating: 0, count: edgeCount)
        for r in 0..<rowCount {
            for e in Int(offsets[r])..<Int(offsets[r + 1]) { sources[e] = Int32(r) }
        }
        return (sources, targets)
    }

    /// The same edges with rows and columns exchanged, over `columnCount` rows.
    public func transposed(columnCount: Int) -> Adjacency {
        let (s, t) = edgeList
        return Adjacency(rowCount: columnCount, sources: t, targets: s)
    }
}
