import Foundation
import LedgerCore
import LedgerLMDB

/// `ledger bench`: the SPEC §6 measurements of the ledger core, each beside a bare LMDB (or
/// Foundation JSON) reference measured in the same run on the same machine.
public enum BenchmarkRunner {
    /// Runs the selected measurements and prints the report. Returns 0, or 1 when a measurement
    /// could not be taken (a missed target is reported in the table, not as a failure).
    public static func run(_ options: BenchmarkOptions) async -> Int32 {
        let report = Report(format: options.format)
        #if DEBUG
        report.note("THIS IS A DEBUG BUILD: figures are meaningless; build with -c release")
        #endif
        let base = options.scratchDirectory ?? FileManager.default.temporaryDirectory.path
        let root = URL(fileURLWithPath: base).appendingPathComponent("ledger-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            FileHandle.standardError.write(Data("ledger bench: cannot create the scratch directory \(root): \(error.localizedDescription); pass --scratch-dir DIR\n".utf8))
            return 2
        }
        defer {
            if options.keepScratch { progress("kept \(root)") } else { try? FileManager.default.removeItem(atPath: root) }
        }

        report.describe("date", ISO8601DateFormatter().string(from: Date()))
        report.describe("command", options.commandLine)
        report.describe("machine", "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)")
        report.describe("lmdb", Environment.libraryVersion)
        report.describe("scratch", root + " (" + filesystem(of: root) + ")")
        if let ledger = options.ledgerDirectory {
            report.describe("ledger", ledger + " (" + filesystem(of: ledger) + ")")
        }
        report.describe("durability", "items 1 and 2 and every rebuild and verify flush each commit, as a server does; the generated ledgers (3, 5, 7) are flushed once at the end (reads are unaffected)")

        let loadAtStart = loadAverage()
        let started = nanos()
        let bench = CoreBenchmarks(options: options, report: report, root: root)
        var status: Int32 = 0
        do {
            let items = options.items
            if items.contains(.singleCommit) {
                progress("1: durable single-command commits")
                try await bench.singleCommit()
            }
            if items.contains(.groupCommit) {
                progress("2: group commit")
                try await bench.groupCommit()
            }
            if !items.isDisjoint(with: [.replay, .reads, .disk, .codec]) {
                try await bench.largeLedger()
            }
            if items.contains(.listing) {
                progress("5: listing pages")
                try await bench.listing()
            }
            if items.contains(.codec) {
                progress("7: typical event decode")
                try await bench.typicalDecode()
            }
        } catch {
            report.note("THE BENCHMARK FAILED: \(error)")
            status = 1
        }
        report.describe("total time", String(format: "%.0f s", seconds(since: started)))
        report.describe("load average", "\(loadAtStart) at start, \(loadAverage()) at end (other processes on this machine disturb the figures)")
        report.print()
        return status
    }

    /// Writes a synthetic history of about `events` events into a new ledger in `directory`
    /// through the normal write path, and prints a summary.
    ///
    /// - Parameter flushEachCommit: Flush every commit as a server does. Off, commits are flushed
    ///   once at the end: the same bytes, written several times faster; a crash meanwhile may leave
    ///   the new ledger damaged (generate it again).
    public static func generate(events: Int, clients: Int, into directory: String, flushEachCommit: Bool) async throws {
        var configuration = Ledger.Configuration(directory: directory)
        configuration.defaultArtifactRoot = "s3://mlflow-artifacts"
        configuration.durable = flushEachCommit
        let ledger = try await Ledger(configuration: configuration)
        defer { ledger.close() }
        var history = SyntheticHistory(events: events)
        history.clients = clients
        let summary = try await history.generate(into: ledger, progress: SyntheticHistory.printProgress)
        let bytes = fileSize(directory + "/data.mdb")
        print("""
            generated \(formatCount(Double(summary.appended))) events (\(formatCount(Double(summary.commands))) commands from \(clients) concurrent clients) \
            in \(String(format: "%.1f", summary.seconds)) s: \(formatCount(summary.eventsPerSecond)) events/s, \
            \(flushEachCommit ? "every commit flushed" : "flushed at the end")
            ledger: \(directory), head \(summary.events), \(summary.workspaces.count) team workspaces, \
            data.mdb \(formatCount(Double(bytes))) bytes (\(Int((Double(bytes) / Double(max(summary.events, 1))).rounded())) per event)
            """)
    }
}

/// The 1, 5 and 15 minute load averages (Linux).
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

/// The filesystem type and device holding `path`, from /proc/self/mountinfo (Linux).
func filesystem(of path: String) -> String {
    guard let device = Diagnostics.device(holding: path) else { return "unknown filesystem" }
    let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    for line in mounts.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count > 9, fields[2] == device, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { continue }
        return "\(fields[dash + 1]) on \(fields[dash + 2])"
    }
    return "device \(device)"
}
