import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// `ledger replay`: rebuild, `--verify`, `--until` with and without `--output`.
@Suite struct ReplayCommandTests {
    // MARK: - Rebuild and verify

    @Test func verifyPassesOnACleanLedger() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let result = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasPrefix("verified \(history.head.sequence) events: hash chain intact, head at sequence \(history.head.sequence), \(LedgerDatabases.projectionNames.count) views equal a rebuild"), "\(result)")
            #expect(result.stderr.isEmpty, "no progress when stdout is not a terminal: \(result)")
            #expect(try await headOfLedger(directory) == history.head, "verify changes nothing")
        }
    }

    /// A damaged view (a removed key, a changed record) is found by --verify, and `replay`
    /// rebuilds it from the log.
    @Test func replayRepairsADamagedView() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            try withLMDBDatabases(directory, ["workspaces", "experiments"]) { txn, databases in
                #expect(try txn.delete(databases[0], key: Array("team-a".utf8)))
                let key = eventKey(UInt64(history.experimentID))
                var record = try #require(try txn.get(databases[1], key: key))
                record[record.count / 2] ^= 0x55
                try txn.put(databases[1], key: key, value: record)
            }

            let before = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(before.status == 1, "\(before)")
            let lines = before.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "verification FAILED after \(history.head.sequence) events: 2 difference(s)", "\(before)")
            // The first difference names the event that last wrote the key, the view and the key.
            #expect(lines.count > 1 && lines[1].hasPrefix("first difference: missing in view at sequence \(history.workspaceUpdate) in view workspaces key team-a:"), "\(before)")
            #expect(before.stdout.contains("value differs"), "\(before)")
            #expect(before.stdout.contains("in view experiments"), "\(before)")

            let replay = try await runLedger(["replay", "--data-dir", directory])
            #expect(replay.status == 0, "\(replay)")
            #expect(replay.stderr.isEmpty, "no progress output when stdout is not a terminal: \(replay)")
            let summary = try #require(replay.stdout.wholeMatch(of: /replayed (\d+) events in (\d+\.\d\d) s \((\d+) events\/s\)\n/), "\(replay)")
            #expect(UInt64(summary.1) == history.head.sequence)
            #expect(try #require(Int(summary.3)) > 0)

            let after = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(after.status == 0, "\(after)")
            try await withReopenableLedger(directory, readOnly: true) { (ledger: Ledger) async throws in
                #expect(try ledger.workspace(named: "team-a").description == DemoHistory.teamADescription)
                #expect(try ledger.experiment(id: history.experimentID, in: "team-a").name == "exp-1")
                #expect(try ledger.head() == history.head, "a rebuild writes views, never events")
            }
        }
    }

    // MARK: - Damaged logs

    enum LogDamage: String, CaseIterable, CustomTestStringConvertible {
        case flippedByte, removedEvent, swappedEvents
        var testDescription: String { rawValue }
    }

    /// Each damage to the `events` database is exit 1, with the first difference at the damaged sequence.
    @Test(arguments: LogDamage.allCases)
    func verifyFindsADamagedLog(_ damage: LogDamage) async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let target = history.workspaceUpdate + 2
            try withLMDBDatabases(directory, ["events"]) { txn, databases in
                let events = databases[0]
                switch damage {
                case .flippedByte:
                    var stored = try #require(try txn.get(events, key: eventKey(target)))
                    stored[(stored.count - 32) / 2] ^= 0x01
                    try txn.put(events, key: eventKey(target), value: stored)
                case .removedEvent:
                    #expect(try txn.delete(events, key: eventKey(target)))
                case .swappedEvents:
                    let a = try #require(try txn.get(events, key: eventKey(target)))
                    let b = try #require(try txn.get(events, key: eventKey(target + 1)))
                    try txn.put(events, key: eventKey(target), value: b)
                    try txn.put(events, key: eventKey(target + 1), value: a)
                }
            }
            let result = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.hasPrefix("verification FAILED"), "\(result)")
            let first = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("first difference: ") }, "\(result)")
            let kind = switch damage {
            case .flippedByte, .swappedEvents: "hash mismatch"
            case .removedEvent: "missing event"
            }
            #expect(first.hasPrefix("first difference: \(kind) at sequence \(target):"), "\(result)")
            if damage == .swappedEvents {
                #expect(result.stdout.contains("sequence mismatch at sequence \(target + 1)"), "\(result)")
            }
        }
    }

    // MARK: - The past

    /// `--until` before a CASCADE delete shows the deleted workspace; `--output` recovers it.
    @Test func untilReproducesTheStateBeforeACascadeDelete() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            try await Task.sleep(for: .milliseconds(20))
            let deleted = try await runLedger(["delete-workspace", "--workspace", "team-b", "--confirm", "--actor", "carol", "--data-dir", directory])
            #expect(deleted.status == 0, "\(deleted)")
            let now = try await runLedger(["replay", "--until", "999999", "--data-dir", directory])
            #expect(now.status == 0, "\(now)")
            #expect(!now.stdout.contains("team-b"), "\(now)")

            // Just before the delete, by sequence and by time (a millisecond after the last event before it).
            let time = iso8601(microseconds: history.head.timestamp + 1_000)
            for point in [String(history.head.sequence), time] {
                let result = try await runLedger(["replay", "--until", point, "--data-dir", directory])
                #expect(result.status == 0, "\(result)")
                let lines = result.stdout.split(separator: "\n").map(String.init)
                #expect(lines.first?.hasPrefix("state as of sequence \(history.head.sequence) (") == true, "\(result)")
                #expect(lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true) == ["WORKSPACE", "EXPERIMENTS", "MODELS", "GRANTS"], "\(result)")
                let rows = Dictionary(lines.dropFirst(2).map { line in
                    let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    return (cells[0], Array(cells.dropFirst()))
                }, uniquingKeysWith: { a, _ in a })
                let b = history.teamB
                #expect(rows["team-b"] == [String(b.experiments), String(b.registeredModels), String(b.grants)], "\(result)")
                #expect(rows["team-a"] == ["1", "1", "1"], "\(result)")
                #expect(Set(rows.keys) == ["default", "empty", "team-a", "team-b"], "\(result)")
            }

            // Point-in-time recovery into a new directory.
            let output = directory + "-recovered"
            let written = try await runLedger(["replay", "--until", time, "--output", output, "--data-dir", directory])
            #expect(written.status == 0, "\(written)")
            #expect(written.stdout.hasPrefix("wrote a ledger with events 1...\(history.head.sequence) "), "\(written)")
            let verified = try await runLedger(["replay", "--verify", "--data-dir", output])
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdout.contains("head at sequence \(history.head.sequence),"), "\(verified)")
            let listed = try await runLedger(["workspace", "list", "--format", "json", "--data-dir", output])
            #expect(listed.status == 0, "\(listed)")
            #expect(try parseJSONLines(listed.stdout).compactMap { $0["name"] as? String } == ["default", "empty", "team-a", "team-b"], "\(listed)")
            #expect(try await headOfLedger(output) == history.head, "the recovered log is the original's prefix, hash for hash")

            // Never into an existing ledger: refused, and the existing one is untouched.
            let again = try await runLedger(["replay", "--until", "3", "--output", output, "--data-dir", directory])
            #expect(again.status == 2, "\(again)")
            #expect(again.stderr.contains("already holds a ledger"), "\(again)")
            #expect(try await headOfLedger(output) == history.head)
        }
    }

    @Test(arguments: [
        ["--verify", "--until", "5"],
        ["--verify", "--until", "5", "--output", "OUTPUT"],
        ["--output", "OUTPUT"],
        ["--until", "yesterday"],
    ])
    func inconsistentReplayOptionsAreBadUsage(_ options: [String]) async throws {
        try await withTemporaryPath { directory in
            try await buildDemoLedger(in: directory)
            let before = try await headOfLedger(directory)
            let output = directory + "-output"
            let result = try await runLedger(["replay"] + options.map { $0 == "OUTPUT" ? output : $0 } + ["--data-dir", directory])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("--until") || result.stderr.contains("--output"), "the message names what to fix: \(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: output), "nothing is written")
            #expect(try await headOfLedger(directory) == before)
        }
    }
}
