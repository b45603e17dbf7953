import Foundation
import WeftNN

/// Retrieval on held-out products, by cosine similarity of text embeddings:
///
/// - review → product: each review ranks the product texts of its dataset;
///   a hit when its own product is in the top k.
/// - review → review: each review of a product with at least two reviews
///   ranks the other reviews of its dataset; a hit when a review of the
///   same product is in the top k.
///
/// Recall@k is the share of queries that hit.
public struct RetrievalReport: Sendable, Codable, Equatable {
    public var k: Int
    public var reviewToProductRecall: Double
    public var reviewToProductQueries: Int
    public var reviewToReviewRecall: Double
    public var reviewToReviewQueries: Int
    public var products: Int
    /// The same figures for each dataset folder alone (absent inside a breakdown).
    public var datasets: [String: RetrievalReport]?

    enum CodingKeys: String, CodingKey {
        case k
        case reviewToProductRecall = "review_to_product_recall"
        case reviewToProductQueries = "review_to_product_queries"
        case reviewToReviewRecall = "review_to_review_recall"
        case reviewToReviewQueries = "review_to_review_queries"
        case products, datasets
    }
}

public enum RetrievalEvaluator {
    public static func evaluate(_ embedder: TextEmbedder, dataset: ProductTextDataset, products: Set<String>,
                                k: Int = 10) throws -> RetrievalReport {
        // Products are grouped by dataset folder (the id prefix): a gift-card review never ranks magazines.
        let groups = Dictionary(grouping: dataset.products.filter { products.contains($0.id) }) {
            String($0.id.prefix { $0 != "/" })
        }
        var total = Tally(), breakdown: [String: RetrievalReport] = [:]
        for group in groups.keys.sorted() {
            let tally = try evaluateGroup(embedder, members: groups[group]!, k: k)
            breakdown[group] = tally.report(k: k)
            total.add(tally)
        }
        var report = total.report(k: k)
        report.datasets = breakdown
        return report
    }

    private struct Tally {
        var products = 0, productQueries = 0, productHits = 0, reviewQueries = 0, reviewHits = 0

        mutating func add(_ other: Tally) {
            products += other.products
            productQueries += other.productQueries
            productHits += other.productHits
            reviewQueries += other.reviewQueries
            reviewHits += other.reviewHits
        }

        func report(k: Int) -> RetrievalReport {
            RetrievalReport(k: k,
                            reviewToProductRecall: productQueries > 0 ? Double(productHits) / Double(productQueries) : 0,
                            reviewToProductQueries: productQueries,
                            reviewToReviewRecall: reviewQueries > 0 ? Double(reviewHits) / Double(reviewQueries) : 0,
                            reviewToReviewQueries: reviewQueries, products: products, datasets: nil)
        }
    }

    private static func evaluateGroup(_ embedder: TextEmbedder, members: [ProductTextDataset.Product],
                                      k: Int) throws -> Tally {
        var tally = Tally()
        tally.products = members.count
        let withText = members.indices.filter { members[$0].text != nil }
        var reviews: [(text: String, owner: Int)] = []
        for (i, p) in members.enumerated() { for r in p.reviews { reviews.append((r, i)) } }
        guard !reviews.isEmpty else { return tally }
        let reviewVectors = try embedder.embed(reviews.map(\.text), normalize: true).vectors         // (R, C)
        if !withText.isEmpty {
            let productVectors = try embedder.embed(withText.map { members[$0].text! }, normalize: true).vectors  // (P, C)
            let scores = reviewVectors.matmul(productVectors, transposeOther: true)                  // (R, P)
            let hasText = Set(withText)
            for (r, review) in reviews.enumerated() where hasText.contains(review.owner) {
                tally.productQueries += 1
                let top = topIndices(scores.data + r * withText.count, count: withText.count, k: k)
                if top.contains(where: { withText[$0] == review.owner }) { tally.productHits += 1 }
            }
        }
        let scores = reviewVectors.matmul(reviewVectors, transposeOther: true)                      // (R, R)
        let reviewCounts = Dictionary(grouping: reviews.indices) { reviews[$0].owner }.mapValues(\.count)
        for (r, review) in reviews.enumerated() where reviewCounts[review.owner, default: 0] >= 2 {
            tally.reviewQueries += 1
            let row = scores.data + r * reviews.count
            row[r] = -.infinity
            let top = topIndices(row, count: reviews.count, k: k)
            if top.contains(where: { reviews[$0].owner == review.owner }) { tally.reviewHits += 1 }
        }
        return tally
    }

    /// Indices of the k largest values (ties by lower index).
    static func topIndices(_ values: UnsafePointer<Float>, count: Int, k: Int) -> [Int] {
        var top: [(value: Float, index: Int)] = []
        for i in 0..<count {
            let v = values[i]
            if top.count < k {
                top.append((v, i))
                top.sort { $0.value > $1.value || ($0.value == $1.value && $0.index < $1.index) }
            } else if v > top[k - 1].value {
                top[k - 1] = (v, i)
                top.sort { $0.value > $1.value || ($0.value == $1.value && $0.index < $1.index) }
            }
        }
        return top.map(\.index)
    }
}
