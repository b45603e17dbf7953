import Foundation
import WeftRec

/// Human-readable rendering of an `Explanation` for the terminal.
enum ExplanationText {
    static func render(_ x: Explanation, indent: String = "  ") -> String {
        var lines = [indent + x.summary]
        for r in x.reviews {
            let row = r.reviewId.map { "review #\($0)" } ?? "review"
            lines.append(indent + String(format: "  - quote (%.2f): “%@” (%@ by %@ of %@, time %lld)", r.similarity, r.sentence,
                                         row, r.reviewer, r.reviewedProduct, r.timestamp))
        }
        for p in x.paths {
            let edges = p.edges.map { "\($0.source) -[\($0.relation)]-> \($0.destination)" }.joined(separator: ", ")
            lines.append(indent + String(format: "  - path (%.0f%% of the product's incoming messages): %@ [%@]", p.attention * 100, p.text, edges))
        }
        if let d = x.descriptionMatch {
            lines.append(indent + String(format: "  - description (%.2f): “%@”", d.similarity, d.sentence))
        }
        for n in x.textNeighbors.prefix(3) {
            let added = n.contribution.map { String(format: ", adds %.3f", $0) } ?? ""
            lines.append(indent + String(format: "  - reads like (%.2f): “%@”%@%@", n.similarity, n.title.isEmpty ? n.product : n.title,
                                         n.owned ? ", which you have" : "", added))
        }
        lines.append(indent + String(format: "  - fusion gate: text %.0f%% of the product, %.0f%% of the user",
                                     x.fusion.productTextShare * 100, x.fusion.userTextShare * 100))
        for n in x.notes { lines.append(indent + "  - note: " + n) }
        return lines.joined(separator: "\n")
    }
}
