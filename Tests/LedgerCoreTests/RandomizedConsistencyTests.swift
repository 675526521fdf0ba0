import Foundation
import LedgerLMDB
import Synchronization
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Thousands of random commands from many concurrent tasks against one ledger; afterwards the log
/// must be gapless and hash-chained, every refused command must have left no trace, the views must
/// hang together, `verify()` must be clean, and a rebuild from the log must reproduce every view
/// byte for byte. A refused command never moves the head, alone or inside a batch of others.
///
/// The commands come from a seeded generator (SplitMix64). The seed is printed; rerun with
/// `LEDGER_RANDOM_SEED=<seed>` to replay the same command streams (the interleaving of the tasks
/// is up to the scheduler).
@Suite struct RandomizedConsistencyTests {
    static let taskCount = 12
    static let commandsPerTask = 600

    // MARK: - The randomized run

    @Test func concurrentRandomCommandsKeepLogAndViewsConsistent() async throws {
        let seed = ProcessInfo.processInfo.environment["LEDGER_RANDOM_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64.max)
        print("RandomizedConsistencyTests: seed \(seed) (rerun with LEDGER_RANDOM_SEED=\(seed))")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-random-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // 1. The workload, then every check that needs the live ledger.
        let (outcomes, liveViews, head) = try await withReopenableLedger(directory) { ledger in
            // While the commands run, readers verify snapshots and a rebuild replaces the views.
            let done = WorkloadDone()
            let observer = Task { try await Self.observeWhileWriting(ledger, until: done, seed: seed) }
            let outcomes: Outcomes
            do {
                outcomes = try await Self.runWorkload(ledger, seed: seed)
                done.flag.store(true, ordering: .sequentiallyConsistent)
            } catch {
                done.flag.store(true, ordering: .sequentiallyConsistent)
                throw error
            }
            let (observations, rebuiltUnderLoad) = try await observer.value
            print("RandomizedConsistencyTests: seed \(seed): \(observations) snapshots verified during the workload, rebuilt under load: \(rebuiltUnderLoad)")
            #expect(observations > 0, "seed \(seed): nothing was observed during the workload")
            let head = try ledger.head()
            try Self.checkLog(ledger, head: head, outcomes: outcomes, seed: seed)
            try Self.checkViewsHangTogether(ledger, seed: seed)
            let report = try ledger.verify()
            #expect(report.isClean, "seed \(seed): \(report.problemCount) problem(s), first: \(report.problems.prefix(5))")
            #expect(report.viewsCompared == LedgerDatabases.projectionNames.count, "seed \(seed)")
            #expect(report.eventsChecked == head.sequence, "seed \(seed)")
            #expect(report.head == head)
            return (outcomes, try Self.dumpViews(ledger), head)
        }
        print("RandomizedConsistencyTests: seed \(seed): \(outcomes.succeeded.count) commands succeeded, "
              + "\(outcomes.refusalCount) refused \(outcomes.refusals.sorted { $0.key < $1.key }), \(head.sequence) events; "
              + "most refused: \(outcomes.refusalsByCommand.sorted { $0.value > $1.value }.prefix(6).map { "\($0.key) ×\($0.value)" })")
        #expect(outcomes.unexpected.isEmpty, "seed \(seed): \(outcomes.unexpected.prefix(5))")
        #expect(outcomes.succeeded.count + outcomes.refusalCount + outcomes.unexpected.count == Self.taskCount * Self.commandsPerTask)
        // The workload is only a test if it both writes a lot and gets refused a lot.
        #expect(outcomes.succeeded.count > 2000, "seed \(seed)")
        #expect(outcomes.refusalCount > 500, "seed \(seed)")
        #expect(head.sequence > 2000, "seed \(seed)")

        // 2. The closed ledger's databases, read straight from the LMDB directory.
        let (onDisk, logBefore) = try Self.withRawEnvironment(directory, readOnly: true) { environment in
            (try Self.dumpViews(environment), try Self.dumpDatabases(environment, ["events", "meta", TamperDetectionTests.main]))
        }
        Self.expectSameViews(onDisk, liveViews, "views on disk after close vs live views", seed: seed)

        // 3. Rebuild every view from the log and compare byte for byte.
        let rebuilt = try await withReopenableLedger(directory) { ledger in
            let summary = try ledger.rebuildProjections()
            #expect(summary.events == head.sequence, "seed \(seed)")
            #expect(try ledger.head() == head)
            let report = try ledger.verify()
            #expect(report.isClean, "seed \(seed): after rebuild: \(report.problems.prefix(5))")
            return try Self.dumpViews(ledger)
        }
        Self.expectSameViews(rebuilt, liveViews, "views rebuilt from the log vs views written by the commands", seed: seed)

        // 4. The rebuild touched neither the log nor its metadata.
        let logAfter = try Self.withRawEnvironment(directory, readOnly: true) { try Self.dumpDatabases($0, ["events", "meta", TamperDetectionTests.main]) }
        #expect(logAfter == logBefore, "seed \(seed): the rebuild changed the log or its metadata")
    }

    final class WorkloadDone: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// Runs beside the workload until it is done: verifies live snapshots (each must be clean:
    /// readers see a consistent log and views), checks as-of copies, and rebuilds the views once
    /// (under load, unless the workload ends first). Returns how many snapshots it verified.
    static func observeWhileWriting(_ ledger: Ledger, until done: WorkloadDone, seed: UInt64) async throws -> (Int, Bool) {
        var observations = 0
        var rebuilt = false
        var rebuiltUnderLoad = false
        var round = 0
        while !done.flag.load(ordering: .sequentiallyConsistent) && round < 2_000 {
            round += 1
            try await Task.sleep(for: .milliseconds(2))
            let head = try ledger.head()
            let report = try ledger.verify()
            #expect(report.isClean, "seed \(seed): verify during the workload at \(report.head): \(report.problems.prefix(3))")
            #expect(report.head.sequence >= head.sequence)
            observations += 1
            if round % 5 == 2 {
                let past = try await ledger.state(asOf: .sequence(head.sequence))
                #expect(try past.head() == head, "seed \(seed)")
                #expect(try past.verify().isClean, "seed \(seed): as-of \(head.sequence)")
            }
            if !rebuilt && head.sequence > 300 {
                let summary = try ledger.rebuildProjections()
                #expect(summary.events >= head.sequence, "seed \(seed)")
                rebuilt = true
                rebuiltUnderLoad = !done.flag.load(ordering: .sequentiallyConsistent)
            }
        }
        if !rebuilt { _ = try ledger.rebuildProjections() }
        return (observations, rebuiltUnderLoad)
    }

    // MARK: - Refused commands and the head

    @Test func refusedCommandLeavesTheHeadUnchanged() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await ledger.createExperiment(name: "kept", in: "default", context: testContext)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "default", context: testContext)
            try await ledger.logParam(runID: run.info.runID, key: "lr", value: "0.1", in: "default", context: testContext)
            _ = try await ledger.createWorkspace(name: "full", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "m", in: "full", context: testContext)

