import ArgumentParser

/// `weft bench ...`: release-build benchmarks that report ratios to the
/// same-run sgemm rate.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (run them in a release build with nothing else running).",
        subcommands: [BenchCore.self, BenchEncoder.self, BenchChunking.self, BenchTokenizer.self, BenchStore.self, BenchTrain.self, BenchGraph.self]
    )
}
