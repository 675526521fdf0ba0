import Foundation
import Synchronization
import Testing
@testable import LedgerCore

/// A durable ledger answers a command only after a flush that follows its commit: commits flush
/// their data pages, and the meta page that makes them current is flushed by the writer (alone)
/// or by the flusher thread (under load) before callers are answered.
@Suite struct CommitDurabilityTests {
    @Test func aDurableLedgerDefersTheMetaFlushToItsOwnFlush() async throws {
        try await withTemporaryLedger(durable: true) { ledger, _ in
            #expect(ledger.environment.configuration.durable)
            #expect(!ledger.environment.configuration.metaSync)
        }
    }

    /// A durable ledger's commits write into file space allocated and flushed beforehand; a
    /// scratch ledger, which never flushes, has nothing to gain from it.
    @Test func aDurableLedgerKeepsItsFileAllocatedAhead() async throws {
        try await withTemporaryLedger(durable: true) { ledger, directory in
            #expect(ledger.environment.configuration.preallocation == Ledger.preallocationStep)
            _ = try await ledger.createExperiment(name: "ahead", in: "default", context: testContext)
            let size = try #require(FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")[.size] as? NSNumber).intValue
            #expect(size >= ledger.environment.usedSize + Ledger.preallocationStep / 2)
        }
        try await withTemporaryLedger(durable: false) { ledger, _ in
            #expect(ledger.environment.configuration.preallocation == 0)
        }
    }

