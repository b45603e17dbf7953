/// Turns the HTML fragments found in scraped product text into plain text:
/// tags removed (an unterminated tag, as in Amazon's broken
/// `<span class="a-size-medium ...` titles, removes the rest), character
/// references decoded, white-space runs collapsed.
enum MarkupCleaning {
    private static let namedEntities: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "#39": "'",
        "ndash": "–", "mdash": "—", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "hellip": "…",
        "reg": "®", "trade": "™", "copy": "©", "eacute": "é",
    ]

    /// nil when nothing but markup and white space remains.
    static func plainText(_ text: String) -> String? {
        var output = ""
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "<" {
                guard let close = text[index...].firstIndex(of: ">") else { break }
                let tag = text[text.index(after: index)..<close].lowercased()
                // Block-level tags separate words; inline ones (<i>, <b>) do not.
                if tag.hasPrefix("br") || tag.hasPrefix("p") || tag.hasPrefix("/p") || tag.hasPrefix("li") || tag.hasPrefix("div") {
                    output.append(" ")
                }
                index = text.index(after: close)
                continue
            }
            if character == "&", let semicolon = text[index...].prefix(10).firstIndex(of: ";") {
                let name = text[text.index(after: index)..<semicolon]
                if let decoded = decodeEntity(name) {
                    output.append(decoded)
                    index = text.index(after: semicolon)
                    continue
                }
            }
            output.append(character)
            index = text.index(after: index)
        }
        let collapsed = output.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return collapsed.isEmpty ? nil : collapsed
    }

    private static func decodeEntity(_ name: Substring) -> String? {
        if let named = namedEntities[name] { return named }
        guard name.hasPrefix("#") else { return nil }
        let digits = name.dropFirst()
        let value: UInt32?
        if digits.hasPrefix("x") || digits.hasPrefix("X") {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits)
        }
        return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
    }
}
