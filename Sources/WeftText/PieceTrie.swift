/// A byte trie over WordPiece vocabulary entries with two roots: word-initial
/// pieces under `PieceTrie.wordStart`, and `##` continuation pieces (stored
/// without the `##`) under `PieceTrie.continuation`.
///
/// WordPiece's greedy longest-match-first is one walk down the trie from the
/// current position, remembering the last node that ends a piece; that is the
/// longest vocabulary entry starting there, found without building substrings.
/// Because entries and words are valid UTF-8, a match always ends on a
/// character boundary.
struct PieceTrie: Sendable {
    static let wordStart: Int32 = 0
    static let continuation: Int32 = 1

    /// (nodes) the vocabulary id ending at each node, or -1.
    private var pieceIds: [Int32]
    /// (slots) open-addressing table of edges keyed by `node << 8 | byte`, plus 1 so 0 means empty.
    private var edgeKeys: [UInt64]
    /// (slots) the child node of each edge.
    private var edgeChildren: [Int32]
    private var slotBits: Int

    /// `pieces` pairs each entry's bytes (without `##`) with its root and id;
    /// a later duplicate overrides an earlier one, as Hugging Face's loader does.
    init(pieces: [(bytes: [UInt8], root: Int32, id: Int32)]) {
        var ids: [Int32] = [-1, -1]
        var edges: [UInt64: Int32] = [:]
        for piece in pieces where !piece.bytes.isEmpty {
            var node = piece.root
            for byte in piece.bytes {
                let key = UInt64(node) << 8 | UInt64(byte)
                if let child = edges[key] {
                    node = child
                } else {
                    let child = Int32(ids.count)
                    ids.append(-1)
                    edges[key] = child
                    node = child
                }
            }
            ids[Int(node)] = piece.id
        }
        pieceIds = ids
        var bits = 4
        while (1 << bits) < edges.count * 2 { bits += 1 }
        slotBits = bits
        edgeKeys = [UInt64](repeating: 0, count: 1 << bits)
        edgeChildren = [Int32](repeating: -1, count: 1 << bits)
        for (key, child) in edges {
            var slot = Self.slot(of: key, bits: bits)
            while edgeKeys[slot] != 0 { slot = (slot + 1) & ((1 << bits) - 1) }
            edgeKeys[slot] = key + 1
            edgeChildren[slot] = child
        }
    }

    @inline(__always)
    private static func slot(of key: UInt64, bits: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    @inline(__always)
    private func child(of node: Int32, byte: UInt8) -> Int32 {
        let key = UInt64(node) << 8 | UInt64(byte)
        let mask = (1 << slotBits) - 1
        var slot = Self.slot(of: key, bits: slotBits)
        while true {
            let stored = edgeKeys[slot]
            if stored == key + 1 { return edgeChildren[slot] }
            if stored == 0 { return -1 }
            slot = (slot + 1) & mask
        }
    }

    /// The longest piece under `root` that `bytes[start...]` begins with, as
    /// (end offset, id), or nil when none does.
    @inline(__always)
    func longestMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32)
        -> (end: Int, id: Int32)?
    {
        var node = root
        var best: (end: Int, id: Int32)?
        var position = start
        while position < bytes.count {
            node = child(of: node, byte: bytes[position])
            if node < 0 { break }
            position += 1
            let id = pieceIds[Int(node)]
            if id >= 0 { best = (position, id) }
        }
        return best
    }
}
