import ArgumentParser
import Foundation
import WeftCore

struct BenchCore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "sgemm vs WeftCore matmul, kernel bandwidth, and autodiff overhead of an MLP step.")

    @Option(help: "Threads for BLAS and Weft's kernels (default: all cores).")
    var threads: Int?

    func run() async throws {
        if let threads { Parallelism.setThreadCount(threads) }
        print("bench core: not yet implemented")
    }
}
