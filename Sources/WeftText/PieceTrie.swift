/// A byte trie over WordPiece vocabulary entries with two roots: word-initial
/// pieces under `PieceTrie.wordStart`, and `##` continuation pieces (stored
/// without the `##`) under `PieceTrie.continuation`.
///
/// WordPiece's greedy longest-match-first is one walk down the trie from the
/// current position, remembering the last node that ends a piece; that is the
/// longest vocabulary entry starting there, found without building substrings.
/// Because entries and words are valid UTF-8, a match always ends on a
/// character boundary.
///
/// Edges live in one open-addressing table keyed by (node, byte); each slot
/// also carries the piece id of the node it leads to, so a step down the trie
/// touches one slot (the walk is bound by cache misses on this table).
struct PieceTrie: Sendable {
    static let wordStart: Int32 = 0
    static let continuation: Int32 = 1
    /// Keys pack the node into 24 bits next to the byte.
    static let maximumNodeCount = 1 << 24 - 1

    struct Edge: Sendable {
        /// `node << 8 | byte` plus 1; 0 marks an empty slot.
        var key: UInt32
        var child: Int32
        /// The vocabulary id ending at `child`, or -1.
        var childPieceId: Int32
    }

    /// (slots) the edge table; a power of two, at most 5/8 full.
    private var edges: [Edge]
    private var slotBits: Int

    /// `pieces` pairs each entry's bytes (without `##`) with its root and id;
    /// a later duplicate overrides an earlier one, as Hugging Face's loader does.
    /// Nil when the entries need more than `maximumNodeCount` nodes.
    init?(pieces: [(bytes: [UInt8], root: Int32, id: Int32)]) {
        var nodeCount: Int32 = 2
        var children: [UInt32: Int32] = [:]
        var pieceIds: [Int32: Int32] = [:]
        for piece in pieces where !piece.bytes.isEmpty {
            var node = piece.root
            for byte in piece.bytes {
                let key = UInt32(node) << 8 | UInt32(byte)
                if let child = children[key] {
                    node = child
                } else {
                    guard Int(nodeCount) < Self.maximumNodeCount else { return nil }
                    children[key] = nodeCount
                    node = nodeCount
                    nodeCount += 1
                }
            }
            pieceIds[node] = piece.id
        }
        var bits = 4
        while (1 << bits) * 5 < children.count * 8 { bits += 1 }
        slotBits = bits
        edges = [Edge](repeating: Edge(key: 0, child: -1, childPieceId: -1), count: 1 << bits)
        for (key, child) in children {
            var slot = Self.slot(of: key, bits: bits)
            while edges[slot].key != 0 { slot = (slot + 1) & ((1 << bits) - 1) }
            edges[slot] = Edge(key: key + 1, child: child, childPieceId: pieceIds[child] ?? -1)
        }
    }

    @inline(__always)
    private static func slot(of key: UInt32, bits: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    /// The longest piece under `root` that `bytes[start...]` begins with, as
    /// (end offset, id), or nil when none does.
    @inline(__always)
    func longestMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32)
        -> (end: Int, id: Int32)?
    {
        edges.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var node = root
            var best: (end: Int, id: Int32)?
            var position = start
            walk: while position < bytes.count {
                let key = UInt32(node) << 8 | UInt32(bytes[position])
                var slot = Self.slot(of: key, bits: slotBits)
                while true {
                    let edge = table[slot]
                    if edge.key == key &+ 1 {
                        node = edge.child
                        position += 1
                        if edge.childPieceId >= 0 { best = (position, edge.childPieceId) }
                        continue walk
                    }
                    if edge.key == 0 { break walk }
                    slot = (slot + 1) & mask
                }
            }
            return best
        }
    }
}
