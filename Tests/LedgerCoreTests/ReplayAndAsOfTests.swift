import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Rebuilding the views from the log, the ledger as of a past point, and point-in-time copies.
@Suite struct ReplayAndAsOfTests {
    // MARK: - Rebuild

    @Test func rebuildReturnsTheEventCountAndLeavesTheViewsIdentical() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.populate(ledger)
            let head = try ledger.head()
            let before = try Self.views(of: ledger)
            #expect(before.values.contains { !$0.isEmpty })

            let summary = try ledger.rebuildProjections()
            #expect(summary.events == head.sequence)
            #expect(summary.seconds >= 0)
            #expect(try ledger.head() == head, "a rebuild must not touch the log")
            let after = try Self.views(of: ledger)
            for name in LedgerDatabases.projectionNames {
                #expect(after[name] == before[name], "view \(name) changed in the rebuild")
            }
            #expect(try ledger.verify().isClean)

            // Twice in a row is the same again, and writes still work after it.
            #expect(try ledger.rebuildProjections().events == head.sequence)
            #expect(try Self.views(of: ledger) == before)
            _ = try await ledger.createWorkspace(name: "after-rebuild", context: testContext)
            #expect(try ledger.head().sequence == head.sequence + 1)
            #expect(try ledger.verify().isClean)
        }
    }

    @Test func rebuildIsRefusedOnAReadOnlyLedger() async throws {
        let directory = Self.temporaryPath("ledger-replay-ro")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withReopenableLedger(directory) { ledger in _ = try await Self.populate(ledger) }
        try await withReopenableLedger(directory, readOnly: true) { ledger async throws in
            await expectLedgerError(.readOnly) { try ledger.rebuildProjections() }
            #expect(try ledger.verify().isClean)
        }
    }

    // MARK: - As of a past point

    @Test func stateAsOfBeforeACascadeDeleteStillShowsTheWorkspace() async throws {
        try await withTemporaryLedger { ledger, _ in
            let doomed = try await Self.populate(ledger)
            let beforeDelete = try ledger.head()
            let summary = try await ledger.deleteWorkspace(name: "doomed", mode: .cascade, context: testContext)
            #expect(summary.experiments == 2)
            #expect(summary.runs == 2)
            #expect(summary.registeredModels == 1)
            let afterDelete = try ledger.head()
            #expect(afterDelete.sequence > beforeDelete.sequence + 5, "every child removed is its own event")

            // Before the delete: the workspace and everything in it.
            var snapshotDirectory = ""
            do {
                let past = try await ledger.state(asOf: .sequence(beforeDelete.sequence))
                snapshotDirectory = past.environment.path
                #expect(FileManager.default.fileExists(atPath: snapshotDirectory))
                #expect(try past.head() == beforeDelete)
                #expect(try past.workspace(named: "doomed").description == "to be deleted")
                for id in doomed.experimentIDs {
                    #expect(try past.experiment(id: id, in: "doomed").workspace == "doomed")
                }
                #expect(try past.searchExperiments(in: "doomed").items.map(\.id) == [doomed.experimentIDs[0]])
                #expect(try past.searchExperiments(in: "doomed", .init(viewType: .all)).items.map(\.id).sorted() == doomed.experimentIDs.sorted())
                #expect(try past.run(id: doomed.runID, in: "doomed").params == [LedgerCore.Tag(key: "lr", value: "0.1")])
                #expect(try past.metricHistory(runID: doomed.runID, key: "loss", in: "doomed").count == 3)
                #expect(try past.registeredModel(named: "model", in: "doomed").workspace == "doomed")
                #expect(try past.grant(of: "ada", on: .workspace("doomed")) == .edit)
                #expect(try past.listWorkspaces().items.map(\.name).contains("doomed"))
                #expect(try past.verify().isClean)
                // A snapshot is read-only.
                await expectLedgerError(.readOnly) { try await past.createWorkspace(name: "nope", context: testContext) }
            }
            // Released, its temporary directory goes.
            #expect(!snapshotDirectory.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: snapshotDirectory), "the as-of snapshot leaked \(snapshotDirectory)")

            // After the delete, as of now and live: nothing of it.
            for state in [try await ledger.state(asOf: .sequence(afterDelete.sequence)), ledger] {
                await expectLedgerError(.resourceDoesNotExist) { try state.workspace(named: "doomed") }
                for id in doomed.experimentIDs {
                    await expectLedgerError(.resourceDoesNotExist) { try state.experiment(id: id, in: "doomed") }
                    await expectLedgerError(.resourceDoesNotExist) { try state.experiment(id: id, in: "default") }
                }
                await expectLedgerError(.resourceDoesNotExist) { try state.run(id: doomed.runID, in: "doomed") }
                await expectLedgerError(.resourceDoesNotExist) { try state.registeredModel(named: "model", in: "doomed") }
                #expect(try !state.listWorkspaces().items.map(\.name).contains("doomed"))
                #expect(try state.workspace(named: "kept").name == "kept")
                #expect(try state.head() == afterDelete)
            }

            // As of the very first event: only the workspace `default`, not yet its experiment.
            let first = try await ledger.state(asOf: .sequence(1))
            #expect(try first.listWorkspaces().items.map(\.name) == ["default"])
            await expectLedgerError(.resourceDoesNotExist) { try first.experiment(id: 0, in: "default") }
        }
    }

    /// `.time(microseconds:)` finds the last event at or before a time, by binary search over
    /// the (never decreasing) event times; checked against a linear scan at every event's time,
    /// just before and just after it, and beyond both ends.
    @Test func timeResolvesToTheLastEventAtOrBeforeIt() async throws {
        try await withTemporaryLedger { ledger, _ in
            for round in 0..<12 {
                // One at a time (distinct times), then several at once (one commit, one time).
                _ = try await ledger.createExperiment(name: "solo-\(round)", in: "default", context: testContext)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<(round % 4) {
                        group.addTask { _ = try await ledger.createExperiment(name: "group-\(round)-\(i)", in: "default", context: testContext) }
                    }
                    try await group.waitForAll()
                }
                try await Task.sleep(for: .microseconds(200))
            }
            let events = try ledger.events(from: 1, limit: 10_000)
            let head = try ledger.head()
            #expect(UInt64(events.count) == head.sequence)
            let times = events.map(\.timestamp)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(Set(times).count > 12, "the events should span many distinct times")

            func expected(_ time: Int64) -> UInt64 {
                UInt64(times.lastIndex { $0 <= time }.map { $0 + 1 } ?? 0)
            }
            var probes: [Int64] = [Int64.min, 0, times[0] - 1, Int64.max, times.last! + 1]
            for time in times { probes += [time - 1, time, time + 1] }
            for time in probes {
                #expect(try ledger.sequence(at: .time(microseconds: time)) == expected(time), "time \(time)")
            }

            // A snapshot as of a time holds exactly the events up to there.
            let middle = times[times.count / 2]
            let past = try await ledger.state(asOf: .time(microseconds: middle))
            #expect(try past.head().sequence == expected(middle))
            #expect(try past.events(from: 1, limit: 10_000) == Array(events.prefix(Int(expected(middle)))))
        }
    }

    @Test func sequencePointsBeyondTheHeadAreTheHead() async throws {
        try await withTemporaryLedger { ledger, _ in
            let head = try ledger.head()
            #expect(try ledger.sequence(at: .sequence(0)) == 0)
            #expect(try ledger.sequence(at: .sequence(1)) == 1)
            #expect(try ledger.sequence(at: .sequence(head.sequence)) == head.sequence)
            #expect(try ledger.sequence(at: .sequence(.max)) == head.sequence)
        }
    }

    // MARK: - Point-in-time copies

    @Test func copyLogWritesALedgerThatOpensAndVerifies() async throws {
        let target = Self.temporaryPath("ledger-copy")
        defer { try? FileManager.default.removeItem(atPath: target) }
        let (copied, original, asOfViews) = try await withTemporaryLedger { ledger, _ in
            _ = try await Self.populate(ledger)
            _ = try await ledger.deleteWorkspace(name: "doomed", mode: .setDefault, context: testContext)
            let n = try ledger.head().sequence - 3
            let copied = try ledger.copyLog(upTo: .sequence(n), into: target)
            let original = try ledger.events(from: 1, limit: 10_000)
            let asOfViews = try Self.views(of: try await ledger.state(asOf: .sequence(n)))
            return (copied, original, asOfViews)
        }
        let n = copied.sequence
        #expect(n == UInt64(original.count) - 3)
        #expect(copied.hash == original[Int(n) - 1].hash)
        #expect(copied.timestamp == original[Int(n) - 1].timestamp)

        try await withReopenableLedger(target, readOnly: true) { copy in
            #expect(try copy.head() == copied)
            let report = try copy.verify()
            #expect(report.isClean, "\(report.problems)")
            #expect(report.eventsChecked == n)
            #expect(report.viewsCompared == LedgerDatabases.projectionNames.count)
            #expect(try copy.events(from: 1, limit: 10_000) == Array(original.prefix(Int(n))))
            #expect(try Self.views(of: copy) == asOfViews)
        }
        // The copy is a ledger in its own right: it takes new commands after its last event.
        try await withReopenableLedger(target) { copy in
            _ = try await copy.createWorkspace(name: "after-copy", context: testContext)
            #expect(try copy.head().sequence == n + 1)
            #expect(try copy.verify().isClean)
        }
    }

    @Test func copyLogIsRefusedIntoADirectoryHoldingALedger() async throws {
        let target = Self.temporaryPath("ledger-copy-existing")
        defer { try? FileManager.default.removeItem(atPath: target) }
        try await withTemporaryLedger { ledger, directory in
            _ = try await Self.populate(ledger)
            let head = try ledger.head()
            // Into itself.
            await expectLedgerError(.invalidParameterValue) { try ledger.copyLog(upTo: .sequence(head.sequence), into: directory) }
            #expect(try ledger.head() == head)
            #expect(try ledger.verify().isClean)

            // Into another ledger: a first copy succeeds, a second into the same place is refused
            // and leaves the first intact.
            let first = try ledger.copyLog(upTo: .sequence(5), into: target)
            #expect(first.sequence == 5)
            await expectLedgerError(.invalidParameterValue) { try ledger.copyLog(upTo: .sequence(head.sequence), into: target) }
            // Beyond the head means the head.
            let whole = Self.temporaryPath("ledger-copy-whole")
            defer { try? FileManager.default.removeItem(atPath: whole) }
            #expect(try ledger.copyLog(upTo: .sequence(.max), into: whole) == head)
        }
        try await withReopenableLedger(target, readOnly: true) { copy throws in
            #expect(try copy.head().sequence == 5)
            #expect(try copy.verify().isClean)
        }
    }

    // MARK: - Helpers

    struct Doomed {
        /// An active experiment, then a soft-deleted one.
        var experimentIDs: [Int64]
        var runID: String
    }

    /// A workspace `doomed` with two experiments, runs, metrics, a model and grants, a workspace
    /// `kept`, and some activity in `default`.
    static func populate(_ ledger: Ledger) async throws -> Doomed {
        let context = testContext
        _ = try await ledger.createWorkspace(name: "doomed", description: "to be deleted", defaultArtifactRoot: "s3://bucket/doomed", context: context)
        _ = try await ledger.createWorkspace(name: "kept", context: context)
        _ = try await ledger.updateWorkspace(name: "kept", WorkspaceUpdate(description: "kept on", defaultArtifactRoot: "/mnt/kept"), context: context)
        _ = try await ledger.createUser(username: "ada", password: "password-1", hashRounds: 1, context: context)
        try await ledger.setPermission(.edit, for: "ada", on: .workspace("doomed"), context: context)
        let adaContext = CommandContext(actor: "ada", requestID: "req-ada", source: .cli)
        let e1 = try await ledger.createExperiment(name: "first", tags: [.init(key: "k", value: "v")], in: "doomed", context: adaContext)
        let e2 = try await ledger.createExperiment(name: "second", in: "doomed", context: context)
        try await ledger.deleteExperiment(id: e2.id, in: "doomed", context: context)
        let run = try await ledger.createRun(experimentID: e1.id, runName: "r", in: "doomed", context: context)
        try await ledger.logParam(runID: run.info.runID, key: "lr", value: "0.1", in: "doomed", context: context)
        for step in 0..<3 {
            try await ledger.logMetric(runID: run.info.runID, Metric(key: "loss", value: 1 / Double(step + 1), timestamp: 100, step: Int64(step)), in: "doomed", context: context)
        }
        _ = try await ledger.createRun(experimentID: e1.id, in: "doomed", context: context)
        _ = try await ledger.createRegisteredModel(name: "model", description: "m", in: "doomed", context: adaContext)
        let kept = try await ledger.createExperiment(name: "kept-exp", in: "kept", context: context)
        _ = try await ledger.createRun(experimentID: kept.id, in: "kept", context: context)
        _ = try await ledger.createExperiment(name: "default-exp", in: "default", context: context)
        return Doomed(experimentIDs: [e1.id, e2.id], runID: run.info.runID)
    }

    /// Every projection's entries, by view name.
    static func views(of ledger: Ledger) throws -> [String: [[UInt8]]] {
        try ledger.environment.read { txn in
            var views: [String: [[UInt8]]] = [:]
            for (name, database) in zip(LedgerDatabases.projectionNames, ledger.db.projections) {
                views[name] = try txn.withCursor(database) { cursor in
                    var entries: [[UInt8]] = []
                    var entry = try cursor.first()
                    while let current = entry {
                        entries.append(Array(current.key))
                        entries.append(Array(current.value))
                        entry = try cursor.next()
                    }
                    return entries
                }
            }
            return views
        }
    }

    static func temporaryPath(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    }
}
