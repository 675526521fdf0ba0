import Foundation
import Testing
@testable import LedgerCore

/// Swift Testing has a `Tag` of its own.
private typealias Tag = LedgerCore.Tag

/// SPEC §2.3: runs inside experiments.
@Suite struct RunRulesTests {
    // MARK: Helpers

    /// Creates `workspace` (unless it is `default` or exists) and an experiment in it.
    private func makeExperiment(_ ledger: Ledger, in workspace: String = "team-a", named name: String = "exp",
                            root: String? = nil) async throws -> Experiment {
        if workspace != Workspace.defaultName, (try? ledger.workspace(named: workspace)) == nil {
            _ = try await ledger.createWorkspace(name: workspace, defaultArtifactRoot: root, context: testContext)
        }
        return try await ledger.createExperiment(name: name, in: workspace, context: testContext)
    }

    /// An experiment in `team-a` and an active run in it.
    private func makeRun(_ ledger: Ledger, in workspace: String = "team-a") async throws -> (Experiment, Run) {
        let experiment = try await makeExperiment(ledger, in: workspace)
        let run = try await ledger.createRun(experimentID: experiment.id, runName: "r1", startTime: 1_000, in: workspace, context: testContext)
        return (experiment, run)
    }

    // MARK: Create and get

    @Test("a new run: RUNNING, active, 32-hex id, artifact URI under its experiment", arguments: [
        (root: String?.none, expectedPrefix: "/srv/artifacts/workspaces/team-a/"),
        (root: "s3://bucket/prefix", expectedPrefix: "s3://bucket/prefix/"),
        (root: "/data/ml/", expectedPrefix: "/data/ml/"),
    ])
    func createRun(root: String?, expectedPrefix: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger, root: root)
            let run = try await ledger.createRun(experimentID: experiment.id, runName: "first", userID: "alice", startTime: 1_234,
                                                 tags: [Tag(key: "mlflow.user", value: "alice")], in: "team-a", context: testContext)
            let info = run.info
            #expect(info.status == .running)
            #expect(info.lifecycleStage == .active)
            #expect(info.experimentID == experiment.id)
            #expect(info.runName == "first")
            #expect(info.userID == "alice")
            #expect(info.startTime == 1_234)
            #expect(info.endTime == nil)
            #expect(info.runID.count == 32)
            #expect(info.runID.allSatisfy { "0123456789abcdef".contains($0) }, "\(info.runID)")
            #expect(info.artifactURI == "\(experiment.artifactLocation)/\(info.runID)/artifacts")
            #expect(info.artifactURI == "\(expectedPrefix)\(experiment.id)/\(info.runID)/artifacts")
            #expect(run.tags == [Tag(key: "mlflow.user", value: "alice")])