    @Test func everyLoneCommandIsAnsweredAfterAFlush() async throws {
        try await withTemporaryLedger(durable: true) { ledger, _ in
            let experiment = try await ledger.createExperiment(name: "lone", in: "default", context: testContext)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "default", context: testContext)
            for step in 0..<40 {
                let before = ledger.environment.flushCount
                try await ledger.logMetric(runID: run.info.runID, Metric(key: "loss", value: 1, timestamp: 1, step: Int64(step)),
                                           in: "default", context: testContext)
                // Awaited one at a time, each command is its own commit: its answer needed a flush.
                #expect(ledger.environment.flushCount > before, "step \(step) was answered without a flush")
            }
        }
    }

    /// What the writer waits for before it takes a batch: a lone caller it just answered (and
    /// who is queued again) nothing more; a crowd it answered, the whole crowd; commits being
    /// flushed, their callers too; never more than a batch. (How full commits get under load is a
    /// benchmark's business: `ledger bench` reports events per commit.)
    @Test func theWriterWaitsForTheCallersItHasAnswered() {
        #expect(CommitQueue.expectedCommands(queued: 1, answered: 1, flushing: 0, maxBatchSize: 1_024) == 1)
        #expect(CommitQueue.expectedCommands(queued: 1, answered: 0, flushing: 0, maxBatchSize: 1_024) == 1)
        #expect(CommitQueue.expectedCommands(queued: 5, answered: 64, flushing: 0, maxBatchSize: 1_024) == 64)
        #expect(CommitQueue.expectedCommands(queued: 32, answered: 32, flushing: 32, maxBatchSize: 1_024) == 64)
        #expect(CommitQueue.expectedCommands(queued: 40, answered: 3, flushing: 0, maxBatchSize: 1_024) == 40)
        #expect(CommitQueue.expectedCommands(queued: 10, answered: 900, flushing: 900, maxBatchSize: 1_024) == 1_024)
    }

    /// A command queued while the writer's transaction is open joins that transaction instead of
    /// waiting for the next one: the first command's decision holds the transaction until the
    /// second is queued; both then see the same committed head, and one commit (one flush)
    /// answers both.
    @Test func aCommandQueuedWhileTheTransactionIsOpenJoinsIt() async throws {
        try await withTemporaryLedger(durable: true) { ledger, _ in
            let queue = try #require(ledger.queue)
            let log = ledger.log
            let probe = HeadProbe()
            let flushesBefore = ledger.environment.flushCount
            let first = Task {
                try await ledger.submit(testContext) { txn, decision in
                    probe.note("first", try log.head(txn).sequence)
                    probe.deciding.store(true, ordering: .sequentiallyConsistent)
                    let deadline = ContinuousClock.now + .seconds(10)
                    while queue.queuedCount == 0 && ContinuousClock.now < deadline { usleep(100) }
                    decision.emit(.workspaceCreated(name: "first", description: nil, defaultArtifactRoot: nil), in: "first")
                }
            }
            while !probe.deciding.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
            try await ledger.submit(testContext) { txn, decision in
                probe.note("second", try log.head(txn).sequence)
                decision.emit(.workspaceCreated(name: "second", description: nil, defaultArtifactRoot: nil), in: "second")
            }
            try await first.value
            let heads = probe.heads.withLock { $0 }
            #expect(heads["first"] != nil && heads["first"] == heads["second"], "the two commands ran in different transactions: \(heads)")
            #expect(ledger.environment.flushCount == flushesBefore + 1)
            #expect(try ledger.workspace(named: "first").name == "first")
            #expect(try ledger.workspace(named: "second").name == "second")
        }
    }

    /// The committed head each command saw in its transaction, by name.
    final class HeadProbe: Sendable {
        let heads = Mutex<[String: UInt64]>([:])
        let deciding = Atomic<Bool>(false)

        func note(_ name: String, _ head: UInt64) { heads.withLock { $0[name] = head } }
    }

    @Test func concurrentWritersAreAnsweredAfterFlushesAndLoseNothing() async throws {
        try await withTemporaryLedger(durable: true) { ledger, _ in
            let experiment = try await ledger.createExperiment(name: "busy", in: "default", context: testContext)
            let runs = try await withThrowingTaskGroup(of: String.self) { group in
                for writer in 0..<32 {
                    group.addTask { try await ledger.createRun(experimentID: experiment.id, runName: "w\(writer)", in: "default", context: testContext).info.runID }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let flushesBefore = ledger.environment.flushCount
            let headBefore = try ledger.head().sequence
            try await withThrowingTaskGroup(of: Void.self) { group in
                for runID in runs {
                    group.addTask {
                        for step in 0..<25 {
                            try await ledger.logMetric(runID: runID, Metric(key: "loss", value: Double(step), timestamp: 1, step: Int64(step)),
                                                       in: "default", context: testContext)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try ledger.head().sequence == headBefore + 32 * 25)
            #expect(ledger.environment.flushCount > flushesBefore)
            for runID in runs {
                #expect(try ledger.metricHistory(runID: runID, key: "loss", in: "default").count == 25)
            }
            #expect(try ledger.verify().isClean)
        }
    }

    @Test func aScratchLedgerNeverFlushes() async throws {
        try await withTemporaryLedger(durable: false) { ledger, _ in
            _ = try await ledger.createExperiment(name: "scratch", in: "default", context: testContext)
            #expect(ledger.environment.flushCount == 0)
        }
    }

    @Test func closingAnswersEveryQueuedCommandFirst() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-close-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var created = 0
        var closed = 0
        do {
            let ledger = try await Ledger(configuration: Ledger.Configuration(directory: directory))
            let tasks = (0..<64).map { index in
                Task { try await ledger.createExperiment(name: "closing-\(index)", in: "default", context: testContext) }
            }
            // Let some of them queue, then close while others are in flight.
            try await Task.sleep(for: .milliseconds(2))
            ledger.close()
            for task in tasks {
                do {
                    _ = try await task.value
                    created += 1
                } catch let error as LedgerError where error.code == .closed {
                    closed += 1
                }
            }
        }
        #expect(created + closed == 64)
        // Whatever was answered as created is there after reopening.
        let reopened = try await Ledger(configuration: Ledger.Configuration(directory: directory))
        defer { reopened.close() }
        #expect(try reopened.searchExperiments(in: "default", .init(maxResults: 1000)).items.count == created + 1)
    }
}