            let before = try ledger.head()
            // Each is refused by the writer, inside its transaction, after validation passed.
            await expectLedgerError(.resourceDoesNotExist) { try await ledger.createExperiment(name: "x", in: "nowhere", context: testContext) }
            await expectLedgerError(.resourceAlreadyExists) { try await ledger.createExperiment(name: "kept", in: "default", context: testContext) }
            await expectLedgerError(.invalidParameterValue) { try await ledger.logParam(runID: run.info.runID, key: "lr", value: "0.2", in: "default", context: testContext) }
            await expectLedgerError(.invalidState) { try await ledger.deleteWorkspace(name: "full", mode: .restrict, context: testContext) }
            await expectLedgerError(.resourceDoesNotExist) { try await ledger.setPermission(.read, for: "nobody", on: .workspace("full"), context: testContext) }
            #expect(try ledger.head() == before)
            #expect(try ledger.events(from: before.sequence + 1).isEmpty)
            #expect(try ledger.verify().isClean)
        }
    }

    /// Many commands queued together, one of them refused: the others commit, the refused one
    /// leaves no event, and the head is exactly the successful commands' events.
    @Test func refusedCommandAmongConcurrentSuccessesLeavesNoTrace() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "default", context: testContext)
            try await ledger.logParam(runID: run.info.runID, key: "p", value: "1", in: "default", context: testContext)
            let before = try ledger.head()
            let good = 64
            let refused = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<good {
                    group.addTask {
                        _ = try await ledger.createWorkspace(name: "ws-\(i)", context: Self.context("good-\(i)"))
                        return false
                    }
                    if i == good / 2 {
                        group.addTask {
                            do {
                                try await ledger.logParam(runID: run.info.runID, key: "p", value: "2", in: "default", context: Self.context("bad"))
                                return false
                            } catch let error as LedgerError where error.code == .invalidParameterValue {
                                return true
                            }
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(refused == 1)
            let after = try ledger.head()
            #expect(after.sequence == before.sequence + UInt64(good))
            let events = try ledger.events(from: before.sequence + 1)
            #expect(events.count == good)
            #expect(events.last?.hash == after.hash)
            #expect(!events.contains { $0.requestID == "bad" })
            #expect(Set(events.map(\.requestID)) == Set((0..<good).map { "good-\($0)" }))
            #expect(try ledger.run(id: run.info.runID, in: "default").params == [LedgerCore.Tag(key: "p", value: "1")])
            #expect(try ledger.verify().isClean)
        }
    }

    /// The same, made deterministic: the writer is held while the commands queue, so they share
    /// one batch (one write transaction). Commands that see the same committed head in their
    /// transaction are in the same batch, since the head is written once, at the end of a batch.
    /// The refused command emits an event before it throws: that event must vanish too.
    @Test func refusedCommandInsideABatchOfSuccessesIsDiscardedAlone() async throws {
        try await withTemporaryLedger { ledger, _ in
            let before = try ledger.head()
            let ids = (0..<40).map { "good-\($0)" } + ["bad"]
            let (outcome, observed) = try await Self.inOneBatch(ledger, ids.shuffled()) { id, txn, decision in
                let name = id == "bad" ? "never-there" : "batch-\(id)"
                guard try decision.reader.workspace(name, txn) == nil else {
                    throw LedgerError(.resourceAlreadyExists, "Workspace '\(name)' already exists")
                }
                decision.emit(.workspaceCreated(name: name, description: nil, defaultArtifactRoot: nil), in: name)
                if id == "bad" { throw LedgerError(.invalidState, "refused after emitting") }
            }
            #expect(outcome.count == ids.count)
            #expect((outcome["bad"]?.error as? LedgerError)?.code == .invalidState)
            #expect(outcome.filter { $0.key != "bad" }.allSatisfy { $0.value.error == nil })
            let badBatch = try #require(observed["bad"]?.first)
            #expect(observed.contains { $0.key != "bad" && $0.value.first == badBatch },
                    "the refused command did not share a batch with a successful one: \(observed)")

            let after = try ledger.head()
            #expect(after.sequence == before.sequence + UInt64(ids.count - 1))
            let events = try ledger.events(from: before.sequence + 1)
            #expect(events.count == ids.count - 1)
            #expect(events.last?.hash == after.hash)
            #expect(!events.contains { $0.requestID == "bad" || $0.workspace == "never-there" })
            await expectLedgerError(.resourceDoesNotExist) { try ledger.workspace(named: "never-there") }
            #expect(try ledger.verify().isClean)
        }
    }

    /// A command whose events the views reject (a storage-level failure, not a refusal) aborts its
    /// batch's transaction; the writer then retries each command alone, so the others still commit
    /// and only the bad one fails.
    @Test func commandFailingInsideTheWriteTransactionDoesNotFailItsBatch() async throws {
        try await withTemporaryLedger { ledger, _ in
            let before = try ledger.head()
            let ids = (0..<30).map { "good-\($0)" } + ["bad"]
            let (outcome, observed) = try await Self.inOneBatch(ledger, ids.shuffled()) { id, txn, decision in
                if id == "bad" {
                    // Decides fine, but the projector finds no such workspace: corruptedData.
                    decision.emit(.workspaceUpdated(name: "ghost", description: FieldChange(before: nil, after: "x"), defaultArtifactRoot: nil), in: "ghost")
                } else {
                    decision.emit(.workspaceCreated(name: "batch-\(id)", description: nil, defaultArtifactRoot: nil), in: "batch-\(id)")
                }
            }
            #expect((outcome["bad"]?.error as? LedgerError)?.code == .corruptedData)
            #expect(outcome.filter { $0.key != "bad" }.allSatisfy { $0.value.error == nil })
            // The first attempt was one batch; then each command ran again on its own (those
            // queued after the bad one never ran in the failed attempt).
            #expect(observed["bad"]?.count == 2)
            #expect(observed.allSatisfy { (1...2).contains($0.value.count) }, "\(observed)")

            let after = try ledger.head()
            #expect(after.sequence == before.sequence + UInt64(ids.count - 1))
            let events = try ledger.events(from: before.sequence + 1)
            #expect(Set(events.map(\.requestID)) == Set(ids.filter { $0 != "bad" }))
            #expect(try ledger.verify().isClean)
        }
    }

    /// What the commands of ``inOneBatch(_:_:_:)`` report.
    final class BatchProbe: Sendable {
        /// Request id → the committed head sequence its command saw in its transaction, per run.
        let seen = Mutex<[String: [UInt64]]>([:])
        let queued = Atomic<Int>(0)
        let writerHeld = Atomic<Bool>(false)
    }

    /// Runs one internal command per id so that they queue while the writer is held inside a
    /// transaction, and so join that transaction when it is released. Returns each command's
    /// outcome and, per id, the committed head each run of its decision saw (the same value means
    /// the same batch).
    static func inOneBatch(
        _ ledger: Ledger, _ ids: [String],
        _ decide: @escaping @Sendable (String, borrowing Transaction, inout Decision) throws -> Void
    ) async throws -> ([String: Result<Void, any Error>], [String: [UInt64]]) {
        let probe = BatchProbe()
        let gate = DispatchSemaphore(value: 0)
        let log = ledger.log
        // Holds the writer thread until every command below is queued.
        let blocker = Task {
            try await ledger.submit(context("blocker")) { _, _ in
                // Only its first run holds the writer: a failed batch runs each command again alone.
                if !probe.writerHeld.exchange(true, ordering: .sequentiallyConsistent) {
                    _ = gate.wait(timeout: .now() + 10)
                }
            }
        }
        while !probe.writerHeld.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }

        let results = Task {
            await withTaskGroup(of: (String, Result<Void, any Error>).self) { group in
                for id in ids {
                    group.addTask {
                        probe.queued.add(1, ordering: .sequentiallyConsistent)
                        do {
                            try await ledger.submit(context(id)) { txn, decision in
                                let observed = try log.head(txn).sequence
                                probe.seen.withLock { $0[id, default: []].append(observed) }
                                try decide(id, txn, &decision)
                            }
                            return (id, .success(()))
                        } catch {
                            return (id, .failure(error))
                        }
                    }
                }
                var outcome: [String: Result<Void, any Error>] = [:]
                for await (id, result) in group { outcome[id] = result }
                return outcome
            }
        }
        // Let every task reach the queue, then release the writer.
        let deadline = ContinuousClock.now + .seconds(5)
        while probe.queued.load(ordering: .sequentiallyConsistent) < ids.count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        try await Task.sleep(for: .milliseconds(50))
        gate.signal()
        try await blocker.value
        let outcome = await results.value
        return (outcome, probe.seen.withLock { $0 })
    }

    /// A batch in which every command is refused writes nothing at all, not even the head.
    @Test func batchOfOnlyRefusedCommandsLeavesTheHeadUnchanged() async throws {
        try await withTemporaryLedger { ledger, _ in
            let before = try ledger.head()
            let refused = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<32 {
                    group.addTask {
                        do {
                            _ = try await ledger.createExperiment(name: "x\(i)", in: "missing-\(i % 3)", context: Self.context("r\(i)"))
                            return 0
                        } catch let error as LedgerError where error.code == .resourceDoesNotExist {
                            return 1
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(refused == 32)
            #expect(try ledger.head() == before)
            #expect(try ledger.verify().isClean)
        }
    }

    // MARK: - The workload

    struct Outcomes: Sendable {
        var succeeded: Set<String> = []
        var refused: Set<String> = []
        /// Refusals by error code.
        var refusals: [String: Int] = [:]
        var refusalsByCommand: [String: Int] = [:]
        /// Errors that are not domain refusals (storage, corrupted data, crashes of logic).
        var unexpected: [String] = []
        var refusalCount: Int { refused.count }

        mutating func merge(_ other: Outcomes) {
            succeeded.formUnion(other.succeeded)
            refused.formUnion(other.refused)
            refusals.merge(other.refusals, uniquingKeysWith: +)
            refusalsByCommand.merge(other.refusalsByCommand, uniquingKeysWith: +)
            unexpected += other.unexpected
        }
    }

    /// What the tasks learn as they go, to aim later commands at things that (probably) exist.
    final class World: Sendable {
        struct State {
            var experiments: [(id: Int64, workspace: String)] = [(0, "default")]
            var runs: [(id: String, workspace: String)] = []
        }
        let state = Mutex(State())

        func addExperiment(_ id: Int64, _ workspace: String) { state.withLock { $0.experiments.append((id, workspace)) } }
        func addRun(_ id: String, _ workspace: String) { state.withLock { $0.runs.append((id, workspace)) } }
        // Mostly one of the 40 most recent (likely still there), sometimes any.
        static func index(_ pick: UInt64, _ count: Int) -> Int {
            pick % 4 == 0 ? Int((pick >> 2) % UInt64(count)) : count - 1 - Int((pick >> 2) % UInt64(min(count, 40)))
        }
        func experiment(_ pick: UInt64) -> (id: Int64, workspace: String) {
            state.withLock { s in s.experiments[Self.index(pick, s.experiments.count)] }
        }
        func run(_ pick: UInt64) -> (id: String, workspace: String)? {
            state.withLock { s in s.runs.isEmpty ? nil : s.runs[Self.index(pick, s.runs.count)] }
        }
    }

    static func runWorkload(_ ledger: Ledger, seed: UInt64) async throws -> Outcomes {
        let world = World()
        // Each task's seed is an output of the master stream: seeds one gamma apart would give the
        // same stream shifted by one step.
        var seeder = SplitMix64(seed: seed)
        let seeds = (0..<taskCount).map { _ in seeder.next() }
        return try await withThrowingTaskGroup(of: Outcomes.self) { group in
            for task in 0..<taskCount {
                group.addTask {
                    var rng = SplitMix64(seed: seeds[task])
                    var outcomes = Outcomes()
                    for index in 0..<commandsPerTask {
                        let requestID = "t\(task)-c\(index)"
                        var label = ""
                        do {
                            try await Self.randomCommand(ledger, world, &rng, requestID: requestID, label: &label)
                            outcomes.succeeded.insert(requestID)
                        } catch let error as LedgerError where error.code.isDomainError {
                            outcomes.refused.insert(requestID)
                            outcomes.refusals["\(error.code)", default: 0] += 1
                            outcomes.refusalsByCommand["\(label) \(error.code)", default: 0] += 1
                        } catch {
                            outcomes.unexpected.append("\(requestID): \(error)")
                        }
                    }
                    return outcomes
                }
            }
            var all = Outcomes()
            for try await outcomes in group { all.merge(outcomes) }
            return all
        }
    }

    static let workspaces = ["ws-a", "ws-b", "ws-c", "ws-d", "ws-e", "ws-f"]
    static let badWorkspaceNames = ["Bad_Name", "x", "default", "api", "a--b", "-lead"]
    static let experimentNames = ["Default"] + (1...80).map { "e\($0)" }
    static let modelNames = (1...20).map { "m\($0)" }
    static let users = ["alice", "bob", "carol", "dave"]
    static let actors = ["tester", "alice", "bob", "carol", "dave", "ghost"]
    static let tagKeys = ["k1", "k2", "k3"]
    static let values = ["v1", "v2", "v3", ""]
    static let roots: [String?] = [nil, "s3://bucket/root", "/abs/root", "mlflow-artifacts:/x", "relative/root", ""]

    /// Issues one random command; throws what the ledger throws.
    static func randomCommand(_ ledger: Ledger, _ world: World, _ rng: inout SplitMix64, requestID: String, label: inout String) async throws {
        let sources: [EventSource] = [.cli, .http(remoteAddress: "10.0.0.\(rng.below(9))", userAgent: "random-test"), .system]
        let context = CommandContext(actor: rng.pick(actors), requestID: requestID, source: rng.pick(sources))
        // A workspace name: mostly from the pool, sometimes `default`, rarely malformed.
        func workspaceName(_ rng: inout SplitMix64) -> String {
            switch rng.below(20) {
            case 0: rng.pick(badWorkspaceNames)
            case 1, 2, 3: "default"
            default: rng.pick(workspaces)
            }
        }
        // Where a known experiment probably lives: as recorded, or `default` (SET_DEFAULT moved it).
        func experimentTarget(_ rng: inout SplitMix64) -> (id: Int64, workspace: String) {
            var target = world.experiment(rng.next())
            switch rng.below(10) {
            case 0: target.workspace = "default"
            case 1: target.workspace = rng.pick(workspaces)
            case 2: target.id = Int64(rng.below(200))
            default: break
            }
            return target
        }
        func runTarget(_ rng: inout SplitMix64) -> (id: String, workspace: String) {
            guard var target = world.run(rng.next()) else { return ("0123456789abcdef0123456789abcdef", "default") }
            if rng.below(10) == 0 { target.workspace = rng.pick(["default"] + workspaces) }
            return target
        }
        func tags(_ rng: inout SplitMix64) -> [LedgerCore.Tag] {
            (0..<rng.below(3)).map { _ in LedgerCore.Tag(key: rng.pick(tagKeys), value: rng.pick(values)) }
        }
        func permissionTarget(_ rng: inout SplitMix64) -> PermissionTarget {
            switch rng.below(3) {
            case 0: return .workspace(workspaceName(&rng))
            case 1: let e = experimentTarget(&rng); return .experiment(id: e.id, workspace: e.workspace)
            default: return .registeredModel(name: rng.pick(modelNames), workspace: workspaceName(&rng))
            }
        }
        func metric(_ rng: inout SplitMix64) -> Metric {
            Metric(key: rng.pick(["loss", "acc"]), value: Double(rng.below(20_000)) / 100 - 100,
                   timestamp: 1_700_000_000_000 + Int64(rng.below(1000)), step: Int64(rng.below(5)) - 1)
        }

        switch rng.below(100) {
        // Workspaces (10)
        case 0..<5:
            label = "createWorkspace"
            _ = try await ledger.createWorkspace(name: workspaceName(&rng), description: rng.below(2) == 0 ? nil : "d\(rng.below(5))",
                                                 defaultArtifactRoot: rng.pick(roots), context: context)
        case 5..<8:
            label = "updateWorkspace"
            let update = WorkspaceUpdate(description: rng.below(3) == 0 ? nil : "d\(rng.below(5))", defaultArtifactRoot: rng.pick(roots))
            _ = try await ledger.updateWorkspace(name: workspaceName(&rng), update, context: context)
        case 8..<10:
            label = "deleteWorkspace"
            try await ledger.deleteWorkspace(name: workspaceName(&rng), mode: rng.pick(WorkspaceDeletionMode.allCases), context: context)
        // Experiments (26)
        case 10..<20:
            label = "createExperiment"
            let workspace = workspaceName(&rng)
            let experiment = try await ledger.createExperiment(name: rng.pick(experimentNames), tags: tags(&rng), in: workspace, context: context)
            world.addExperiment(experiment.id, workspace)
        case 20..<23:
            label = "renameExperiment"
            let e = experimentTarget(&rng)
            try await ledger.renameExperiment(id: e.id, to: rng.pick(experimentNames), in: e.workspace, context: context)
        case 23..<26:
            label = "deleteExperiment"
            let e = experimentTarget(&rng)
            try await ledger.deleteExperiment(id: e.id, in: e.workspace, context: context)
        case 26..<29:
            label = "restoreExperiment"
            let e = experimentTarget(&rng)
            try await ledger.restoreExperiment(id: e.id, in: e.workspace, context: context)
        case 29..<33:
            label = "setExperimentTag"
            let e = experimentTarget(&rng)
            try await ledger.setExperimentTag(id: e.id, key: rng.pick(tagKeys), value: rng.pick(values), in: e.workspace, context: context)
        case 33..<36:
            label = "deleteExperimentTag"
            let e = experimentTarget(&rng)
            try await ledger.deleteExperimentTag(id: e.id, key: rng.pick(tagKeys), in: e.workspace, context: context)
        // Runs (30)
        case 36..<44:
            label = "createRun"
            let e = experimentTarget(&rng)
            let run = try await ledger.createRun(experimentID: e.id, runName: rng.below(2) == 0 ? nil : "run-\(rng.below(9))",
                                                 userID: context.actor, startTime: 1_700_000_000_000 + Int64(rng.below(100)),
                                                 tags: tags(&rng), in: e.workspace, context: context)
            world.addRun(run.info.runID, e.workspace)
        case 44..<47:
            label = "updateRun"
            let r = runTarget(&rng)
            let update = RunUpdate(status: rng.below(2) == 0 ? nil : rng.pick(RunStatus.allCases),
                                   endTime: rng.below(2) == 0 ? nil : 1_700_000_001_000 + Int64(rng.below(9)),
                                   runName: rng.below(2) == 0 ? nil : "renamed-\(rng.below(3))")
            _ = try await ledger.updateRun(id: r.id, update, in: r.workspace, context: context)
        case 47..<51:
            label = "logParam"
            let r = runTarget(&rng)
            try await ledger.logParam(runID: r.id, key: rng.pick(["p1", "p2", "p3"]), value: rng.pick(["a", "b"]), in: r.workspace, context: context)
        case 51..<55:
            label = "logMetric"
            let r = runTarget(&rng)
            try await ledger.logMetric(runID: r.id, metric(&rng), in: r.workspace, context: context)
        case 55..<58:
            label = "setRunTag"
            let r = runTarget(&rng)
            try await ledger.setRunTag(runID: r.id, key: rng.pick(tagKeys), value: rng.pick(values), in: r.workspace, context: context)
        case 58..<62:
            label = "logBatch"
            let r = runTarget(&rng)
            let params = (0..<rng.below(3)).map { _ in LedgerCore.Tag(key: rng.pick(["p1", "p2", "p3"]), value: rng.pick(["a", "b"])) }
            let metrics = (0..<rng.below(4)).map { _ in metric(&rng) }
            try await ledger.logBatch(runID: r.id, params: params, metrics: metrics, tags: tags(&rng), in: r.workspace, context: context)
        case 62..<64:
            label = "deleteRun"
            let r = runTarget(&rng)
            try await ledger.deleteRun(id: r.id, in: r.workspace, context: context)
        case 64..<66:
            label = "restoreRun"
            let r = runTarget(&rng)
            try await ledger.restoreRun(id: r.id, in: r.workspace, context: context)
        // (deleting a run tag)
        case 66:
            label = "deleteRunTag"
            let r = runTarget(&rng)
            try await ledger.deleteRunTag(runID: r.id, key: rng.pick(tagKeys), in: r.workspace, context: context)
        // Registered models (16)
        case 67..<72:
            label = "createRegisteredModel"
            _ = try await ledger.createRegisteredModel(name: rng.pick(modelNames), description: rng.below(2) == 0 ? nil : "about",
                                                       tags: tags(&rng), in: workspaceName(&rng), context: context)
        case 72..<74:
            label = "renameRegisteredModel"
            try await ledger.renameRegisteredModel(name: rng.pick(modelNames), to: rng.pick(modelNames), in: workspaceName(&rng), context: context)
        case 74..<76:
            label = "updateRegisteredModel"
            try await ledger.updateRegisteredModel(name: rng.pick(modelNames), description: rng.below(2) == 0 ? nil : "d\(rng.below(3))",
                                                   in: workspaceName(&rng), context: context)
        case 76..<78:
            label = "deleteRegisteredModel"
            try await ledger.deleteRegisteredModel(name: rng.pick(modelNames), in: workspaceName(&rng), context: context)
        case 78..<81:
            label = "setRegisteredModelTag"
            try await ledger.setRegisteredModelTag(name: rng.pick(modelNames), key: rng.pick(tagKeys), value: rng.pick(values),
                                                   in: workspaceName(&rng), context: context)
        case 81..<83:
            label = "deleteRegisteredModelTag"
            try await ledger.deleteRegisteredModelTag(name: rng.pick(modelNames), key: rng.pick(tagKeys), in: workspaceName(&rng), context: context)
        // Users (8)
        case 83..<86:
            label = "createUser"
            _ = try await ledger.createUser(username: rng.pick(users), password: rng.below(8) == 0 ? "short" : "password-\(rng.below(3))",
                                            isAdmin: rng.below(4) == 0, hashRounds: 1, context: context)
        case 86..<88:
            label = "setAdmin"
            try await ledger.setAdmin(username: rng.pick(users), isAdmin: rng.below(2) == 0, context: context)
        case 88:
            label = "updatePassword"
            try await ledger.updatePassword(username: rng.pick(users), password: "password-new", hashRounds: 1, context: context)
        case 89..<91:
            label = "deleteUser"
            try await ledger.deleteUser(username: rng.pick(users), context: context)
        // Grants (9)
        case 91..<97:
            label = "setPermission"
            try await ledger.setPermission(rng.pick(PermissionLevel.allCases), for: rng.pick(users + ["ghost"]), on: permissionTarget(&rng), context: context)
        default:
            label = "revokePermission"
            try await ledger.revokePermission(for: rng.pick(users), on: permissionTarget(&rng), context: context)
        }
    }

    // MARK: - Checks

    /// The log read back through the public API and raw: gapless, each hash SHA-256(previous hash ‖
    /// stored body), each body the canonical encoding of the decoded event, and every command's
    /// events contiguous, sharing one time, with none from a refused command.
    static func checkLog(_ ledger: Ledger, head: LogHead, outcomes: Outcomes, seed: UInt64) throws {
        var events: [RecordedEvent] = []
        while true {
            let page = try ledger.events(from: UInt64(events.count) + 1, limit: 700)
            if page.isEmpty { break }
            events += page
        }
        #expect(UInt64(events.count) == head.sequence, "seed \(seed)")
        #expect(events.enumerated().allSatisfy { $0.element.sequence == UInt64($0.offset) + 1 }, "seed \(seed): the log has gaps")
        #expect(events.last?.hash == head.hash, "seed \(seed): the head hash is not the last event's")
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp }, "seed \(seed): time went backwards")

        var problems: [String] = []
        try ledger.environment.read { txn in
            try txn.withCursor(ledger.db.events) { cursor in
                var previous = EventCodec.genesisHash
                var index = 0
                var entry = try cursor.first()
                while let current = entry {
                    let stored = Array(current.value)
                    let body = Array(stored.dropLast(EventCodec.hashSize))
                    let hash = Array(stored.suffix(EventCodec.hashSize))
                    if hash != EventCodec.chainHash(previous: previous, body: body) { problems.append("hash of event \(index + 1)") }
                    let event = try EventCodec.decode(stored: current.value)
                    if index < events.count, event != events[index] { problems.append("event \(index + 1) decodes differently raw") }
                    let reencoded = EventCodec.encodeBody(
                        sequence: event.sequence, timestamp: event.timestamp,
                        context: CommandContext(actor: event.actor, requestID: event.requestID, source: event.source),
                        workspace: event.workspace, payload: event.payload)
                    if reencoded != body { problems.append("event \(index + 1) is not stored in its canonical encoding") }
                    previous = hash
                    index += 1
                    entry = try cursor.next()
                }
            }
        }
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5))")

        var ranges: [String: (first: Int, last: Int, count: Int, time: Int64, sameTime: Bool)] = [:]
        for (index, event) in events.enumerated() {
            if var range = ranges[event.requestID] {
                range.last = index
                range.count += 1
                range.sameTime = range.sameTime && event.timestamp == range.time
                ranges[event.requestID] = range
            } else {
                ranges[event.requestID] = (index, index, 1, event.timestamp, true)
            }
        }
        let byRequest = Set(ranges.keys)
        #expect(byRequest.isDisjoint(with: outcomes.refused), "seed \(seed): refused commands left events: \(byRequest.intersection(outcomes.refused).prefix(5))")
        #expect(byRequest.subtracting(outcomes.succeeded).subtracting([""]).isEmpty, "seed \(seed): events of unknown requests")
        let scattered = ranges.filter { $0.key != "" && $0.value.last - $0.value.first + 1 != $0.value.count }
        #expect(scattered.isEmpty, "seed \(seed): a command's events are not contiguous: \(scattered.keys.prefix(5))")
        let split = ranges.filter { !$0.value.sameTime }
        #expect(split.isEmpty, "seed \(seed): a command's events carry different times: \(split.keys.prefix(5))")
        let commits = Set(events.map(\.timestamp)).count
        print("RandomizedConsistencyTests: seed \(seed): \(events.count) events from \(ranges.count) commands in at most \(commits) commits")
    }

    /// Cross-view invariants that a rebuild cannot check (it runs the same projector): every
    /// record points at things that exist, and every index agrees with the records it indexes.
    static func checkViewsHangTogether(_ ledger: Ledger, seed: UInt64) throws {
        let views = try dumpViews(ledger)
        func all(_ name: String) -> [Entry] { views[name] ?? [] }
        func map(_ name: String) -> [[UInt8]: [UInt8]] {
            Dictionary(all(name).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        func scope(_ key: [UInt8]) -> String { String(decoding: key.prefix { $0 != 0 }, as: UTF8.self) }
        var problems: [String] = []

        let workspaces = Set(all("workspaces").map { String(decoding: $0.key, as: UTF8.self) })
        if !workspaces.contains("default") { problems.append("the workspace default is gone") }
        let listing = map("listing")
        let listedWorkspaces = Set(listing.keys.filter { $0.first == Keys.workspacesPartition }.map { String(decoding: $0.dropFirst(), as: UTF8.self) })
        if listedWorkspaces != workspaces { problems.append("workspace listing \(listedWorkspaces.sorted()) != workspaces \(workspaces.sorted())") }

        let experimentNames = listing.filter { $0.key.first == Keys.experimentNamesPartition }
        var experimentIDs: Set<Int64> = []
        var maxExperiment: Int64 = -1
        for entry in all("experiments") where entry.key != Keys.idCounter {
            let experiment = try entry.value.withUnsafeBytes { try Experiment(decoding: $0) }
            experimentIDs.insert(experiment.id)
            maxExperiment = max(maxExperiment, experiment.id)
            if entry.key != Keys.id(experiment.id) { problems.append("experiment \(experiment.id) under a foreign key") }
            if !workspaces.contains(experiment.workspace) { problems.append("experiment \(experiment.id) in missing workspace \(experiment.workspace)") }
            if experimentNames[Keys.experimentName(experiment.workspace, experiment.name)] != Keys.id(experiment.id) {
                problems.append("experiment \(experiment.id) not found by its name")
            }
            let other: LifecycleStage = experiment.lifecycleStage == .active ? .deleted : .active
            for (stage, expected) in [(experiment.lifecycleStage, true), (other, false)] {
                let key = Keys.experimentListing(stage, workspace: experiment.workspace, id: experiment.id)
                if (listing[key] != nil) != expected { problems.append("experiment \(experiment.id) listing \(stage) wrong") }
            }
        }
        if experimentNames.count != experimentIDs.count { problems.append("experiment names and experiments differ in number") }
        let partitions: Set<UInt8> = [Keys.workspacesPartition, Keys.experimentPartition(.active), Keys.experimentPartition(.deleted),
                                      Keys.experimentNamesPartition, Keys.registeredModelNamesPartition]
        let strays = listing.keys.filter { !partitions.contains($0.first ?? 0) }
        if !strays.isEmpty { problems.append("\(strays.count) listing entries outside every partition") }
        let listedByStage = listing.keys.filter { $0.first == Keys.experimentPartition(.active) || $0.first == Keys.experimentPartition(.deleted) }.count
        if listedByStage != experimentIDs.count { problems.append("stage listings hold \(listedByStage) experiments, not \(experimentIDs.count)") }
        func nextID(_ view: String) -> Int64 {
            guard let bytes = map(view)[Keys.idCounter], bytes.count == 8 else { return 0 }
            return Int64(bitPattern: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
        if nextID("experiments") <= maxExperiment { problems.append("the experiment counter would reuse an id") }

        let runsByExperiment = map("runs_by_experiment")
        var runIDs: Set<String> = []
        for entry in all("runs") {
            let run = try entry.value.withUnsafeBytes { try RunInfo(decoding: $0) }
            runIDs.insert(run.runID)
            if entry.key != Array(run.runID.utf8) { problems.append("run \(run.runID) under a foreign key") }
            if !experimentIDs.contains(run.experimentID) { problems.append("run \(run.runID) of missing experiment \(run.experimentID)") }
            if runsByExperiment[Keys.runsByExperiment(run.experimentID, startTime: run.startTime, runID: run.runID)] == nil {
                problems.append("run \(run.runID) missing from runs_by_experiment")
            }
        }
        if runsByExperiment.count != runIDs.count { problems.append("runs_by_experiment and runs differ in number") }
        for name in ["run_params", "run_tags", "run_metrics", "metric_chunks"] {
            for entry in all(name) where !runIDs.contains(scope(entry.key)) {
                problems.append("\(name) holds data of missing run \(scope(entry.key))")
            }
        }

        let modelNames = listing.filter { $0.key.first == Keys.registeredModelNamesPartition }
        var modelIDs: Set<Int64> = []
        var maxModel: Int64 = -1
        for entry in all("registered_models") where entry.key != Keys.idCounter {
            let model = try entry.value.withUnsafeBytes { try RegisteredModel(decoding: $0) }
            modelIDs.insert(model.id)
            maxModel = max(maxModel, model.id)
            if !workspaces.contains(model.workspace) { problems.append("model \(model.id) in missing workspace \(model.workspace)") }
            if modelNames[Keys.registeredModelName(model.workspace, model.name)] != Keys.id(model.id) { problems.append("model \(model.id) not found by its name") }
        }
        if modelNames.count != modelIDs.count { problems.append("model names and models differ in number") }
        if nextID("registered_models") <= maxModel { problems.append("the model counter would reuse an id") }

        let users = Set(all("users").map { String(decoding: $0.key, as: UTF8.self) })
        let grants = all("grants")
        let grantsByUser = map("grants_by_user")
        if grantsByUser.count != grants.count { problems.append("grants and grants_by_user differ in number") }
        for entry in grants {
            let key = entry.key
            // kind ‖ resource ‖ 0 ‖ username; a workspace resource is a name, the others 8-byte ids.
            let separator = key.first == 1 ? (key.dropFirst().firstIndex(of: 0) ?? key.endIndex) : min(9, key.endIndex)
            let resource = try Keys.decodeGrantResource(key[..<separator])
            let username = String(decoding: key[min(separator + 1, key.endIndex)...], as: UTF8.self)
            if !users.contains(username) { problems.append("grant to missing user \(username) on \(resource)") }
            switch resource {
            case .workspace(let name): if !workspaces.contains(name) { problems.append("grant on missing workspace \(name)") }
            case .experiment(let id): if !experimentIDs.contains(id) { problems.append("grant on missing experiment \(id)") }
            case .registeredModel(let id): if !modelIDs.contains(id) { problems.append("grant on missing model \(id)") }
            }
            if grantsByUser[Keys.grantByUser(username, resource)] != entry.value {
                problems.append("grants_by_user disagrees for \(username) on \(resource)")
            }
        }
        #expect(problems.isEmpty, "seed \(seed): \(problems.count) inconsistencies, first: \(problems.prefix(8))")
    }

    // MARK: - Raw views

    struct Entry: Equatable, Sendable {
        var key: [UInt8]
        var value: [UInt8]
    }

    /// Every projection of an open ledger, by name, read through its own handles.
    static func dumpViews(_ ledger: Ledger) throws -> [String: [Entry]] {
        try ledger.environment.read { txn in
            var views: [String: [Entry]] = [:]
            for (name, database) in zip(LedgerDatabases.projectionNames, ledger.db.projections) {
                views[name] = try entries(database, txn)
            }
            return views
        }
    }

    /// Every projection of a closed ledger, read straight from its LMDB environment.
    static func dumpViews(_ environment: Environment) throws -> [String: [Entry]] {
        try dumpDatabases(environment, LedgerDatabases.projectionNames)
    }

    /// The entries of the named databases; for ``TamperDetectionTests/main``, only the ledger's own
    /// keys of the main database (those holding a 0 byte), not LMDB's records of the others.
    static func dumpDatabases(_ environment: Environment, _ names: [String]) throws -> [String: [Entry]] {
        let databases = try names.map { $0 == TamperDetectionTests.main ? try environment.openMainDatabase() : try environment.openDatabase($0, create: false) }
        return try environment.read { txn in
            var dump: [String: [Entry]] = [:]
            for (name, database) in zip(names, databases) {
                let all = try entries(database, txn)
                dump[name] = name == TamperDetectionTests.main ? all.filter { $0.key.contains(0) } : all
            }
            return dump
        }
    }

    static func entries(_ database: Database, _ txn: borrowing Transaction) throws -> [Entry] {
        try txn.withCursor(database) { cursor in
            var entries: [Entry] = []
            var entry = try cursor.first()
            while let current = entry {
                entries.append(Entry(key: Array(current.key), value: Array(current.value)))
                entry = try cursor.next()
            }
            return entries
        }
    }

    static func expectSameViews(_ actual: [String: [Entry]], _ expected: [String: [Entry]], _ what: String, seed: UInt64,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(actual.keys) == Set(LedgerDatabases.projectionNames), sourceLocation: sourceLocation)
        for name in LedgerDatabases.projectionNames {
            let a = actual[name] ?? [], b = expected[name] ?? []
            guard a != b else { continue }
            let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            let key = index < a.count ? a[index].key : (index < b.count ? b[index].key : [])
            Issue.record("seed \(seed): \(what): view \(name) differs (\(a.count) vs \(b.count) entries), first at entry \(index), key \(Ledger.printable(key))",
                         sourceLocation: sourceLocation)
        }
    }

    // MARK: - Opening and closing

    static func withRawEnvironment<R>(_ directory: String, readOnly: Bool, _ body: (Environment) throws -> R) throws -> R {
        var configuration = Environment.Configuration()
        configuration.readOnly = readOnly
        configuration.durable = false
        let environment = try Environment(path: directory, configuration: configuration)
        return try body(environment)
    }

    static func context(_ requestID: String) -> CommandContext {
        CommandContext(actor: "tester", requestID: requestID, source: .cli)
    }

    // MARK: - Random numbers

    /// SplitMix64 (Steele, Lea and Flood): tiny, fast, and the same stream for the same seed on
    /// every platform and toolchain (unlike `Int.random(in:using:)`, whose algorithm may change).
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// A number in `0..<bound`.
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }
}

extension Result {
    /// The failure, if any.
    fileprivate var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
