// swift-tools-version:6.1
import Foundation
import PackageDescription

// MARK: - Public API

let package = Package(
    name: "Weft",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "weft", targets: ["weft"]),
        .library(name: "WeftCore", targets: ["WeftCore"]),
        .library(name: "WeftNN", targets: ["WeftNN"]),
        .library(name: "WeftText", targets: ["WeftText"]),
        .library(name: "WeftGraph", targets: ["WeftGraph"]),
        .library(name: "WeftStore", targets: ["WeftStore"]),
        .library(name: "WeftRec", targets: ["WeftRec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // MARK: - Implementation details: C libraries
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "CSentencePiece",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [
                .linkedLibrary("sentencepiece"),
                .linkedLibrary("sentencepiece_train"),
            ]
        ),

        // MARK: - Libraries (dependencies point down only)
        .target(
            name: "WeftCore",
            dependencies: ["CBLAS"],
            swiftSettings: optimized
        ),
        .target(name: "WeftNN", dependencies: ["WeftCore"], swiftSettings: optimized),
        .target(
            name: "WeftText",
            dependencies: ["WeftNN", "CSentencePiece"],
            swiftSettings: optimized
        ),
        .target(name: "WeftGraph", dependencies: ["WeftNN"], swiftSettings: optimized),
        .target(
            name: "WeftStore",
            dependencies: [
                "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "WeftRec",
            dependencies: [
                "WeftText", "WeftGraph", "WeftStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimized
        ),
        .target(
            name: "WeftService",
            dependencies: [
                "WeftText", "WeftStore", "WeftRec",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "weft",
            dependencies: [
                "WeftService", "WeftRec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Tests
        .testTarget(name: "WeftCoreTests", dependencies: ["WeftCore"]),
        .testTarget(name: "WeftNNTests", dependencies: ["WeftNN"]),
        .testTarget(name: "WeftTextTests", dependencies: ["WeftText"]),
        .testTarget(name: "WeftGraphTests", dependencies: ["WeftGraph"]),
        .testTarget(name: "WeftStoreTests", dependencies: ["WeftStore"]),
        .testTarget(name: "WeftRecTests", dependencies: ["WeftRec"]),
        .testTarget(
            name: "WeftServiceTests",
            dependencies: [
                "WeftService", "WeftText", "WeftStore", "WeftRec",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

/// Numeric targets drop Swift's overflow and bounds checks in release builds:
/// their kernels index raw buffers whose sizes are checked once at the API
/// boundary. They are compiled for AVX2 + FMA (`haswell`, which Zen 3 and every
/// x86-64 server since 2013 run); without it Swift's SIMD8 code falls back to
/// 128-bit SSE. Set WEFT_TARGET_CPU (e.g. `x86-64`) for older processors.
var optimized: [SwiftSetting] {
    var flags = ["-Ounchecked", "-wmo"]
    #if arch(x86_64)
    flags += ["-target-cpu", ProcessInfo.processInfo.environment["WEFT_TARGET_CPU"] ?? "haswell"]
    #endif
    return [.unsafeFlags(flags, .when(configuration: .release))]
}
