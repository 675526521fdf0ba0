import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// The rebuild's machinery: views staged in memory and written in key order, the log decoded on
/// a second thread, the chain checked in parallel chunks, and the upgrade from views of an
/// earlier projection version.
@Suite struct StagedReplayTests {
    /// A history with every kind of write the projector does, purges (prefix deletes, which flush
    /// the staging) included.
    /// Returns the id of the run of `kept` that has metric `m` logged at steps 0, 1, 2.
    @discardableResult
    static func history(_ ledger: Ledger) async throws -> String {
        let doomed = try await ReplayAndAsOfTests.populate(ledger)
        let run = try await ledger.createRun(experimentID: doomed.experimentIDs[0], runName: "late", in: "doomed", context: testContext)
        try await ledger.logBatch(runID: run.info.runID, params: [.init(key: "p", value: "1")],
                                  metrics: (0..<5).map { Metric(key: "m", value: Double($0), timestamp: 7, step: Int64(4 - $0)) },
                                  tags: [.init(key: "t", value: "x")], in: "doomed", context: testContext)
        try await ledger.deleteRunTag(runID: run.info.runID, key: "t", in: "doomed", context: testContext)
        _ = try await ledger.deleteWorkspace(name: "doomed", mode: .cascade, context: testContext)
        let kept = try await ledger.createExperiment(name: "after-purge", in: "kept", context: testContext)
        let again = try await ledger.createRun(experimentID: kept.id, in: "kept", context: testContext)
        for step in 0..<3 {
            try await ledger.logMetric(runID: again.info.runID, Metric(key: "m", value: Double(step), timestamp: 9, step: Int64(step)), in: "kept", context: testContext)
        }
        // A series long enough to seal chunks of older points.
        for batch in 0..<3 {
            let points = (0..<100).map { Metric(key: "long", value: Double($0) / 7, timestamp: Int64(1_700_000_000_000 + batch * 1000 - $0), step: Int64(batch * 100 + $0)) }
            try await ledger.logBatch(runID: again.info.runID, metrics: points, in: "kept", context: testContext)
        }
        // Enough events of one workspace and one actor to fill several audit chunks.
        for step in 0..<(2 * AuditIndex.chunkCapacity + 7) {
            try await ledger.logMetric(runID: again.info.runID, Metric(key: "tick", value: 1, timestamp: 9, step: Int64(step)), in: "kept", context: testContext)
        }
        _ = try await ledger.renameExperiment(id: kept.id, to: "renamed", in: "kept", context: testContext)
        return again.info.runID
    }

    /// Rebuilds the ledger's log into a scratch environment with the given staging and returns its
    /// views, read raw.
    static func rebuiltViews(_ ledger: Ledger, pipelined: Bool, budget: Int) throws -> [String: [RandomizedConsistencyTests.Entry]] {
        try ledger.read { source in
            try Ledger.withScratchEnvironment { scratch, scratchDB in
                let head = try ledger.log.head(source)
                let applied = try scratch.write { target in
                    try Ledger.project(from: source, events: ledger.db.events, upTo: head.sequence, with: Projector(db: scratchDB),
                                       into: target, pipelined: pipelined, stagingBudget: budget, progress: nil)
                }
                #expect(applied == head.sequence)
                return try scratch.read { txn in
                    var views: [String: [RandomizedConsistencyTests.Entry]] = [:]
                    for (name, database) in zip(LedgerDatabases.projectionNames, scratchDB.projections) {
                        views[name] = try RandomizedConsistencyTests.entries(database, txn)
                    }
                    return views
                }
            }
        }
    }

