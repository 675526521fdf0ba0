import Foundation
import Synchronization
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Shared between the test and its writer task.
final class WriterProgress: Sendable {
    let stop = Atomic<Bool>(false)
    let writes = Atomic<Int>(0)
}

/// The binary works on a ledger that another process (this test process, through the library)
/// has open and is writing to.
@Suite struct ConcurrentWriterTests {
    @Test func auditBackupAndVerifyWhileAnotherProcessWrites() async throws {
        try await withTemporaryPath { directory in
            try await buildDemoLedger(in: directory)
            var backups: [(path: String, head: UInt64)] = []
            let written = try await withReopenableLedger(directory) { ledger in
                let progress = WriterProgress()
                let writer = Task {
                    var index = 0
                    while !progress.stop.load(ordering: .relaxed) {
                        let experiment = try await ledger.createExperiment(name: "load-\(index)", in: "team-a", context: Actors.bob)
                        let run = try await ledger.createRun(experimentID: experiment.id, in: "team-a", context: Actors.bob)
                        for step in 0..<5 {
                            try await ledger.logMetric(runID: run.info.runID, Metric(key: "loss", value: Double(step), timestamp: 1, step: Int64(step)),
                                                       in: "team-a", context: Actors.bob)
                        }
                        index += 1
                        progress.writes.add(7, ordering: .relaxed)
                        // A steady trickle, like a server's: the log stays small enough to verify quickly.
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
                defer { writer.cancel() }

                // Let the writer get going.
                while progress.writes.load(ordering: .relaxed) < 14 { try await Task.sleep(for: .milliseconds(5)) }
                for round in 0..<3 {
                    let before = try ledger.head().sequence

                    let audit = try await runLedger(["audit", "--format", "json", "--data-dir", directory])
                    #expect(audit.status == 0, "round \(round): \(audit)")
                    let printed = sequences(try parseJSONLines(audit.stdout))
                    #expect(printed.first == 1)
                    #expect(printed == Array(1...(printed.last ?? 1)), "a contiguous prefix of the log")
                    #expect((printed.last ?? 0) >= before, "the audit sees at least what was committed when it started")

                    let byWorkspace = try await runLedger(["audit", "--workspace", "team-a", "--verify", "--format", "json", "--data-dir", directory])
                    #expect(byWorkspace.status == 0, "round \(round): \(byWorkspace)")
                    #expect(try parseJSONLines(byWorkspace.stdout).allSatisfy { $0["workspace"] as? String == "team-a" })

                    let file = directory + "-backup-\(round).mdb"
                    let backupStart = try ledger.head().sequence
                    let backup = try await runLedger(["backup", "--to", file, "--data-dir", directory])
                    #expect(backup.status == 0, "round \(round): \(backup)")
                    backups.append((file, backupStart))

                    let verify = try await runLedger(["replay", "--verify", "--data-dir", directory])
                    #expect(verify.status == 0, "round \(round): \(verify)")

                    let after = try ledger.head().sequence
                    #expect(after > before, "round \(round): the writer made no progress while the binary ran")
                }
                progress.stop.store(true, ordering: .relaxed)
                try await writer.value
                return progress.writes.load(ordering: .relaxed)
            }
            #expect(written > 21)

            // Each backup is a consistent ledger holding at least the log as of its start.
            for backup in backups {
                let verify = try await runLedger(["replay", "--verify", "--data-dir", backup.path])
                #expect(verify.status == 0, "\(backup.path): \(verify)")
                let head = try await headOfLedger(backup.path)
                #expect(head.sequence >= backup.head)
            }
            // And the ledger itself, once the writer is done.
            let final = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(final.status == 0, "\(final)")
        }
    }
}
