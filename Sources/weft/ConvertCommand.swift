import ArgumentParser
import Foundation
import WeftStore

/// `weft convert FORMAT ...`: raw public datasets → the Weft dataset format.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a raw public dataset into the Weft dataset format (a folder of JSON-lines files).",
        subcommands: [
            ConvertAmazon2018Command.self, ConvertS3RecCommand.self, ConvertCiaoCommand.self, ConvertEpinionsCommand.self,
            ConvertLastFMCommand.self,
        ]
    )
}

/// Options every converter shares.
struct ConversionOptions: ParsableArguments {
    @Option(help: "Output folder; its dataset files are replaced only when the conversion succeeds.")
    var output: String

    @Option(name: .customLong("on-error"), help: "reject: write nothing if a source line is bad; skip: convert the good lines. (default: reject)")
    var onError: ErrorPolicy = .reject

    /// Runs a converter, printing bad lines to standard error and a summary to standard output.
    func run(_ convert: (String, ErrorPolicy, @escaping (LineIssue) -> Void) throws -> ConversionSummary) throws {
        var standardError = StandardError()
        let summary = try convert(output, onError) { issue in print(issue, to: &standardError) }
        for name in summary.rowCounts.keys.sorted() {
            print("\(output)/\(name): \(summary.rowCounts[name]!) rows")
        }
        for note in summary.notes { print("note: \(note)") }
        if summary.badLines > 0 {
            let reasons = summary.badLinesByKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
            print("skipped \(summary.badLines) bad lines: \(reasons.joined(separator: ", "))")
        }
    }
}

struct ConvertAmazon2018Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amazon2018",
        abstract: "Amazon Review Data (2018): a reviews file and, optionally, its category's metadata file (plain or .gz).")

    @Option(help: "Reviews, one JSON object per line (for example Gift_Cards_5.json.gz).")
    var input: String

    @Option(help: "Product metadata, one JSON object per line (for example meta_Gift_Cards.json.gz).")
    var metadata: String?

    @OptionGroup var options: ConversionOptions

    func run() throws {
        try options.run { output, policy, report in
            try Amazon2018Converter(reviewsPath: input, metadataPath: metadata)
                .convert(to: output, policy: policy, reportIssue: report)
        }
    }
}

struct ConvertS3RecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3rec",
        abstract: "S3-Rec sequences (Amazon 2014 Beauty/Sports): history, item attributes and optionally P5's ASIN map.")

    @Option(help: "User histories, one `user item item ...` line per user, oldest first (for example Beauty.txt).")
    var input: String

    @Option(help: "Item attribute ids, a JSON object (for example Beauty_item2attributes.json).")
    var attributes: String

    @Option(name: .customLong("asin-map"), help: "P5 datamaps.json with id2user and id2item, to write real reviewer ids and ASINs. (default: integer ids)")
    var asinMap: String?

    @OptionGroup var options: ConversionOptions

    func run() throws {
        try options.run { output, policy, report in
            try S3RecConverter(historyPath: input, attributesPath: attributes, asinMapPath: asinMap)
                .convert(to: output, policy: policy, reportIssue: report)
        }
    }
}

/// Ciao and Epinions share one format; two names keep the command line self-explanatory.
struct TrustRatingsOptions: ParsableArguments {
    @Option(help: "Ratings table: user_id product_id category_id rating [helpfulness] [unix_time], plain or .gz.")
    var input: String

    @Option(help: "Trust table: truster_id trustee_id, plain or .gz.")
    var trust: String?

    @Option(help: "Category catalog, `ID NAME` per line (catalog_ciao.txt or catalog_epinion.txt).")
    var categories: String?

    @OptionGroup var options: ConversionOptions

    func run() throws {
        try options.run { output, policy, report in
            try TrustRatingsConverter(ratingsPath: input, trustPath: trust, categoriesPath: categories)
                .convert(to: output, policy: policy, reportIssue: report)
        }
    }
}

struct ConvertCiaoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ciao", abstract: "Ciao (Tang et al.): ratings with categories, helpfulness and times, plus trust ties.")

    @OptionGroup var arguments: TrustRatingsOptions

    func run() throws { try arguments.run() }
}

struct ConvertEpinionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epinions", abstract: "Epinions (Tang et al.): ratings with categories (no times), plus trust ties.")

    @OptionGroup var arguments: TrustRatingsOptions

    func run() throws { try arguments.run() }
}

struct ConvertLastFMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lastfm", abstract: "Last.fm HetRec 2011: artist plays, friendships, and tags as artist text.")

    @Option(help: "Folder holding artists.dat, tags.dat, user_artists.dat, user_friends.dat and user_taggedartists.dat.")
    var input: String

    @Option(help: "Tags users gave artists they listened to: drop (they describe interactions an evaluation holds out) or keep (conversions before 2026-12-04).")
    var listenerTags: String = "drop"

    @OptionGroup var options: ConversionOptions

    func run() throws {
        guard ["drop", "keep"].contains(listenerTags) else { throw ValidationError("--listener-tags must be drop or keep") }
        try options.run { output, policy, report in
            try LastFMConverter(folder: input, listenerTags: listenerTags == "keep")
                .convert(to: output, policy: policy, reportIssue: report)
        }
    }
}
