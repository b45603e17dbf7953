extension SentencePieceProcessor: Tokenizer {
    public var vocabularySize: Int { pieceCount }

    public func contentIds(_ text: String) throws -> [Int32] { try encodeAsIds(text) }

    public func piece(forId id: Int32) -> String? { idToPiece(id) }

    public func decode(_ ids: [Int32]) throws -> String {
        let skipped = specialTokenIds.nonTextIds
        return try decode(ids: ids.filter { !skipped.contains($0) })
    }

    /// BERT-style pieces when the model has them (Weft's models define
    /// `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]`), else the model's own
    /// `<pad>`, `<s>` and `</s>`.
    func findSpecialTokenIds() -> SpecialTokenIds {
        func existing(_ piece: String) -> Int32? {
            let id = pieceToId(piece)
            return id >= 0 && id != unknownId && !isUnknown(id) ? id : nil
        }
        return SpecialTokenIds(
            padding: existing("[PAD]") ?? padId,
            unknown: unknownId,
            classification: existing("[CLS]") ?? beginOfSentenceId,
            separator: existing("[SEP]") ?? endOfSentenceId,
            mask: existing("[MASK]"))
    }
}
