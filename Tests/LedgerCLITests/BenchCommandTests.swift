import Foundation
import Testing
@testable import LedgerCore

/// `ledger bench`: the synthetic history through the normal write path, and the report.
@Suite struct BenchCommandTests {
    @Test func generateWritesARealisticHistoryThatVerifies() async throws {
        try await withTemporaryPath("ledger-bench") { directory in
            let result = try await runLedger(["bench", "--generate", "4000", "--clients", "32", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("generated"), "\(result)")
            #expect(result.stdout.contains("events/s, flushed at the end"), "\(result)")

            let events = try await eventsOfLedger(directory)
            #expect(events.count >= 4_000 && events.count < 4_400, "\(events.count) events")
            // The mix: metrics dominate, and every kind of change the issue names appears.
            var counts: [EventType: Int] = [:]
            for event in events { counts[event.type, default: 0] += 1 }
            let metricShare = Double(counts[.runDataLogged] ?? 0) / Double(events.count)
            #expect(metricShare > 0.6, "run data share \(metricShare)")
            for type: EventType in [.workspaceCreated, .userCreated, .grantSet, .experimentCreated, .experimentTagSet, .runCreated,
                                    .runUpdated, .runDataLogged, .registeredModelCreated] {
                #expect((counts[type] ?? 0) > 0, "no \(type.name) events")
            }
            // Many clients, each recorded as its own actor and request.
            #expect(Set(events.map(\.actor)).count > 8)
            #expect(Set(events.map(\.requestID)).count > events.count / 2)

            let verify = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func generateCanFlushEachCommit() async throws {
        try await withTemporaryPath("ledger-bench") { directory in
            let result = try await runLedger(["bench", "--generate", "1000", "--clients", "8", "--flush-each-commit", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("every commit flushed"), "\(result)")
            let verify = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test func generateRefusesALedgerThatExistsAndBadCounts() async throws {
        try await withTemporaryPath("ledger-bench") { directory in
            let created = try await runLedger(["workspace", "create", "team-a", "--data-dir", directory])
            #expect(created.status == 0, "\(created)")
            let head = try await headOfLedger(directory)

            let existing = try await runLedger(["bench", "--generate", "5000", "--data-dir", directory])
            #expect(existing.status == 2, "\(existing)")
            #expect(existing.stderr.contains("already holds a ledger"), "\(existing)")
            #expect(try await headOfLedger(directory) == head)

            let missingDirectory = try await runLedger(["bench", "--generate", "5000"])
            #expect(missingDirectory.status == 2, "\(missingDirectory)")
            #expect(missingDirectory.stderr.contains("--data-dir"), "\(missingDirectory)")

            let tooFew = try await runLedger(["bench", "--generate", "10", "--data-dir", directory + "-new"])
            #expect(tooFew.status == 2, "\(tooFew)")
            #expect(tooFew.stderr.contains("at least 1000"), "\(tooFew)")

            let badItem = try await runLedger(["bench", "--only", "1,9"])
            #expect(badItem.status == 2, "\(badItem)")
            #expect(badItem.stderr.contains("'9'"), "\(badItem)")
        }
    }

    /// The report on an existing ledger: replay, verify and reads, as JSON lines.
    @Test func benchOfAnExistingLedgerReportsReplayAndReadsAsJSON() async throws {
        try await withTemporaryPath("ledger-bench") { directory in
            let generated = try await runLedger(["bench", "--generate", "2000", "--clients", "16", "--data-dir", directory])
            #expect(generated.status == 0, "\(generated)")
            let head = try await headOfLedger(directory)

            let result = try await runLedger(["bench", "--data-dir", directory, "--only", "3,4", "--format", "json"])
            #expect(result.status == 0, "\(result)")
            let lines = try parseJSONLines(result.stdout)
            let keys = Set(lines.compactMap { $0["key"] as? String })
            for key in ["replay.rebuild", "replay.verify_chain", "replay.verify_full", "reads.workspace.median", "reads.effective_permission.median"] {
                #expect(keys.contains(key), "missing \(key) in \(keys.sorted())")
            }
            // Each figure stands beside its reference.
            for line in lines where (line["key"] as? String)?.hasPrefix("replay.") == true {
                #expect(line["reference"] != nil, "\(line)")
            }
            #expect(!result.stdout.contains("VERIFY FOUND A PROBLEM"), "\(result)")
            // Measuring rebuilt the views in place; the log is untouched.
            #expect(try await headOfLedger(directory) == head)
            let verify = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verify.status == 0, "\(verify)")
        }
    }
}
