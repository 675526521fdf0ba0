// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "workspace-ledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LedgerCore", targets: ["LedgerCore"]),
        .executable(name: "ledger", targets: ["ledger"]),
        .executable(name: "http-baseline", targets: ["HTTPBaseline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // LMDB as Debian ships it (liblmdb-dev), found through pkg-config.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // A thin, safe Swift face over LMDB: no C types in its public API.
        .target(
            name: "LedgerLMDB",
            dependencies: ["CLMDB"],
            swiftSettings: strictSettings
        ),
        // The ledger: events, log, projections, commands, queries, replay and verify.
        .target(
            name: "LedgerCore",
            dependencies: [
                "LedgerLMDB",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The MLflow REST API over the ledger (Hummingbird); knows nothing of LMDB.
        .target(
            name: "LedgerServer",
            dependencies: [
                "LedgerCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The `ledger` command: serve, replay, audit, workspace administration, backup, bench.
        .executableTarget(
            name: "ledger",
            dependencies: [
                "LedgerCore",
                "LedgerServer",
                "LedgerBenchmarks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // `ledger bench`: synthetic histories and the in-process benchmarks of the core, each
        // beside a bare LMDB reference measured in the same run.
        .target(
            name: "LedgerBenchmarks",
            dependencies: [
                "LedgerCore", "LedgerLMDB",
                // The bare SHA-256 reference uses the same library as the ledger's chain.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The framework's ceiling for tools/http-compare.sh: the same routes and JSON, no storage.
        .executableTarget(
            name: "HTTPBaseline",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerLMDBTests",
            dependencies: ["LedgerLMDB"],
            swiftSettings: strictSettings
        ),
        // Helpers shared by the test targets.
        .target(
            name: "LedgerTestSupport",
            dependencies: ["LedgerCore"],
            path: "Tests/LedgerTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "LedgerServer", "LedgerCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: ["ledger", "LedgerCore", "LedgerLMDB", "LedgerTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerCoreTests",
            dependencies: ["LedgerCore", "LedgerLMDB", "LedgerTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
