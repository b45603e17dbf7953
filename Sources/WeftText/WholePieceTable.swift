/// A hash table from a whole word's bytes to its word-initial vocabulary id.
///
/// Most English words are one WordPiece piece. When the whole word is in the
/// vocabulary, greedy longest-match-first picks it, so one hash probe replaces
/// a byte-by-byte trie walk (one likely cache miss instead of one per byte).
struct WholePieceTable: Sendable {
    private struct Slot: Sendable {
        /// The word's hash with the low bit set; 0 marks an empty slot.
        var hash: UInt64
        var id: Int32
        var offset: Int32
        var length: Int32
    }

    /// (slots) a power of two, at most half full.
    private var slots: [Slot]
    /// The words' bytes back to back.
    private var pool: [UInt8]

    init(pieces: [(bytes: [UInt8], id: Int32)]) {
        var latest: [[UInt8]: Int32] = [:]
        for piece in pieces where !piece.bytes.isEmpty { latest[piece.bytes] = piece.id }
        var bits = 4
        while (1 << bits) < latest.count * 2 { bits += 1 }
        slots = [Slot](repeating: Slot(hash: 0, id: -1, offset: 0, length: 0), count: 1 << bits)
        pool = []
        for (bytes, id) in latest.sorted(by: { $0.value < $1.value }) {
            let hash = bytes.withUnsafeBufferPointer { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: hash >> UInt64(64 - bits))
            while slots[slot].hash != 0 { slot = (slot + 1) & ((1 << bits) - 1) }
            slots[slot] = Slot(hash: hash, id: id, offset: Int32(pool.count), length: Int32(bytes.count))
            pool += bytes
        }
    }

    /// FNV-1a, with the low bit forced on so no hash is 0.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ (hash >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return hash | 1
    }

    /// The id of the word `bytes`, or nil when it is not one piece.
    @inline(__always)
    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !bytes.isEmpty else { return nil }
        let hash = Self.hash(bytes)
        return slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var slot = Int(truncatingIfNeeded: hash >> UInt64(64 - (mask.nonzeroBitCount)))
            while true {
                let entry = table[slot]
                if entry.hash == 0 { return nil }
                if entry.hash == hash && Int(entry.length) == bytes.count {
                    let same = pool.withUnsafeBufferPointer { pool in
                        memcmpEqual(pool.baseAddress! + Int(entry.offset), bytes.baseAddress!, bytes.count)
                    }
                    if same { return entry.id }
                }
                slot = (slot + 1) & mask
            }
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for index in 0 ..< count where a[index] != b[index] { return false }
    return true
}
