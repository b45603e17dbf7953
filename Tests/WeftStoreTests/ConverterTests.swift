import Foundation
import GRDB
import Testing
@testable import WeftStore

private func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

private func readJSONLines(_ path: String) throws -> [JSONObject] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map { line in
        guard case .object(let object) = try JSONLineParser.parse(String(line)) else { throw JSONSyntaxError(offset: 0, reason: "not an object") }
        return object
    }
}

/// Imports a converted folder and fails the test on any bad line.
private func importCleanly(_ folder: String) throws -> Store {
    let store = try Store.inMemory()
    var issues: [LineIssue] = []
    try DatasetImporter(store: store).importDataset(from: folder) { issues.append($0) }
    #expect(issues.isEmpty, "\(issues)")
    return store
}

@Suite struct ConverterTests {
    // MARK: Amazon 2018

    private static let amazonMetadata = """
        {"asin": "G1", "title": "Maggiano&#39;s <b>Gift</b> Card", "description": ["Good at <i>any</i> location.", "  "], "brand": "Maggiano's", "category": ["Gift Cards", "Gift Cards", "Restaurants"], "price": "$1,250.00", "also_buy": ["G2", "OUTSIDE"], "also_view": ["G1"], "feature": [], "main_cat": "Grocery", "date": ""}
        {"asin": "G2", "title": "<span class=\\"a-size-medium a-color-secondary\\"", "description": [], "brand": "", "category": [], "price": "", "also_buy": [], "also_view": ["G1"]}
        {"asin": "G1", "title": "a repeated record", "description": []}
        """

    private static let amazonReviews = """
        {"overall": 5.0, "verified": true, "reviewerID": "R1", "asin": "G1", "reviewerName": "Jane", "reviewText": "Great &amp; easy.", "summary": "Great", "unixReviewTime": 1393372800, "vote": "1,204"}
        {"overall": 3.0, "verified": false, "reviewerID": "R2", "asin": "G3", "unixReviewTime": 1393372900}
        {"overall": 4.0, "asin": "G2", "unixReviewTime": 1393373000}
        {"overall": 4.0, "reviewerID": "R1", "asin": "G2", "unixReviewTime": 1393373000
        """