    /// Whatever the staging budget (a flush after every event, a few flushes, one at the end)
    /// and whether decoding is pipelined, the rebuilt views are byte for byte the live ones.
    @Test(arguments: [(true, 512 << 20), (false, 512 << 20), (true, 1), (false, 1), (true, 4_096)])
    func stagedRebuildEqualsTheLiveViews(_ pipelined: Bool, _ budget: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await Self.history(ledger)
            let live = try RandomizedConsistencyTests.dumpViews(ledger)
            #expect(live["metric_chunks"]?.isEmpty == false)
            let audit = try #require(live["audit"])
            #expect(Set(audit.map { $0.key.dropLast(8) }).count < audit.count, "some scope spans several audit chunks")
            let rebuilt = try Self.rebuiltViews(ledger, pipelined: pipelined, budget: budget)
            for name in LedgerDatabases.projectionNames {
                #expect(rebuilt[name] == live[name], "view \(name)")
            }
        }
    }

    /// A log longer than one decoding chunk goes through the pipeline in several chunks.
    @Test func rebuildOfSeveralChunksEqualsTheLiveViews() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await ledger.createExperiment(name: "many", in: "default", context: testContext)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "default", context: testContext)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for i in 0..<(Ledger.replayChunk / 4) {
                            try await ledger.logMetric(runID: run.info.runID, Metric(key: "k\(task % 3)", value: Double(i), timestamp: 1, step: Int64(i)),
                                                       in: "default", context: testContext)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try ledger.head().sequence > UInt64(2 * Ledger.replayChunk))
            let live = try RandomizedConsistencyTests.dumpViews(ledger)
            #expect(try ledger.rebuildProjections().events == ledger.head().sequence)
            #expect(try RandomizedConsistencyTests.dumpViews(ledger) == live)
            #expect(try ledger.metricHistory(runID: run.info.runID, key: "k0", in: "default").count == 3 * Ledger.replayChunk / 4)
        }
    }

    /// A damaged event chunks into a long log, behind chunks decoded ahead of the one being
    /// applied, fails the rebuild naming that event, and an earlier event that cannot be applied
    /// is named instead of a later one that cannot be decoded; the old views stay.
    @Test func damagedEventsDeepInALongLogAreNamedInLogOrder() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-long-damage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let chunk = UInt64(Ledger.replayChunk)
        let runID = try await withReopenableLedger(directory) { ledger in
            let experiment = try await ledger.createExperiment(name: "long", in: "default", context: testContext)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "default", context: testContext)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        for i in 0..<(Ledger.replayChunk * (Ledger.replayDepth + 2) / 8) {
                            try await ledger.logMetric(runID: run.info.runID, Metric(key: "k\(task)", value: Double(i), timestamp: 1, step: Int64(i)),
                                                       in: "default", context: testContext)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try ledger.head().sequence > chunk * UInt64(Ledger.replayDepth + 2))
            return run.info.runID
        }
        let before = try await withReopenableLedger(directory) { ledger in try RandomizedConsistencyTests.dumpViews(ledger) }
        // Chunks are cut from the first event, so these are in the 5th and the 4th chunk.
        let undecodable = 4 * chunk + 100
        let unappliable = 3 * chunk + 100
        try TamperDetectionTests.changeEvent(directory, undecodable) { stored in
            stored.insert(0, at: stored.count - EventCodec.hashSize)
        }
        func expectRebuildFails(naming sequence: UInt64) async throws {
            try await withReopenableLedger(directory) { ledger async throws in
                let error = await expectLedgerError(.corruptedData) { try ledger.rebuildProjections() }
                #expect(error?.message.hasPrefix("event \(sequence) ") == true, "\(String(describing: error))")
                #expect(try RandomizedConsistencyTests.dumpViews(ledger) == before)
            }
        }
        try await expectRebuildFails(naming: undecodable)
        // The run id of an earlier metric event, changed: it refers to a run no event created.
        let packedRunID = stride(from: 0, to: runID.utf8.count, by: 2).map { UInt8(runID.dropFirst($0).prefix(2), radix: 16)! }
        try TamperDetectionTests.changeEvent(directory, unappliable) { stored in
            let at = try #require(TamperDetectionTests.find(packedRunID, in: Array(stored.dropLast(EventCodec.hashSize))))
            stored[at] ^= 0x01
        }
        try await expectRebuildFails(naming: unappliable)
    }

    /// The decoder used by replay accepts and rejects exactly what the full decoder does.
    @Test func projectorInputMatchesTheFullDecoder() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await Self.history(ledger)
            try ledger.read { txn in
                try txn.withCursor(ledger.db.events) { cursor throws in
                    var entry = try cursor.first()
                    while let current = entry {
                        let full = try EventCodec.decode(stored: current.value)
                        let input = try Ledger.projectorInput(stored: current.value)
                        #expect(input.sequence == full.sequence && input.timestamp == full.timestamp)
                        #expect(input.actor == full.actor && input.workspace == full.workspace && input.payload == full.payload)
                        var damaged = Array(current.value)
                        damaged.insert(0, at: damaged.count - EventCodec.hashSize)
                        #expect(throws: LedgerError.self) { try damaged.withUnsafeBytes { _ = try Ledger.projectorInput(stored: $0) } }
                        entry = try cursor.next()
                    }
                }
            }
        }
    }

    // MARK: - Upgrade from an earlier projection version

    /// A ledger whose views an earlier version built (the audit indexes, the id counters and the
    /// metric history under their old names and layouts) is rebuilt on open: the retired
    /// databases go, the new ones answer.
    @Test func viewsOfVersionOneAreRebuiltAndRetiredDatabasesDropped() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-upgrade")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runID = try await withReopenableLedger(directory) { ledger in try await Self.history(ledger) }
        let expected = try await withReopenableLedger(directory) { ledger in try RandomizedConsistencyTests.dumpViews(ledger) }
        // Make it look like version 1: old databases present, new ones empty, version 1 recorded.
        do {
            var configuration = Environment.Configuration()
            configuration.durable = false
            let environment = try Environment(path: directory, configuration: configuration)
            let meta = try environment.openDatabase("meta", create: false)
            // The audit indexes of versions 2 and 3 were duplicate-sorted.
            let old = try LedgerDatabases.retiredProjectionNames.map { name in
                try environment.openDatabase(name, create: true, options: name.hasPrefix("audit_by") ? [.duplicateSort, .duplicateFixed] : [])
            }
            let current = try ["audit", "experiments"].map { try environment.openDatabase($0, create: false) }
            try environment.write { txn in
                for database in old { try txn.put(database, key: [1, 2, 3], value: [4]) }
                for database in current { try txn.removeAll(database) }
                try txn.put(meta, key: EventLog.MetaKey.projectionVersion, value: [0, 0, 0, 1])
            }
        }
        try await withReopenableLedger(directory) { ledger in
            #expect(try RandomizedConsistencyTests.dumpViews(ledger) == expected)
            #expect(try ledger.read { txn in try ledger.log.metaUInt32(EventLog.MetaKey.projectionVersion, txn) } == Projector.version)
            #expect(try ledger.metricHistory(runID: runID, key: "m", in: "kept").map(\.step) == [0, 1, 2])
            var seen = 0
            let scan = try ledger.audit(AuditFilter(workspace: "kept")) { _ in seen += 1 }
            #expect(seen > 0 && scan.read == seen, "the workspace audit reads only its index range")
            #expect(try ledger.verify().isClean)
        }
        var configuration = Environment.Configuration()
        configuration.readOnly = true
        let environment = try Environment(path: directory, configuration: configuration)
        for name in LedgerDatabases.retiredProjectionNames {
            #expect(throws: LMDBError.self) { _ = try environment.openDatabase(name, create: false) }
        }
    }

    /// A read-only open cannot rebuild: views of an earlier version are refused with a message
    /// saying what to run.
    @Test func readOnlyOpenOfViewsOfAnEarlierVersionSaysHowToRebuild() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-upgrade-ro")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withReopenableLedger(directory) { ledger in _ = try await ledger.createWorkspace(name: "ws", context: testContext) }
        do {
            var configuration = Environment.Configuration()
            configuration.durable = false
            let environment = try Environment(path: directory, configuration: configuration)
            try environment.write { txn throws in #expect(try txn.dropDatabase(named: "audit")) }
        }
        let error = await expectLedgerError(.incompatibleFormat) { try await withReopenableLedger(directory, readOnly: true) { _ in } }
        #expect(error?.message.contains("open it once for writing") == true)
    }

    /// Views of version 4 sit under the same database names as today's (the name indexes and the
    /// ALL listing moved within them): a read-only open goes by the recorded projection version,
    /// refuses, and says what to run; after a writable open it reads the rebuilt views.
    @Test func readOnlyOpenGoesByTheProjectionVersionNotByTheNames() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-upgrade-version")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withReopenableLedger(directory) { ledger in
            _ = try await ledger.createWorkspace(name: "ws", context: testContext)
            _ = try await ledger.createExperiment(name: "kept", in: "ws", context: testContext)
        }
        do {
            var configuration = Environment.Configuration()
            configuration.durable = false
            let environment = try Environment(path: directory, configuration: configuration)
            let meta = try environment.openDatabase("meta", create: false)
            try environment.write { txn in try txn.put(meta, key: EventLog.MetaKey.projectionVersion, value: [0, 0, 0, 4]) }
        }
        let error = await expectLedgerError(.incompatibleFormat) { try await withReopenableLedger(directory, readOnly: true) { _ in } }
        #expect(error?.message.contains("projection version 4") == true)
        #expect(error?.message.contains("open it once for writing") == true)
        try await withReopenableLedger(directory) { _ in }
        try await withReopenableLedger(directory, readOnly: true) { ledger throws in
            #expect(try ledger.experiment(named: "kept", in: "ws").name == "kept")
        }
    }

    /// A rebuild that fails midway (an event the views cannot take) commits nothing: the old views
    /// and their version stay, readers never see a partial rebuild.
    @Test func failedRebuildLeavesTheOldViews() async throws {
        try await TamperDetectionTests.withHistory { directory, history in
            let before = try await withReopenableLedger(directory) { ledger in try RandomizedConsistencyTests.dumpViews(ledger) }
            try TamperDetectionTests.changeEvent(directory, history.workspaceUpdate) { stored in
                let body = Array(stored.dropLast(EventCodec.hashSize))
                let at = try #require(TamperDetectionTests.find([UInt8(6 << 1)] + Array("team-a".utf8), in: body, last: true))
                stored[at + 1] = UInt8(ascii: "u")
            }
            try await withReopenableLedger(directory) { ledger async throws in
                await expectLedgerError(.corruptedData) { try ledger.rebuildProjections() }
                #expect(try RandomizedConsistencyTests.dumpViews(ledger) == before)
                #expect(try ledger.read { txn in try ledger.log.metaUInt32(EventLog.MetaKey.projectionVersion, txn) } == Projector.version)
            }
        }
    }

    // MARK: - The chain check in chunks

    /// The chain check reports the same problems, in the same order, whatever its chunk size
    /// (chunks are hashed in parallel slices): here with a changed byte, swapped events and a
    /// removed event in one log.
    @Test func chainCheckIsTheSameInAnyChunkSize() async throws {
        try await TamperDetectionTests.withHistory { directory, history in
            let target = history.workspaceUpdate
            try TamperDetectionTests.changeEvent(directory, target) { $0[20] ^= 0x01 }
            try TamperDetectionTests.withEvents(directory) { txn, events in
                let a = try #require(try txn.get(events, key: Keys.sequence(target + 2)))
                let b = try #require(try txn.get(events, key: Keys.sequence(target + 3)))
                try txn.put(events, key: Keys.sequence(target + 2), value: b)
                try txn.put(events, key: Keys.sequence(target + 3), value: a)
                #expect(try txn.delete(events, key: Keys.sequence(target + 6)))
            }
            try await withReopenableLedger(directory, readOnly: true) { ledger in
                func check(_ chunkSize: Int, decode: Bool) throws -> VerificationReport {
                    var report = VerificationReport()
                    try ledger.read { txn in
                        report.head = try ledger.log.head(txn)
                        _ = try Ledger.checkChain(txn, events: ledger.db.events, head: report.head, decodeEvents: decode, chunkSize: chunkSize, into: &report, progress: nil)
                    }
                    return report
                }
                for decode in [false, true] {
                    let reference = try check(1, decode: decode)
                    #expect(reference.firstProblem?.kind == .hashMismatch && reference.firstProblem?.sequence == target)
                    #expect(reference.problems.contains { $0.kind == .sequenceMismatch && $0.sequence == target + 2 })
                    #expect(reference.problems.contains { $0.kind == .missingEvent && $0.sequence == target + 6 })
                    for size in [2, 3, 7, 1_024, 32_768] {
                        let report = try check(size, decode: decode)
                        #expect(report.problems == reference.problems, "chunk size \(size)")
                        #expect(report.eventsChecked == reference.eventsChecked, "chunk size \(size)")
                    }
                }
                let chain = try ledger.verifyChain()
                #expect(chain.firstProblem?.sequence == target)
            }
        }
    }

    // MARK: - Differences in chunked views

    /// The audit chunk holding an event's entry, and the sequences it holds.
    static func auditChunk(_ directory: String, workspace: String, holding sequence: UInt64) throws -> (key: [UInt8], sequences: [UInt64]) {
        var found: (key: [UInt8], sequences: [UInt64])?
        try TamperDetectionTests.withDatabases(directory, ["audit"]) { txn, databases throws in
            let prefix = AuditIndex.prefix(.workspace, workspace)
            try txn.withCursor(databases[0]) { cursor throws in
                var entry = try cursor.seek(atOrAfter: prefix)
                while let current = entry, current.key.hasPrefix(prefix), found == nil {
                    let sequences = stride(from: 0, to: current.value.count, by: AuditIndex.entrySize).map { AuditIndex.sequence(in: current.value, at: $0) }
                    if sequences.contains(sequence) { found = (Array(current.key), sequences) }
                    entry = try cursor.next()
                }
            }
        }
        return try #require(found)
    }

    /// An audit chunk removed from the live views is reported as missing, with its key and the
    /// last event that wrote it; one that lost an entry differs in value.
    @Test func damagedAuditChunksAreNamedWithTheirEvent() async throws {
        try await TamperDetectionTests.withHistory { directory, history in
            let chunk = try Self.auditChunk(directory, workspace: "team-a", holding: history.workspaceUpdate)
            try TamperDetectionTests.withDatabases(directory, ["audit"]) { txn, databases throws in
                #expect(try txn.delete(databases[0], key: chunk.key))
            }
            let report = try await TamperDetectionTests.verify(directory)
            let missing = try #require(report.problems.first { $0.view == "audit" })
            #expect(missing.kind == .missingInView)
            #expect(missing.sequence == chunk.sequences.last)
            #expect(missing.key == Ledger.printable(chunk.key))
        }
        try await TamperDetectionTests.withHistory { directory, history in
            let chunk = try Self.auditChunk(directory, workspace: "team-a", holding: history.workspaceUpdate)
            try TamperDetectionTests.withDatabases(directory, ["audit"]) { txn, databases throws in
                var value = try #require(try txn.get(databases[0], key: chunk.key))
                let index = try #require(chunk.sequences.firstIndex(of: history.workspaceUpdate))
                value.removeSubrange(index * AuditIndex.entrySize..<(index + 1) * AuditIndex.entrySize)
                if value.isEmpty { #expect(try txn.delete(databases[0], key: chunk.key)) } else { try txn.put(databases[0], key: chunk.key, value: value) }
            }
            let report = try await TamperDetectionTests.verify(directory)
            let differs = try #require(report.problems.first { $0.view == "audit" })
            #expect(differs.kind == (chunk.sequences.count == 1 ? .missingInView : .valueDiffers))
            #expect(differs.sequence == chunk.sequences.last)
        }
    }

    @Test func missingMetricChunkIsNamedWithItsEvent() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-chunk")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runID = try await withReopenableLedger(directory) { ledger in try await Self.history(ledger) }
        let chunkKey = Keys.metricChunk(runID, "long", 0)
        try TamperDetectionTests.withDatabases(directory, ["metric_chunks"]) { txn, databases throws in
            #expect(try txn.delete(databases[0], key: chunkKey))
        }
        let report = try await TamperDetectionTests.verify(directory)
        let chunk = try #require(report.problems.first { $0.view == "metric_chunks" })
        #expect(chunk.kind == .missingInView)
        #expect(chunk.sequence != nil)
    }
}