            let event = try lastEvent(ledger)
            #expect(event.type == .runCreated)
            #expect(event.workspace == "team-a")
            #expect(event.entity == EntityReference(kind: .run, id: info.runID))
        }
    }

    @Test func runIDsAreDistinctAndAMissingNameGetsOne() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            var ids: Set<String> = []
            for _ in 0..<5 {
                let run = try await ledger.createRun(experimentID: experiment.id, in: "team-a", context: testContext)
                #expect(!run.info.runName.isEmpty)
                ids.insert(run.info.runID)
            }
            #expect(ids.count == 5)
        }
    }

    @Test func getReturnsTheCreatedRunWithItsData() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, created) = try await makeRun(ledger)
            let id = created.info.runID
            try await ledger.logBatch(runID: id, params: [Tag(key: "lr", value: "0.1")],
                                      metrics: [Metric(key: "loss", value: 0.5, timestamp: 10, step: 0)],
                                      tags: [Tag(key: "t", value: "v")], in: "team-a", context: testContext)
            let fetched = try ledger.run(id: id, in: "team-a")
            #expect(fetched.info == created.info)
            #expect(fetched.params == [Tag(key: "lr", value: "0.1")])
            #expect(fetched.tags == [Tag(key: "t", value: "v")])
            #expect(fetched.metrics == [Metric(key: "loss", value: 0.5, timestamp: 10, step: 0)])
        }
    }

    @Test func getOfAnUnknownRunIsResourceDoesNotExist() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await makeRun(ledger)
            await expectLedgerError(.resourceDoesNotExist) { try ledger.run(id: String(repeating: "0", count: 32), in: "team-a") }
        }
    }

    @Test func createRunInAnUnknownExperimentIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await makeExperiment(ledger)
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.createRun(experimentID: 999, in: "team-a", context: testContext)
            }
        }
    }

    @Test func createRunInADeletedExperimentIsRefusedUntilRestored() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            try await ledger.deleteExperiment(id: experiment.id, in: "team-a", context: testContext)
            let error = try await expectRefusal(ledger, .invalidState) {
                try await ledger.createRun(experimentID: experiment.id, in: "team-a", context: testContext)
            }
            #expect(error?.message.contains("deleted") == true)
            try await ledger.restoreExperiment(id: experiment.id, in: "team-a", context: testContext)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "team-a", context: testContext)
            #expect(run.info.lifecycleStage == .active)
        }
    }

    @Test(arguments: [
        (name: "run name", tags: [Tag](), runName: String(repeating: "n", count: 251)),
        (name: "empty tag key", tags: [Tag(key: "", value: "v")], runName: "ok"),
        (name: "control character in tag key", tags: [Tag(key: "a\nb", value: "v")], runName: "ok"),
        (name: "tag value too long", tags: [Tag(key: "k", value: String(repeating: "v", count: 8001))], runName: "ok"),
    ])
    func createRunRefusesBadInput(name: String, tags: [LedgerCore.Tag], runName: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createRun(experimentID: experiment.id, runName: runName, tags: tags, in: "team-a", context: testContext)
            }
        }
    }

    // MARK: Update

    @Test(arguments: [RunStatus.finished, .failed, .killed, .scheduled])
    func updateChangesStatusEndTimeAndName(status: RunStatus) async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            let updated = try await ledger.updateRun(id: id, RunUpdate(status: status, endTime: 9_999, runName: "renamed"), in: "team-a", context: testContext)
            #expect(updated.status == status)
            #expect(updated.endTime == 9_999)
            #expect(updated.runName == "renamed")
            let stored = try ledger.run(id: id, in: "team-a").info
            #expect(stored == updated)
            #expect(stored.startTime == 1_000)

            let event = try lastEvent(ledger)
            guard case let .runUpdated(runID, statusChange, endChange, nameChange) = event.payload else {
                Issue.record("expected run.updated, got \(event.payload)")
                return
            }
            #expect(runID == id)
            #expect(statusChange == FieldChange(before: .running, after: status))
            #expect(endChange == FieldChange(before: nil, after: 9_999))
            #expect(nameChange == FieldChange(before: "r1", after: "renamed"))
        }
    }

    @Test func updateOfOneFieldLeavesTheOthers() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            _ = try await ledger.updateRun(id: id, RunUpdate(endTime: 5), in: "team-a", context: testContext)
            let stored = try ledger.run(id: id, in: "team-a").info
            #expect(stored.endTime == 5)
            #expect(stored.status == .running)
            #expect(stored.runName == "r1")
        }
    }

    @Test func anUpdateThatChangesNothingWritesNothing() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let before = try ledger.head()
            _ = try await ledger.updateRun(id: run.info.runID, RunUpdate(status: .running, runName: "r1"), in: "team-a", context: testContext)
            #expect(try ledger.head() == before)
        }
    }

    @Test func runInfoIsTheRunWithoutItsDataAndScopedToItsWorkspace() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            try await ledger.logParam(runID: run.info.runID, key: "lr", value: "0.1", in: "team-a", context: testContext)
            #expect(try ledger.runInfo(id: run.info.runID, in: "team-a") == ledger.run(id: run.info.runID, in: "team-a").info)
            await expectLedgerError(.resourceDoesNotExist) { try ledger.runInfo(id: run.info.runID, in: "default") }
        }
    }

    @Test func updatingADeletedRunIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            try await ledger.deleteRun(id: run.info.runID, in: "team-a", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.updateRun(id: run.info.runID, RunUpdate(status: .finished), in: "team-a", context: testContext)
            }
            #expect(try ledger.run(id: run.info.runID, in: "team-a").info.status == .running)
        }
    }

    @Test func updateRefusesAnOverlongName() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.updateRun(id: run.info.runID, RunUpdate(runName: String(repeating: "x", count: 251)), in: "team-a", context: testContext)
            }
            #expect(try ledger.run(id: run.info.runID, in: "team-a").info.runName == "r1")
        }
    }

    // MARK: Delete and restore

    @Test func deleteAndRestore() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (experiment, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.deleteRun(id: id, in: "team-a", context: testContext)
            #expect(try ledger.run(id: id, in: "team-a").info.lifecycleStage == .deleted)
            #expect(try lastEvent(ledger).type == .runDeleted)
            #expect(try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id]).items.isEmpty)

            try await ledger.restoreRun(id: id, in: "team-a", context: testContext)
            #expect(try ledger.run(id: id, in: "team-a").info.lifecycleStage == .active)
            #expect(try lastEvent(ledger).type == .runRestored)
            #expect(try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id]).items.map(\.info.runID) == [id])
        }
    }

    enum LogKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case param, metric, tag, batch
        var testDescription: String { rawValue }

        func log(_ ledger: Ledger, runID: String, key: String = "k", in workspace: String = "team-a") async throws {
            switch self {
            case .param: try await ledger.logParam(runID: runID, key: key, value: "v", in: workspace, context: testContext)
            case .metric: try await ledger.logMetric(runID: runID, Metric(key: key, value: 1, timestamp: 1, step: 0), in: workspace, context: testContext)
            case .tag: try await ledger.setRunTag(runID: runID, key: key, value: "v", in: workspace, context: testContext)
            case .batch: try await ledger.logBatch(runID: runID, params: [Tag(key: key, value: "v")],
                                                   metrics: [Metric(key: key, value: 1, timestamp: 1, step: 0)],
                                                   tags: [Tag(key: key, value: "v")], in: workspace, context: testContext)
            }
        }
    }

    @Test(arguments: LogKind.allCases)
    func loggingToADeletedRunIsRefused(kind: LogKind) async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.deleteRun(id: id, in: "team-a", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue) { try await kind.log(ledger, runID: id) }
            // Restored, it takes data again.
            try await ledger.restoreRun(id: id, in: "team-a", context: testContext)
            try await kind.log(ledger, runID: id)
        }
    }

    @Test func deletingATagOfADeletedRunIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.setRunTag(runID: id, key: "k", value: "v", in: "team-a", context: testContext)
            try await ledger.deleteRun(id: id, in: "team-a", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.deleteRunTag(runID: id, key: "k", in: "team-a", context: testContext)
            }
        }
    }

    // MARK: Parameters

    @Test func aParamLoggedAgainWithTheSameValueIsAcceptedAndWritesNothing() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logParam(runID: id, key: "lr", value: "0.01", in: "team-a", context: testContext)
            let before = try ledger.head()
            try await ledger.logParam(runID: id, key: "lr", value: "0.01", in: "team-a", context: testContext)
            #expect(try ledger.head() == before)
            #expect(try ledger.run(id: id, in: "team-a").params == [Tag(key: "lr", value: "0.01")])
        }
    }

    @Test func aParamCannotChangeValue() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logParam(runID: id, key: "lr", value: "0.01", in: "team-a", context: testContext)
            let error = try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logParam(runID: id, key: "lr", value: "0.02", in: "team-a", context: testContext)
            }
            let message = try #require(error?.message)
            #expect(message.contains("lr"), "\(message)")
            #expect(message.contains("0.01"), "\(message)")
            #expect(message.contains("0.02"), "\(message)")
            #expect(try ledger.run(id: id, in: "team-a").params == [Tag(key: "lr", value: "0.01")])
        }
    }

    @Test func aBatchThatChangesAParamWritesNothingAtAll() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logParam(runID: id, key: "lr", value: "0.01", in: "team-a", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logBatch(runID: id, params: [Tag(key: "new", value: "1"), Tag(key: "lr", value: "0.5")],
                                          metrics: [Metric(key: "m", value: 1, timestamp: 1, step: 0)],
                                          tags: [Tag(key: "t", value: "v")], in: "team-a", context: testContext)
            }
            let stored = try ledger.run(id: id, in: "team-a")
            #expect(stored.params == [Tag(key: "lr", value: "0.01")])
            #expect(stored.metrics.isEmpty)
            #expect(stored.tags.isEmpty)
            #expect(try ledger.metricHistory(runID: id, key: "m", in: "team-a").isEmpty)
        }
    }

    @Test func aBatchWithOneKeyTwiceAtDifferentValuesIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            let error = try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logBatch(runID: id, params: [Tag(key: "a", value: "1"), Tag(key: "b", value: "x"), Tag(key: "a", value: "2")],
                                          in: "team-a", context: testContext)
            }
            #expect(error?.message.contains("'a'") == true, "\(String(describing: error))")
            #expect(try ledger.run(id: id, in: "team-a").params.isEmpty)
        }
    }

    @Test func aBatchWithOneKeyTwiceAtTheSameValueLogsItOnce() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logBatch(runID: id, params: [Tag(key: "a", value: "1"), Tag(key: "a", value: "1")], in: "team-a", context: testContext)
            #expect(try ledger.run(id: id, in: "team-a").params == [Tag(key: "a", value: "1")])
            guard case let .runDataLogged(_, params, _, _) = try lastEvent(ledger).payload else {
                Issue.record("expected run.data_logged")
                return
            }
            #expect(params == [Tag(key: "a", value: "1")])
        }
    }

    @Test func aBatchRecordsOnlyTheParamsThatAreNew() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logParam(runID: id, key: "old", value: "1", in: "team-a", context: testContext)
            try await ledger.logBatch(runID: id, params: [Tag(key: "old", value: "1"), Tag(key: "new", value: "2")], in: "team-a", context: testContext)
            guard case let .runDataLogged(_, params, _, _) = try lastEvent(ledger).payload else {
                Issue.record("expected run.data_logged")
                return
            }
            #expect(params == [Tag(key: "new", value: "2")])
            #expect(try ledger.run(id: id, in: "team-a").params == [Tag(key: "new", value: "2"), Tag(key: "old", value: "1")])
        }
    }

    @Test func paramValueLimit() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logParam(runID: id, key: "ok", value: String(repeating: "v", count: 6000), in: "team-a", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logParam(runID: id, key: "long", value: String(repeating: "v", count: 6001), in: "team-a", context: testContext)
            }
            // 6002 code points in 3001 characters.
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logParam(runID: id, key: "accents", value: String(repeating: "e\u{301}", count: 3001), in: "team-a", context: testContext)
            }
        }
    }

    // MARK: Metrics

    @Test func metricHistoryKeepsEveryValueInLoggingOrder() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            let logged = [
                Metric(key: "loss", value: 0.9, timestamp: 100, step: 0),
                Metric(key: "loss", value: 0.7, timestamp: 300, step: 2),
                Metric(key: "loss", value: 0.8, timestamp: 200, step: 1),
                Metric(key: "loss", value: 0.8, timestamp: 200, step: 1), // an exact repeat is kept too
            ]
            for metric in logged.prefix(2) { try await ledger.logMetric(runID: id, metric, in: "team-a", context: testContext) }
            try await ledger.logBatch(runID: id, metrics: Array(logged.suffix(2)), in: "team-a", context: testContext)
            // Another key, one that extends this one's name, does not leak into its history.
            try await ledger.logMetric(runID: id, Metric(key: "loss2", value: 5, timestamp: 1, step: 0), in: "team-a", context: testContext)
            #expect(try ledger.metricHistory(runID: id, key: "loss", in: "team-a") == logged)
            #expect(try ledger.metricHistory(runID: id, key: "loss2", in: "team-a") == [Metric(key: "loss2", value: 5, timestamp: 1, step: 0)])
            #expect(try ledger.metricHistory(runID: id, key: "absent", in: "team-a").isEmpty)
        }
    }

    /// A long series (older points sealed into chunks) comes back whole and in logging order, the
    /// same after a rebuild, interleaved with another series of the same run.
    @Test func longMetricHistorySurvivesSealingAndRebuild() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            var loss: [Metric] = []
            var accuracy: [Metric] = []
            for batch in 0..<5 {
                let points = (0..<200).map { Metric(key: "loss", value: 1 / Double(batch * 200 + $0 + 1), timestamp: Int64(1_700_000_000_000 + batch * 977 + $0 * 13), step: Int64(batch * 200 + $0)) }
                try await ledger.logBatch(runID: id, metrics: points, in: "team-a", context: testContext)
                loss += points
                let single = Metric(key: "accuracy", value: Double(batch), timestamp: 5, step: Int64(batch))
                try await ledger.logMetric(runID: id, single, in: "team-a", context: testContext)
                accuracy.append(single)
            }
            #expect(try ledger.metricHistory(runID: id, key: "loss", in: "team-a") == loss)
            #expect(try ledger.metricHistory(runID: id, key: "accuracy", in: "team-a") == accuracy)
            #expect(try ledger.run(id: id, in: "team-a").metrics.first { $0.key == "loss" } == loss.last)
            try ledger.rebuildProjections()
            #expect(try ledger.metricHistory(runID: id, key: "loss", in: "team-a") == loss)
            #expect(try ledger.verify().isClean)
        }
    }

    /// MLflow's latest metric: the highest step wins, then the latest timestamp (then the larger value).
    @Test(arguments: [
        (name: "higher step beats later timestamp",
         logged: [(1.0, 500, 1), (2.0, 100, 2)], latest: 2.0),
        (name: "lower step logged later loses",
         logged: [(2.0, 100, 2), (1.0, 500, 1)], latest: 2.0),
        (name: "same step: later timestamp wins over a larger value",
         logged: [(9.0, 100, 3), (2.0, 200, 3)], latest: 2.0),
        (name: "same step: earlier timestamp logged later loses, even with a larger value",
         logged: [(2.0, 200, 3), (9.0, 100, 3)], latest: 2.0),
        (name: "same step and time: larger value wins",
         logged: [(5.0, 100, 0), (3.0, 100, 0)], latest: 5.0),
        (name: "negative steps",
         logged: [(1.0, 900, -5), (2.0, 100, -1)], latest: 2.0),
    ] as [(name: String, logged: [(Double, Int64, Int64)], latest: Double)])
    func latestMetricFollowsMLflowsRule(name: String, logged: [(Double, Int64, Int64)], latest: Double) async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            for (value, timestamp, step) in logged {
                try await ledger.logMetric(runID: id, Metric(key: "acc", value: value, timestamp: timestamp, step: step), in: "team-a", context: testContext)
            }
            let metrics = try ledger.run(id: id, in: "team-a").metrics
            #expect(metrics.count == 1)
            #expect(metrics.first?.value == latest, "\(name): \(metrics)")
            #expect(try ledger.metricHistory(runID: id, key: "acc", in: "team-a").count == logged.count)
        }
    }

    @Test func latestMetricWithinOneBatch() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.logBatch(runID: id, metrics: [
                Metric(key: "acc", value: 0.5, timestamp: 10, step: 7),
                Metric(key: "acc", value: 0.9, timestamp: 99, step: 3),
                Metric(key: "f1", value: 0.1, timestamp: 1, step: 0),
            ], in: "team-a", context: testContext)
            #expect(try ledger.run(id: id, in: "team-a").metrics == [
                Metric(key: "acc", value: 0.5, timestamp: 10, step: 7),
                Metric(key: "f1", value: 0.1, timestamp: 1, step: 0),
            ])
        }
    }

    // MARK: Batches: all or nothing, limits, keys

    @Test func aBatchWithOneBadParamWritesNothing() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logBatch(runID: id, params: [Tag(key: "good", value: "1"), Tag(key: "", value: "bad")],
                                          metrics: [Metric(key: "m", value: 1, timestamp: 1, step: 0)],
                                          tags: [Tag(key: "t", value: "v")], in: "team-a", context: testContext)
            }
            let stored = try ledger.run(id: id, in: "team-a")
            #expect(stored.params.isEmpty)
            #expect(stored.metrics.isEmpty)
            #expect(stored.tags.isEmpty)
        }
    }

    @Test func aGoodBatchWritesEverythingInOneEvent() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            let before = try ledger.head()
            try await ledger.logBatch(runID: id, params: [Tag(key: "p", value: "1")],
                                      metrics: [Metric(key: "m", value: 1, timestamp: 1, step: 0)],
                                      tags: [Tag(key: "t", value: "v")], in: "team-a", context: testContext)
            #expect(try ledger.head().sequence == before.sequence + 1)
            let stored = try ledger.run(id: id, in: "team-a")
            #expect(stored.params.count == 1 && stored.metrics.count == 1 && stored.tags.count == 1)
        }
    }

    enum Oversize: String, CaseIterable, Sendable {
        case params, metrics, tags

        func batch(over: Bool) -> (params: [LedgerCore.Tag], metrics: [Metric], tags: [LedgerCore.Tag]) {
            switch self {
            case .params:
                let n = Ledger.maxBatchParams + (over ? 1 : 0)
                return ((0..<n).map { Tag(key: "p\($0)", value: "v") }, [], [])
            case .metrics:
                let n = Ledger.maxBatchMetrics + (over ? 1 : 0)
                return ([], (0..<n).map { Metric(key: "m", value: Double($0), timestamp: Int64($0), step: Int64($0)) }, [])
            case .tags:
                let n = Ledger.maxBatchTags + (over ? 1 : 0)
                return ([], [], (0..<n).map { Tag(key: "t\($0)", value: "v") })
            }
        }
    }

    @Test(arguments: Oversize.allCases)
    func batchLimits(kind: Oversize) async throws {
        #expect(Ledger.maxBatchParams == 100 && Ledger.maxBatchMetrics == 1000 && Ledger.maxBatchTags == 100)
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            let over = kind.batch(over: true)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.logBatch(runID: id, params: over.params, metrics: over.metrics, tags: over.tags, in: "team-a", context: testContext)
            }
            let atLimit = kind.batch(over: false)
            try await ledger.logBatch(runID: id, params: atLimit.params, metrics: atLimit.metrics, tags: atLimit.tags, in: "team-a", context: testContext)
            let stored = try ledger.run(id: id, in: "team-a")
            #expect(stored.params.count == atLimit.params.count)
            #expect(stored.tags.count == atLimit.tags.count)
            #expect(try ledger.metricHistory(runID: id, key: "m", in: "team-a").count == atLimit.metrics.count)
        }
    }

    enum BadKey: String, CaseIterable, Sendable {
        case empty, tooLong, tooManyCodePoints, newline, tab, nul, delete

        var key: String {
            switch self {
            case .empty: ""
            case .tooLong: String(repeating: "k", count: 251)
            // 252 code points in 126 characters: MLflow counts code points (Python's len).
            case .tooManyCodePoints: String(repeating: "e\u{301}", count: 126)
            case .newline: "a\nb"
            case .tab: "a\tb"
            case .nul: "a\u{0}b"
            case .delete: "a\u{7F}b"
            }
        }
    }

    @Test(arguments: BadKey.allCases, LogKind.allCases)
    func badKeysAreRefused(bad: BadKey, kind: LogKind) async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await kind.log(ledger, runID: run.info.runID, key: bad.key)
            }
        }
    }

    @Test(arguments: LogKind.allCases)
    func aKeyOf250CharactersIsAccepted(kind: LogKind) async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let key = String(repeating: "k", count: 250)
            try await kind.log(ledger, runID: run.info.runID, key: key)
            let stored = try ledger.run(id: run.info.runID, in: "team-a")
            #expect((stored.params + stored.tags).map(\.key).contains(key) || stored.metrics.map(\.key).contains(key))
        }
    }

    // MARK: Tags

    @Test func setOverwriteAndDeleteATag() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.setRunTag(runID: id, key: "stage", value: "dev", in: "team-a", context: testContext)
            try await ledger.setRunTag(runID: id, key: "stage", value: "prod", in: "team-a", context: testContext)
            #expect(try ledger.run(id: id, in: "team-a").tags == [Tag(key: "stage", value: "prod")])
            try await ledger.deleteRunTag(runID: id, key: "stage", in: "team-a", context: testContext)
            #expect(try ledger.run(id: id, in: "team-a").tags.isEmpty)
            guard case let .runTagDeleted(runID, key, previous) = try lastEvent(ledger).payload else {
                Issue.record("expected run.tag_deleted")
                return
            }
            #expect(runID == id && key == "stage" && previous == "prod")
        }
    }

    @Test func deletingAMissingTagIsResourceDoesNotExist() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger)
            let id = run.info.runID
            try await ledger.setRunTag(runID: id, key: "other", value: "v", in: "team-a", context: testContext)
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.deleteRunTag(runID: id, key: "missing", in: "team-a", context: testContext)
            }
            #expect(try ledger.run(id: id, in: "team-a").tags == [Tag(key: "other", value: "v")])
        }
    }

    // MARK: Workspace isolation

    enum ForeignAccess: String, CaseIterable, Sendable {
        case get, update, logParam, logMetric, setTag, logBatch, deleteTag, delete, restore, metricHistory

        func perform(_ ledger: Ledger, runID: String, in workspace: String) async throws {
            let context = testContext
            switch self {
            case .get: _ = try ledger.run(id: runID, in: workspace)
            case .update: _ = try await ledger.updateRun(id: runID, RunUpdate(status: .finished), in: workspace, context: context)
            case .logParam: try await ledger.logParam(runID: runID, key: "x", value: "1", in: workspace, context: context)
            case .logMetric: try await ledger.logMetric(runID: runID, Metric(key: "x", value: 1, timestamp: 1, step: 0), in: workspace, context: context)
            case .setTag: try await ledger.setRunTag(runID: runID, key: "x", value: "1", in: workspace, context: context)
            case .logBatch: try await ledger.logBatch(runID: runID, params: [Tag(key: "y", value: "1")], in: workspace, context: context)
            case .deleteTag: try await ledger.deleteRunTag(runID: runID, key: "t", in: workspace, context: context)
            case .delete: try await ledger.deleteRun(id: runID, in: workspace, context: context)
            case .restore: try await ledger.restoreRun(id: runID, in: workspace, context: context)
            case .metricHistory: _ = try ledger.metricHistory(runID: runID, key: "m", in: workspace)
            }
        }
    }

    @Test(arguments: ForeignAccess.allCases)
    func aRunOfAnotherWorkspaceDoesNotExist(access: ForeignAccess) async throws {
        try await withTemporaryLedger { ledger, _ in
            let (_, run) = try await makeRun(ledger, in: "team-a")
            let id = run.info.runID
            try await ledger.setRunTag(runID: id, key: "t", value: "v", in: "team-a", context: testContext)
            try await ledger.logMetric(runID: id, Metric(key: "m", value: 1, timestamp: 1, step: 0), in: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            let original = try ledger.run(id: id, in: "team-a")
            for workspace in ["team-b", "default"] {
                let error = try await expectRefusal(ledger, .resourceDoesNotExist) { try await access.perform(ledger, runID: id, in: workspace) }
                #expect(error?.message.contains(id) == true)
            }
            #expect(try ledger.run(id: id, in: "team-a") == original)
            // The same call in the run's own workspace succeeds.
            try await access.perform(ledger, runID: id, in: "team-a")
        }
    }

    @Test func createRunInAnExperimentOfAnotherWorkspaceIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger, in: "team-a")
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.createRun(experimentID: experiment.id, in: "team-b", context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.createRun(experimentID: Experiment.defaultExperimentID, in: "team-b", context: testContext)
            }
        }
    }

    @Test func searchRunsIgnoresExperimentsOfOtherWorkspaces() async throws {
        try await withTemporaryLedger { ledger, _ in
            let (experimentA, runA) = try await makeRun(ledger, in: "team-a")
            let experimentB = try await makeExperiment(ledger, in: "team-b")
            let runB = try await ledger.createRun(experimentID: experimentB.id, in: "team-b", context: testContext)
            #expect(try ledger.searchRuns(in: "team-b", experimentIDs: [experimentA.id], viewType: .all).items.isEmpty)
            let mixed = try ledger.searchRuns(in: "team-b", experimentIDs: [experimentA.id, experimentB.id], viewType: .all)
            #expect(mixed.items.map(\.info.runID) == [runB.info.runID])
            #expect(try ledger.searchRuns(in: "team-a", experimentIDs: [experimentA.id, experimentB.id]).items.map(\.info.runID) == [runA.info.runID])
            #expect(try ledger.searchRuns(in: "team-a", experimentIDs: [12345]).items.isEmpty)
        }
    }

    // MARK: Search

    @Test(arguments: [
        (view: ViewType.activeOnly, expected: ["r3", "r1"]),
        (view: .deletedOnly, expected: ["r2"]),
        (view: .all, expected: ["r3", "r2", "r1"]),
    ])
    func searchRunsByViewType(view: ViewType, expected: [String]) async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            var ids: [String: String] = [:]
            for (index, name) in ["r1", "r2", "r3"].enumerated() {
                let run = try await ledger.createRun(experimentID: experiment.id, runName: name, startTime: Int64(100 * (index + 1)), in: "team-a", context: testContext)
                ids[name] = run.info.runID
            }
            try await ledger.deleteRun(id: ids["r2"]!, in: "team-a", context: testContext)
            let page = try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id], viewType: view)
            #expect(page.items.map(\.info.runName) == expected)
            #expect(page.nextPageToken == nil)
        }
    }

    @Test func searchRunsPaginatesNewestFirstWithoutGapsOrRepeats() async throws {
        try await withTemporaryLedger { ledger, _ in
            let first = try await makeExperiment(ledger, named: "one")
            let second = try await makeExperiment(ledger, named: "two")
            var expected: [String] = []
            for index in 0..<7 {
                let experimentID = index.isMultiple(of: 2) ? first.id : second.id
                let run = try await ledger.createRun(experimentID: experimentID, startTime: Int64(1_000 + index), in: "team-a", context: testContext)
                expected.insert(run.info.runID, at: 0)
            }
            var seen: [String] = []
            var pageSizes: [Int] = []
            var token: String?
            repeat {
                let page = try ledger.searchRuns(in: "team-a", experimentIDs: [first.id, second.id], maxResults: 3, pageToken: token)
                pageSizes.append(page.items.count)
                seen += page.items.map(\.info.runID)
                token = page.nextPageToken
                if let token { #expect(!token.isEmpty) }
            } while token != nil && pageSizes.count < 10
            #expect(pageSizes == [3, 3, 1])
            #expect(seen == expected)
        }
    }

    @Test func searchRunsWithExactlyOnePageLeftGivesNoToken() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            for index in 0..<4 {
                _ = try await ledger.createRun(experimentID: experiment.id, startTime: Int64(index), in: "team-a", context: testContext)
            }
            let first = try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id], maxResults: 2)
            let token = try #require(first.nextPageToken)
            let second = try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id], maxResults: 2, pageToken: token)
            #expect(second.items.count == 2)
            #expect(second.nextPageToken == nil)
        }
    }

    @Test(arguments: [0, -1, Ledger.maxPageSize + 1])
    func searchRunsRefusesABadPageSize(maxResults: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            await expectLedgerError(.invalidParameterValue) {
                try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id], maxResults: maxResults)
            }
        }
    }

    @Test(arguments: ["not-a-token!", "AQ"])
    func searchRunsRefusesAForeignOrDamagedToken(token: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await makeExperiment(ledger)
            await expectLedgerError(.invalidParameterValue) {
                try ledger.searchRuns(in: "team-a", experimentIDs: [experiment.id], pageToken: token)
            }
        }
    }
}