    @Test func amazon2018KeepsTextRatingsAndCatalogLinks() throws {
        let folder = try TemporaryDirectory()
        try write(Self.amazonMetadata, to: folder.path("meta.json"))
        try write(Self.amazonReviews, to: folder.path("reviews.json"))
        var issues: [LineIssue] = []
        let summary = try Amazon2018Converter(reviewsPath: folder.path("reviews.json"), metadataPath: folder.path("meta.json"))
            .convert(to: folder.path("out"), policy: .skip) { issues.append($0) }
        #expect(issues.map(\.description) == [
            "\(folder.path("reviews.json")):3: reviewerID: required field is missing",
            "\(folder.path("reviews.json")):4: line: invalid JSON at byte 80: unterminated object, expected ',' or '}'",
        ])
        #expect(summary.rowCounts["products.jsonl"] == 3 && summary.rowCounts["interactions.jsonl"] == 2)
        #expect(summary.notes.contains { $0.contains("1 repeats dropped") })

        let products = try readJSONLines(folder.path("out/products.jsonl"))
        #expect(products.map { $0["id"]?.stringValue } == ["G1", "G2", "G3"])
        #expect(products[0]["title"] == .string("Maggiano's Gift Card"))
        #expect(products[0]["description"] == .string("Good at any location."))
        #expect(products[0]["categories"] == .array([.string("Gift Cards"), .string("Restaurants")]))
        #expect(products[0]["price"] == .number(1250))
        #expect(products[0]["main_cat"] == .string("Grocery") && products[0]["date"] == nil)
        #expect(products[1]["title"] == nil && products[1]["brand"] == nil)
        let links = try readJSONLines(folder.path("out/product_links.jsonl")).map {
            "\($0["source"]!.stringValue!)>\($0["target"]!.stringValue!):\($0["relation"]!.stringValue!)"
        }
        #expect(links == ["G1>G2:also_bought", "G2>G1:also_viewed"])
        let interactions = try readJSONLines(folder.path("out/interactions.jsonl"))
        #expect(interactions[0]["review"] == .string("Great & easy.") && interactions[0]["vote"] == .integer(1204))
        #expect(interactions[0]["reviewerName"] == nil && interactions[0]["verified"] == .bool(true))

        let store = try importCleanly(folder.path("out"))
        #expect(try store.counts().productLinks == 2)
    }

    @Test func rejectWritesNothingAndKeepsThePreviousOutput() throws {
        let folder = try TemporaryDirectory()
        try write(Self.amazonMetadata, to: folder.path("meta.json"))
        try write(Self.amazonReviews, to: folder.path("reviews.json"))
        try DatasetFixture.write(DatasetFixture.catalog, to: folder.path("out"))
        let before = try String(contentsOfFile: folder.path("out/products.jsonl"), encoding: .utf8)
        #expect(throws: ConversionError.self) {
            _ = try Amazon2018Converter(reviewsPath: folder.path("reviews.json"), metadataPath: folder.path("meta.json"))
                .convert(to: folder.path("out"), policy: .reject)
        }
        #expect(try String(contentsOfFile: folder.path("out/products.jsonl"), encoding: .utf8) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path("out")).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }

    @Test func amazonPricesAndMarkup() {
        #expect(Amazon2018Converter.parsePrice("$1,250.00") == 1250)
        #expect(Amazon2018Converter.parsePrice("$10.00 - $20.00") == nil)
        #expect(Amazon2018Converter.parsePrice(".") == nil)
        #expect(MarkupCleaning.plainText("Tips &amp; tricks<br>for <I>savvy</I>&#x20;owners &hearts;") == "Tips & tricks for savvy owners &hearts;")
        #expect(MarkupCleaning.plainText("<span class=\"broken\"") == nil)
        #expect(MarkupCleaning.plainText("  \n ") == nil)
    }

    // MARK: S3-Rec

    @Test func s3recKeepsTheOrderAsIncreasingTimestampsAndMapsASINs() throws {
        let folder = try TemporaryDirectory()
        try write("1 3 1 2\n2 2 3\n3 9\n", to: folder.path("history.txt"))
        try write(#"{"1": [5, 7], "2": [5], "3": [8]}"#, to: folder.path("attributes.json"))
        try write(#"{"id2user": {"1": "A1", "2": "A2", "3": "A3"}, "id2item": {"1": "B001", "2": "B002", "3": "B003"}}"#,
                  to: folder.path("maps.json"))
        var issues: [LineIssue] = []
        let summary = try S3RecConverter(
            historyPath: folder.path("history.txt"), attributesPath: folder.path("attributes.json"),
            asinMapPath: folder.path("maps.json")
        ).convert(to: folder.path("out"), policy: .skip) { issues.append($0) }
        #expect(issues.map(\.description) == ["\(folder.path("history.txt")):3: item 1: 9 is not in the id2item map"])
        #expect(summary.rowCounts["users.jsonl"] == 2)
        let interactions = try readJSONLines(folder.path("out/interactions.jsonl")).map {
            "\($0["user"]!.stringValue!) \($0["product"]!.stringValue!) \($0["timestamp"]!)"
        }
        #expect(interactions == ["A1 B003 integer(1)", "A1 B001 integer(2)", "A1 B002 integer(3)", "A2 B002 integer(1)", "A2 B003 integer(2)"])
        let products = try readJSONLines(folder.path("out/products.jsonl"))
        #expect(products[0]["categories"] == .array([.string("s3rec attribute 5"), .string("s3rec attribute 7")]))
        _ = try importCleanly(folder.path("out"))
    }

    @Test func s3recWithoutAMapKeepsIntegerIds() throws {
        let folder = try TemporaryDirectory()
        try write("1 3 1\n", to: folder.path("history.txt"))
        try write(#"{"1": [5], "3": [8]}"#, to: folder.path("attributes.json"))
        _ = try S3RecConverter(historyPath: folder.path("history.txt"), attributesPath: folder.path("attributes.json"), asinMapPath: nil)
            .convert(to: folder.path("out"))
        let store = try importCleanly(folder.path("out"))
        #expect(try store.read { try String.fetchAll($0, sql: "SELECT product FROM interactions ORDER BY timestamp") } == ["3", "1"])
    }

    // MARK: Ciao / Epinions

    @Test func ciaoKeepsTimesHelpfulnessTrustAndCategoryNames() throws {
        let folder = try TemporaryDirectory()
        try write("user_id\tproduct_id\tcategory_id\trating\thelpfulness\tunix_time\n1\t10\t28\t5\t4\t959670000\n2\t10\t28\t0\t3\t959756400\n2\t11\t10\t4\tx\t959756400\n",
                  to: folder.path("ratings.tsv"))
        try write("truster_id\ttrustee_id\n1\t2\n3\t1\n", to: folder.path("trust.tsv"))
        var catalog = Data("10 Ciao Caf".utf8)
        catalog.append(0xE9)  // Latin-1 é
        catalog.append(contentsOf: Array("\r\n28 Finance\r\n".utf8))
        try catalog.write(to: URL(fileURLWithPath: folder.path("catalog.txt")))
        var issues: [LineIssue] = []
        let summary = try TrustRatingsConverter(
            ratingsPath: folder.path("ratings.tsv"), trustPath: folder.path("trust.tsv"), categoriesPath: folder.path("catalog.txt")
        ).convert(to: folder.path("out"), policy: .skip) { issues.append($0) }
        #expect(issues.map(\.description) == ["\(folder.path("ratings.tsv")):4: helpfulness: expected an integer, found \"x\""])
        #expect(summary.rowCounts["users.jsonl"] == 3 && summary.rowCounts["user_links.jsonl"] == 2)
        let products = try readJSONLines(folder.path("out/products.jsonl"))
        #expect(products.map { $0["categories"]! } == [.array([.string("Finance")]), .array([.string("Ciao Café")])])
        let interactions = try readJSONLines(folder.path("out/interactions.jsonl"))
        #expect(interactions[0]["rating"] == .integer(5) && interactions[0]["helpfulness"] == .integer(4))
        #expect(interactions[0]["timestamp"] == .integer(959_670_000))
        #expect(interactions[1]["rating"] == nil, "a rating of 0 means no rating")
        let store = try importCleanly(folder.path("out"))
        #expect(try store.counts().userLinks == 2)
    }

    @Test func epinionsWithoutTimesGetsTimestampZero() throws {
        let folder = try TemporaryDirectory()
        try write("user_id\tproduct_id\tcategory_id\trating\n1\t1\t3\t2\n1\t2\t2\t5\n", to: folder.path("ratings.tsv"))
        let summary = try TrustRatingsConverter(ratingsPath: folder.path("ratings.tsv"), trustPath: nil, categoriesPath: nil)
            .convert(to: folder.path("out"))
        #expect(summary.notes.contains { $0.contains("timestamp is 0") })
        let interactions = try readJSONLines(folder.path("out/interactions.jsonl"))
        #expect(interactions.allSatisfy { $0["timestamp"] == .integer(0) })
        #expect(try readJSONLines(folder.path("out/products.jsonl"))[0]["categories"] == .array([.string("category 3")]))
        _ = try importCleanly(folder.path("out"))
    }

    // MARK: Last.fm

    @Test func lastfmUsesNamesAndTagsAsTextAndDecodesLatin1Tags() throws {
        let folder = try TemporaryDirectory()
        let input = folder.path("hetrec")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try write("id\tname\turl\tpictureURL\n51\tDuran Duran\thttp://www.last.fm/music/Duran+Duran\t\n52\tMorcheeba\thttp://www.last.fm/music/Morcheeba\t\n",
                  to: input + "/artists.dat")
        var tags = Data("tagID\ttagValue\n1\tnew wave\n2\tmot".utf8)
        tags.append(0xF6)  // Latin-1 ö
        tags.append(contentsOf: Array("rhead\n3\ttrip-hop\n".utf8))
        try tags.write(to: URL(fileURLWithPath: input + "/tags.dat"))
        try write("userID\tartistID\ttagID\tday\tmonth\tyear\n2\t51\t1\t1\t4\t2009\n3\t51\t1\t1\t4\t2009\n2\t51\t2\t1\t4\t2009\n2\t52\t3\t1\t4\t2009\n2\t99\t3\t1\t4\t2009\n",
                  to: input + "/user_taggedartists.dat")
        try write("userID\tartistID\tweight\n2\t51\t13883\n3\t52\t11690\n3\t77\t5\n", to: input + "/user_artists.dat")
        try write("userID\tfriendID\n2\t3\n3\t2\n", to: input + "/user_friends.dat")
        var issues: [LineIssue] = []
        let summary = try LastFMConverter(folder: input, listenerTags: true)
            .convert(to: folder.path("out"), policy: .skip) { issues.append($0) }
        #expect(issues.map(\.description) == ["\(input)/user_artists.dat:4: artistID: 77 is not in artists.dat"])
        #expect(summary.notes.contains { $0.contains("dropped 1 tag assignments naming 1 artists") })
        // By default, user 2's tags on artist 51, which user 2 listened to, are left out;
        // user 3's tag on 51 and user 2's on 52 (neither listened to) stay.
        let clean = try LastFMConverter(folder: input).convert(to: folder.path("clean"), policy: .skip) { _ in }
        #expect(clean.notes.contains { $0.contains("left out 2 tag assignments by users who listened") })
        let cleanProducts = try readJSONLines(folder.path("clean/products.jsonl"))
        #expect(cleanProducts[0]["description"] == .string("new wave") && cleanProducts[1]["description"] == .string("trip-hop"))
        let products = try readJSONLines(folder.path("out/products.jsonl"))
        #expect(products[0]["title"] == .string("Duran Duran"))
        #expect(products[0]["description"] == .string("new wave, motörhead"))
        #expect(products[0]["categories"] == .array([.string("new wave"), .string("motörhead")]))
        #expect(products[0]["url"] == .string("http://www.last.fm/music/Duran+Duran"))
        let interactions = try readJSONLines(folder.path("out/interactions.jsonl"))
        #expect(interactions[0]["plays"] == .integer(13883) && interactions[0]["timestamp"] == .integer(0))
        let store = try importCleanly(folder.path("out"))
        #expect(try store.counts().userLinks == 2)
    }

    // MARK: Sampling

    @Test func samplerKeepsADenseConsistentSubset() throws {
        let folder = try TemporaryDirectory()
        var files = DatasetFixture.catalog
        files["interactions.jsonl"]! += [
            #"{"user": "U1", "product": "B2", "timestamp": 1}"#,
            #"{"user": "U3", "product": "B3", "timestamp": 1}"#,
        ]
        try DatasetFixture.write(files, to: folder.path("full"))
        // B2 and B3 are the two most-interacted products; only U2 touched both.
        let narrow = try DatasetSampler(productCount: 2, minimumUserInteractions: 2).sample(from: folder.path("full"), to: folder.path("narrow"))
        #expect(narrow.rowCounts["products.jsonl"] == 2 && narrow.rowCounts["interactions.jsonl"] == 2)
        #expect(try importCleanly(folder.path("narrow")).read { try String.fetchAll($0, sql: "SELECT id FROM users") } == ["U2"])

        // All three products: U1 and U2 qualify, U3 does not; links between kept rows stay.
        let summary = try DatasetSampler(productCount: 3, minimumUserInteractions: 2).sample(from: folder.path("full"), to: folder.path("sample"))
        #expect(summary.rowCounts["products.jsonl"] == 3 && summary.rowCounts["interactions.jsonl"] == 4)
        let store = try importCleanly(folder.path("sample"))
        #expect(try store.read { try String.fetchAll($0, sql: "SELECT id FROM users ORDER BY id") } == ["U1", "U2"])
        #expect(try store.counts().productLinks == 1 && store.counts().userLinks == 1)
        let again = try DatasetSampler(productCount: 3, minimumUserInteractions: 2).sample(from: folder.path("full"), to: folder.path("again"))
        #expect(again.rowCounts == summary.rowCounts)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("again/interactions.jsonl")))
            == Data(contentsOf: URL(fileURLWithPath: folder.path("sample/interactions.jsonl"))))
    }
}
