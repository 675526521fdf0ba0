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
        .executable(name: "ledger-bench", targets: ["LedgerBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
        // The `ledger` command: replay, audit, workspace administration, backup.
        .executableTarget(
            name: "ledger",
            dependencies: [
                "LedgerCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // In-process benchmarks of the core against bare LMDB, measured in the same run.
        .executableTarget(
            name: "LedgerBench",
            dependencies: [
                "LedgerCore", "LedgerLMDB",
                // The bare SHA-256 reference uses the same library as the ledger's chain.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerLMDBTests",
            dependencies: ["LedgerLMDB"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: ["ledger", "LedgerCore", "LedgerLMDB"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LedgerCoreTests",
            dependencies: ["LedgerCore", "LedgerLMDB"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
