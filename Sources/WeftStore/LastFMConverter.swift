import Foundation

/// Converts Last.fm HetRec 2011 (`hetrec2011-lastfm-2k`): a folder with
/// `artists.dat`, `tags.dat`, `user_artists.dat`, `user_friends.dat` and
/// `user_taggedartists.dat`, tab-separated with a header line.
///
/// - Products: artists, titled with their name; the tags users gave an artist,
///   most used first, are its text (`description`, up to 10) and its
///   categories (up to 5). `tags.dat` is ISO-8859-1 and is decoded as such.
///   With `listenerTags` false (the default), a tag a user gave an artist
///   they also listened to (a pair of `user_artists.dat`) is left out: such
///   tags describe one interaction an evaluation may hold out (22% of the
///   92,834 listening pairs are also tagged by their listener, and for 1,770
///   the listener is the artist's only tagger), so the text would carry the
///   answer. Only tags from users without that pair remain.
/// - Interactions: one per (user, artist) with the play count as the `plays`
///   attribute. The release has no listening times, so timestamps are 0.
/// - User links: `friends` (the file already lists both directions).
public struct LastFMConverter {
    public var folder: String
    /// Keep the tags users gave the artists they listened to (the
    /// conversions before 2026-12-04 did).
    public var listenerTags: Bool
    public static let descriptionTagCount = 10
    public static let categoryTagCount = 5

    public init(folder: String, listenerTags: Bool = false) {
        self.folder = folder
        self.listenerTags = listenerTags
    }

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    public func convert(
        to output: String, policy: ErrorPolicy = .reject, reportIssue: @escaping (LineIssue) -> Void = { _ in }
    ) throws -> ConversionSummary {
        try DatasetConversion.run(input: folder, output: output, policy: policy, reportIssue: reportIssue) { conversion in
            var tagNames: [Int64: String] = [:]
            try conversion.forEachLine(of: path("tags.dat"), headerLines: 1, latin1Fallback: true) { _, line in
                let fields = DelimitedLine.tabFields(line)
                guard fields.count >= 2 else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected tagID and tagValue")
                }
                tagNames[try DelimitedLine.integer(fields[0], name: "tagID")] = String(fields[1])
            }
            // Users, and the (user, artist) listening pairs whose own tags are left out unless `listenerTags`.
            var users: Set<Int64> = []
            var listened: Set<[Int64]> = []
            try LineReader(path: path("user_artists.dat")).forEachLine { number, bytes in
                guard number > 1 else { return }
                let fields = DelimitedLine.whitespaceFields(String(decoding: bytes, as: UTF8.self))
                guard let user = fields.first.flatMap({ Int64($0) }) else { return }
                users.insert(user)
                if !listenerTags, fields.count >= 2, let artist = Int64(fields[1]) { listened.insert([user, artist]) }
            }
            var tagCounts: [Int64: [Int64: Int]] = [:]
            var listenerTagCount = 0
            try conversion.forEachLine(of: path("user_taggedartists.dat"), headerLines: 1) { _, line in
                let fields = DelimitedLine.tabFields(line)
                guard fields.count >= 3 else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected userID, artistID and tagID")
                }
                let user = try DelimitedLine.integer(fields[0], name: "userID")
                let artist = try DelimitedLine.integer(fields[1], name: "artistID")
                let tag = try DelimitedLine.integer(fields[2], name: "tagID")
                guard tagNames[tag] != nil else {
                    throw FieldIssueError(field: "tagID", kind: .invalidValue, reason: "\(tag) is not in tags.dat")
                }
                if listened.contains([user, artist]) {
                    listenerTagCount += 1
                    return
                }
                tagCounts[artist, default: [:]][tag, default: 0] += 1
            }
            if !listenerTags {
                conversion.note("left out \(listenerTagCount) tag assignments by users who listened to the artist they tagged (--listener-tags keep keeps them)")
            }

            var artists: Set<Int64> = []
            try conversion.forEachLine(of: path("artists.dat"), headerLines: 1) { _, line in
                let fields = DelimitedLine.tabFields(line)
                guard fields.count >= 2 else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected id and name")
                }
                let id = try DelimitedLine.integer(fields[0], name: "id")
                var product = ProductRecord(id: String(id))
                product.title = String(fields[1]).trimmingCharacters(in: .whitespaces)
                let tags = (tagCounts[id] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { tagNames[$0.key]! }
                if !tags.isEmpty {
                    product.description = tags.prefix(Self.descriptionTagCount).joined(separator: ", ")
                    product.categories = Array(tags.prefix(Self.categoryTagCount))
                }
                if fields.count >= 3, !fields[2].isEmpty { product.attributes["url"] = .string(String(fields[2])) }
                try conversion.writer.write(product)
                artists.insert(id)
            }
            let untaggedArtists = Set(tagCounts.keys).subtracting(artists)
            if !untaggedArtists.isEmpty {
                let rows = untaggedArtists.reduce(0) { $0 + tagCounts[$1]!.values.reduce(0, +) }
                conversion.note("dropped \(rows) tag assignments naming \(untaggedArtists.count) artists missing from artists.dat")
            }

            try LineReader(path: path("user_friends.dat")).forEachLine { number, bytes in
                guard number > 1 else { return }
                let fields = DelimitedLine.whitespaceFields(String(decoding: bytes, as: UTF8.self))
                if let user = fields.first.flatMap({ Int64($0) }) { users.insert(user) }
                if fields.count >= 2, let friend = Int64(fields[1]) { users.insert(friend) }
            }
            for user in users.sorted() { try conversion.writer.write(UserRecord(id: String(user))) }

            try conversion.forEachLine(of: path("user_artists.dat"), headerLines: 1) { _, line in
                let fields = DelimitedLine.tabFields(line)
                guard fields.count >= 3 else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected userID, artistID and weight")
                }
                let user = try DelimitedLine.integer(fields[0], name: "userID")
                let artist = try DelimitedLine.integer(fields[1], name: "artistID")
                let plays = try DelimitedLine.integer(fields[2], name: "weight")
                guard artists.contains(artist) else {
                    throw FieldIssueError(field: "artistID", kind: .unknownProduct, reason: "\(artist) is not in artists.dat")
                }
                var interaction = InteractionRecord(user: String(user), product: String(artist), timestamp: 0)
                interaction.attributes["plays"] = .integer(plays)
                try conversion.writer.write(interaction)
            }
            try conversion.forEachLine(of: path("user_friends.dat"), headerLines: 1) { _, line in
                let fields = DelimitedLine.tabFields(line)
                guard fields.count >= 2 else {
                    throw FieldIssueError(field: "line", kind: .missingField, reason: "expected userID and friendID")
                }
                let user = try DelimitedLine.integer(fields[0], name: "userID")
                let friend = try DelimitedLine.integer(fields[1], name: "friendID")
                try conversion.writer.write(userLink: LinkRecord(source: String(user), target: String(friend), relation: "friends"))
            }
            conversion.note("the release has no listening times; every timestamp is 0 (unknown)")
        }
    }
}
