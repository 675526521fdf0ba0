import ArgumentParser
import Foundation
import LedgerBenchmarks
import LedgerCore

/// `ledger bench`: synthetic histories, and the SPEC §6 figures beside their references.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Generate a synthetic history, or measure the ledger against bare LMDB on this machine.",
        discussion: """
            With --generate N, writes about N events of a realistic history (teams, experiments, runs \
            with params, metric series and tags, grants, renames, soft deletes, CASCADE deletes) into \
            a new ledger at --data-dir, through the normal write path (every command validated and \
            committed with its views), from many concurrent clients (group commit). Commits are \
            flushed once at the end unless --flush-each-commit.

            Without --generate, measures in process: durable single-command commit, group commit \
            under 64 writers, replay and verification, reads, listing pages, bytes per event and \
            decoding, each beside a bare reference measured in the same run. --data-dir names an \
            existing ledger to replay and measure (rebuilt in place: the same views again); without \
            it a synthetic ledger of --events events is generated in the scratch directory.

            Build in release mode (swift build -c release); a debug build's figures mean nothing.

            Examples:
              ledger bench --generate 1000000 --data-dir /tmp/bench-ledger
              ledger bench --data-dir /tmp/bench-ledger --only 3,4,6
              ledger bench --format json > bench.jsonl
            """
    )

    @Option(help: ArgumentHelp("Write a synthetic history of about N events into a new ledger at --data-dir, then stop.", valueName: "N"))
    var generate: Int?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "With --generate: where the new ledger goes (must not hold a ledger). Otherwise: an existing ledger to measure.",
        valueName: "DIR"))
    var dataDirectory: String?

    @Option(help: ArgumentHelp("Concurrent clients writing the synthetic history.", valueName: "N"))
    var clients: Int = 256

    @Flag(help: "With --generate: flush every commit, as a server does (slower). By default the new ledger is flushed once at the end.")
    var flushEachCommit = false

    @Option(help: ArgumentHelp("Events of the generated replay ledger when no --data-dir is given.", valueName: "N"))
    var events: Int = 1_000_000

    @Option(help: ArgumentHelp("Workspaces of the large listing ledger (the small one has 100).", valueName: "N"))
    var workspaces: Int = 1_000_000

    @Option(help: ArgumentHelp("Measure only these items (1-7, comma-separated): 1 single commit, 2 group commit, 3 replay, 4 reads, 5 listing, 6 bytes per event, 7 decoding.", valueName: "LIST"))
    var only: String?

    @Option(help: "Output format.")
    var format: BenchmarkOptions.Format = .table

    @Option(name: .customLong("scratch-dir"), help: ArgumentHelp("Where scratch ledgers go (a new directory, removed at the end).", valueName: "DIR"))
    var scratchDirectory: String?

    @Flag(help: "Keep the scratch directory (to inspect with mdb_stat).")
    var keep = false

    func validate() throws {
        if let generate {
            guard generate >= 1_000 else { throw ValidationError("--generate wants at least 1000 events, got \(generate)") }
            guard let dataDirectory, !dataDirectory.isEmpty else {
                throw ValidationError("--generate needs --data-dir DIR: the directory of the new ledger")
            }
            if FileManager.default.fileExists(atPath: URL(fileURLWithPath: dataDirectory).appendingPathComponent("data.mdb").path) {
                throw ValidationError("--data-dir '\(dataDirectory)' already holds a ledger; --generate writes a new one: choose an empty or new directory")
            }
        }
        guard (1...4_096).contains(clients) else { throw ValidationError("--clients wants 1 to 4096, got \(clients)") }
        guard events >= 10_000 else { throw ValidationError("--events wants at least 10000, got \(events)") }
        guard workspaces >= 300 else { throw ValidationError("--workspaces wants at least 300 (pages of 100 from the middle), got \(workspaces)") }
        _ = try items()
    }

    func items() throws -> Set<BenchmarkOptions.Item> {
        guard let only else { return Set(BenchmarkOptions.Item.allCases) }
        var items = Set<BenchmarkOptions.Item>()
        for part in only.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let number = Int(text), let item = BenchmarkOptions.Item(rawValue: number) else {
                throw ValidationError("--only wants item numbers 1 to 7 separated by commas, such as 1,2; '\(text)' is not one")
            }
            items.insert(item)
        }
        return items
    }

    func run() async throws {
        if let generate, let dataDirectory {
            try await BenchmarkRunner.generate(events: generate, clients: clients, into: dataDirectory, flushEachCommit: flushEachCommit)
            return
        }
        var options = BenchmarkOptions()
        options.items = try items()
        options.format = format
        options.ledgerDirectory = dataDirectory
        options.replayEvents = events
        options.listingWorkspaces = workspaces
        options.scratchDirectory = scratchDirectory
        options.keepScratch = keep
        options.commandLine = (["ledger"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let status = await BenchmarkRunner.run(options)
        if status != 0 { throw ExitCode(status) }
    }
}

extension BenchmarkOptions.Format: ExpressibleByArgument {}
