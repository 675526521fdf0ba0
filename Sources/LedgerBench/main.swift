// ledger-bench: the SPEC §6 measurements of the ledger core, each beside a bare LMDB (or
// Foundation JSON) reference measured in the same run on the same machine.
//
//   swift run -c release ledger-bench [--events N] [--format table|json] [--dir DIR] [--workspaces N]
//                                     [--only LIST] [--keep]

import Foundation
import LedgerLMDB

struct Options: Sendable {
    /// Events of the replay ledger; `nil`: 1,000,000, or 200,000 when generating 1M would take
    /// more than about two minutes here.
    var events: Int?
    var format: Report.Format = .table
    /// Where the scratch data goes; `nil`: the system temporary directory.
    var directory: String?
    /// Workspaces of the large listing ledger.
    var workspaces = 100_000
    /// The SPEC items to measure (1...7); 3, 4, 6 and the log-mix half of 7 share one ledger.
    var only: Set<Int> = Set(1...7)
    /// Keep the scratch directory (for inspection with mdb_stat).
    var keep = false

    static let usage = """
        usage: ledger-bench [--events N] [--format table|json] [--dir DIR] [--workspaces N] [--only LIST]

          --events N       events in the replay ledger (default 1,000,000; 200,000 if generating
                           1M would take more than about 2 minutes on this machine)
          --format F       table (default) or json (one JSON object per line)
          --dir DIR        put the scratch ledgers in a new directory under DIR (default: the
                           system temporary directory); it is removed at the end
          --workspaces N   workspaces in the large listing ledger (default 100,000)
          --only LIST      measure only these items, e.g. 1,2 (items 3, 4 and 6 share the
                           replay ledger and run together)
          --keep           keep the scratch directory (to inspect it with mdb_stat)

        Build in release mode: swift run -c release ledger-bench
        """

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments[...]
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("ledger-bench: \(message)\n\n\(usage)\n".utf8))
            exit(2)
        }
        func value(_ flag: String) -> String {
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            return value
        }
        func count(_ flag: String, minimum: Int) -> Int {
            let text = value(flag)
            guard let n = Int(text.filter { $0 != "_" && $0 != "," }), n >= minimum else {
                fail("\(flag) wants a whole number ≥ \(minimum), got '\(text)'")
            }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--events": options.events = count(argument, minimum: 1_000)
            case "--workspaces": options.workspaces = count(argument, minimum: 300)
            case "--format":
                let text = value(argument)
                guard let format = Report.Format(rawValue: text) else { fail("--format is table or json, not '\(text)'") }
                options.format = format
            case "--dir": options.directory = value(argument)
            case "--keep": options.keep = true
            case "--only":
                let text = value(argument)
                let items = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !items.isEmpty, items.allSatisfy({ $0.map { (1...7).contains($0) } ?? false }) else {
                    fail("--only wants item numbers 1 to 7 separated by commas, got '\(text)'")
                }
                options.only = Set(items.map { $0! })
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument '\(argument)'")
            }
        }
        return options
    }
}

/// The device of `path`, or nil.
func device(of path: String) -> UInt64? {
    var info = stat()
    return stat(path, &info) == 0 ? UInt64(info.st_dev) : nil
}

/// The 1, 5 and 15 minute load averages (Linux).
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

func runAll(_ options: Options) async -> Int32 {
    let report = Report(format: options.format)
    #if DEBUG
    report.note("THIS IS A DEBUG BUILD: figures are meaningless; run with -c release")
    #endif
    let base = options.directory ?? FileManager.default.temporaryDirectory.path
    let root = URL(fileURLWithPath: base).appendingPathComponent("ledger-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    do {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    } catch {
        FileHandle.standardError.write(Data("ledger-bench: cannot create \(root): \(error)\n".utf8))
        return 2
    }
    defer {
        if options.keep { progress("kept \(root)") } else { try? FileManager.default.removeItem(atPath: root) }
    }

    let sameFilesystem = device(of: root).flatMap { d in device(of: "/work").map { $0 == d } }
    report.describe("date", ISO8601DateFormatter().string(from: Date()))
    report.describe("command", (["ledger-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
    report.describe("machine", "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)")
    report.describe("lmdb", Environment.libraryVersion)
    report.describe("data", root + (sameFilesystem.map { $0 ? " (same filesystem as /work)" : " (NOT the filesystem of /work)" } ?? ""))
    report.describe("durability", "fsync on for 1 and 2 and for the replay ledger's rebuild/verify; generation of the large ledgers skips fsync")

    let loadAtStart = loadAverage()
    let started = nanos()
    let bench = CoreBenchmarks(options: options, report: report, root: root)
    var status: Int32 = 0
    do {
        let only = options.only
        if only.contains(1) {
            progress("1: durable single-command commits")
            try await bench.singleCommit()
        }
        if only.contains(2) {
            progress("2: group commit")
            try await bench.groupCommit()
        }
        if !only.isDisjoint(with: [3, 4, 6, 7]) {
            try await bench.largeLedger()
        }
        if only.contains(5) {
            progress("5: listing pages")
            try await bench.listing()
        }
        if only.contains(7) {
            progress("7: typical event decode")
            try await bench.typicalDecode()
        }
    } catch {
        report.note("THE BENCHMARK FAILED: \(error)")
        status = 1
    }
    if !CoreBenchmarks.leakedEnvironments.isEmpty {
        report.note("core: \(CoreBenchmarks.leakedEnvironments.count) ledgers kept their LMDB environment (data.mdb, lock.mdb and the map) open after close() and release: CommitQueue holds its writer Thread, whose closure holds the queue, so the Environment is never deinitialised; reopening the same directory in this process then makes a second LMDB handle (tolerated here because the stale one is idle)")
    }
    report.describe("total time", String(format: "%.0f s", seconds(since: started)))
    report.describe("load average", "\(loadAtStart) at start, \(loadAverage()) at end (other processes on this machine disturb the figures)")
    report.print()
    return status
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
exit(await runAll(options))
