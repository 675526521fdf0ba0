import Foundation
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// `Ledger.audit(_:_:)`: filters, index use, order; `verifyChain(from:through:)` over a range.
@Suite struct AuditTests {
    /// Contexts of the history: `ada` works in the small workspace `lab`; `bulk` fills `bulk`.
    static let ada = CommandContext(actor: "ada", requestID: "req-ada", source: .http(remoteAddress: "10.1.1.1", userAgent: "test"))
    static let bulk = CommandContext(actor: "bulk", requestID: "req-bulk", source: .cli)
    static let bulkRuns = 6
    static let metricsPerRun = 40

    /// What ``buildHistory(_:)`` wrote, with times between its three phases.
    struct History {
        var all: [RecordedEvent]
        var experimentID: Int64
        /// Microseconds: after phase 1 (workspaces, ada's experiment) and after phase 2 (the bulk load).
        var afterPhase1: Int64
        var afterPhase2: Int64
    }

    /// Phase 1: workspaces `lab` and `bulk`, ada's experiment; phase 2: a bulk load of metrics by
    /// `bulk` (most of the log); phase 3: ada again, and a user and a grant by the system.
    static func buildHistory(_ ledger: Ledger) async throws -> History {
        _ = try await ledger.createWorkspace(name: "lab", description: "small", context: ada)
        _ = try await ledger.createWorkspace(name: "bulk", context: bulk)
        let experiment = try await ledger.createExperiment(name: "exp", in: "lab", context: ada)
        let run = try await ledger.createRun(experimentID: experiment.id, runName: "r", in: "lab", context: ada)
        try await ledger.logParam(runID: run.info.runID, key: "lr", value: "0.1", in: "lab", context: ada)
        try await Task.sleep(for: .milliseconds(3))
        let afterPhase1 = try ledger.head().timestamp + 1
        try await Task.sleep(for: .milliseconds(3))

        let bulkExperiment = try await ledger.createExperiment(name: "load", in: "bulk", context: bulk)
        for _ in 0..<bulkRuns {
            let bulkRun = try await ledger.createRun(experimentID: bulkExperiment.id, in: "bulk", context: bulk)
            for step in 0..<metricsPerRun {
                try await ledger.logMetric(runID: bulkRun.info.runID, Metric(key: "loss", value: Double(step), timestamp: 1, step: Int64(step)), in: "bulk", context: bulk)
            }
        }
        try await Task.sleep(for: .milliseconds(3))
        let afterPhase2 = try ledger.head().timestamp + 1
        try await Task.sleep(for: .milliseconds(3))

        _ = try await ledger.renameExperiment(id: experiment.id, to: "exp-renamed", in: "lab", context: ada)
        try await ledger.setExperimentTag(id: experiment.id, key: "stage", value: "done", in: "lab", context: ada)
        _ = try await ledger.createUser(username: "ada", password: "ada-password", hashRounds: 1_000, context: .system())
        try await ledger.setPermission(.edit, for: "ada", on: .workspace("lab"), context: .system())
        try await ledger.updatePassword(username: "ada", password: "new-password", hashRounds: 1_000, context: ada)
        return History(all: try ledger.events(from: 1, limit: 10_000), experimentID: experiment.id,
                       afterPhase1: afterPhase1, afterPhase2: afterPhase2)
    }

    /// Runs the audit and returns the events handed over and what it read.
    static func audit(_ ledger: Ledger, _ filter: AuditFilter) throws -> (events: [RecordedEvent], scan: AuditScan) {
        var events: [RecordedEvent] = []
        let scan = try ledger.audit(filter) { events.append($0) }
        return (events, scan)
    }

    /// The common checks: in sequence order, exactly `expected`, and the scan's bookkeeping.
    static func expectResult(_ result: (events: [RecordedEvent], scan: AuditScan), equals expected: [RecordedEvent],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let sequences = result.events.map(\.sequence)
        #expect(sequences == expected.map(\.sequence), sourceLocation: sourceLocation)
        #expect(sequences == sequences.sorted(), "not in sequence order", sourceLocation: sourceLocation)
        #expect(result.scan.matched == expected.count, sourceLocation: sourceLocation)
        #expect(result.scan.firstSequence == expected.first?.sequence, sourceLocation: sourceLocation)
        #expect(result.scan.lastSequence == expected.last?.sequence, sourceLocation: sourceLocation)
        #expect(result.events == expected, "the audit hands over the stored events unchanged", sourceLocation: sourceLocation)
    }

    // MARK: - Indexes

    @Test func workspaceFilterReadsOnlyThatWorkspacesEvents() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let lab = history.all.filter { $0.workspace == "lab" }
            #expect(lab.count >= 6)
            #expect(history.all.count > 10 * lab.count, "the bulk load dominates the log")

            let result = try Self.audit(ledger, AuditFilter(workspace: "lab"))
            Self.expectResult(result, equals: lab)
            #expect(result.scan.read == lab.count, "read \(result.scan.read) events of a log of \(history.all.count)")

            // An unknown workspace reads nothing.
            let none = try Self.audit(ledger, AuditFilter(workspace: "nowhere"))
            #expect(none.events.isEmpty)
            #expect(none.scan.read == 0)
        }
    }

    @Test func actorFilterReadsOnlyThatActorsEvents() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let byAda = history.all.filter { $0.actor == "ada" }
            #expect(byAda.count >= 6)
            // Ada's password change is recorded in `default`, so the actor index spans workspaces.
            #expect(Set(byAda.map(\.workspace)) == ["lab", "default"])

            let result = try Self.audit(ledger, AuditFilter(actor: "ada"))
            Self.expectResult(result, equals: byAda)
            #expect(result.scan.read == byAda.count, "read \(result.scan.read) events of a log of \(history.all.count)")

            let system = history.all.filter { $0.actor == "system" }
            let systemResult = try Self.audit(ledger, AuditFilter(actor: "system"))
            Self.expectResult(systemResult, equals: system)
            #expect(systemResult.scan.read == system.count)
        }
    }

    @Test func workspaceAndActorFiltersCombine() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let expected = history.all.filter { $0.workspace == "default" && $0.actor == "ada" }
            #expect(expected.map(\.type) == [.userPasswordChanged])
            let result = try Self.audit(ledger, AuditFilter(workspace: "default", actor: "ada"))
            Self.expectResult(result, equals: expected)
            // Read through the workspace index: no more than the workspace's events.
            #expect(result.scan.read == history.all.filter { $0.workspace == "default" }.count)
        }
    }

    /// With an index, the type filter is applied to the index entries: other types are not read.
    @Test func typeFilterOnAnIndexSkipsOtherTypesUnread() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let types: Set<EventType> = [.runDataLogged]
            let expected = history.all.filter { $0.workspace == "lab" && types.contains($0.type) }
            #expect(expected.count == 1)
            let result = try Self.audit(ledger, AuditFilter(workspace: "lab", types: types))
            Self.expectResult(result, equals: expected)
            #expect(result.scan.read == expected.count)
        }
    }

    // MARK: - Time

    /// The index keeps a scope's entries in chunks of 48 keyed by their first sequence: a long
    /// scope spans several chunks, and a filter that starts inside one reads from that entry on.
    @Test func indexChunksHoldEveryEntryAndSeekInsideThem() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            for (kind, scope, events) in [(AuditIndex.Kind.workspace, "bulk", history.all.filter { $0.workspace == "bulk" }),
                                          (.actor, "bulk", history.all.filter { $0.actor == "bulk" })] {
                #expect(events.count > 3 * AuditIndex.chunkCapacity)
                let prefix = AuditIndex.prefix(kind, scope)
                let chunks = try ledger.read { txn in
                    try ledger.reader.scan(ledger.db.audit, prefix: prefix, txn) { key, value in
                        (key: Array(key), sequences: stride(from: 0, to: value.count, by: AuditIndex.entrySize).map { AuditIndex.sequence(in: value, at: $0) })
                    }
                }
                #expect(chunks.flatMap(\.sequences) == events.map(\.sequence))
                #expect(chunks.dropLast().allSatisfy { $0.sequences.count == AuditIndex.chunkCapacity })
                #expect(chunks.allSatisfy { $0.key == AuditIndex.chunkKey(prefix, firstSequence: $0.sequences[0]) })
            }
            let bulk = history.all.filter { $0.workspace == "bulk" }
            for start in stride(from: 0, to: bulk.count, by: 5) {
                let since = bulk[start].timestamp
                Self.expectResult(try Self.audit(ledger, AuditFilter(workspace: "bulk", since: since)),
                                  equals: bulk.filter { $0.timestamp >= since })
                Self.expectResult(try Self.audit(ledger, AuditFilter(actor: "bulk", until: since)),
                                  equals: history.all.filter { $0.actor == "bulk" && $0.timestamp <= since })
            }
        }
    }

    /// A commit gathers its events' audit entries by scope and rewrites each chunk once: the
    /// commits of a crowd of concurrent writers, and a CASCADE delete of more than two chunks of
    /// events in one command, leave exactly the chunks that one event at a time leaves (those of
    /// a rebuild), and the audit finds every event.
    @Test func oneCommitsEntriesFillTheChunksAsOneEventAtATimeWould() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "doomed", context: Self.bulk)
            let experiment = try await ledger.createExperiment(name: "crowded", in: "doomed", context: Self.bulk)
            let actors = [Self.ada, Self.bulk, CommandContext(actor: "eve", requestID: "req-eve", source: .cli)]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<120 {
                    group.addTask {
                        let context = actors[writer % actors.count]
                        let run = try await ledger.createRun(experimentID: experiment.id, in: "doomed", context: context)
                        try await ledger.logMetric(runID: run.info.runID, Metric(key: "loss", value: 1, timestamp: 1, step: 0), in: "doomed", context: context)
                    }
                }
                try await group.waitForAll()
            }
            let summary = try await ledger.deleteWorkspace(name: "doomed", mode: .cascade, context: Self.bulk)
            #expect(summary.runs == 120)
            let all = try ledger.events(from: 1, limit: 10_000)
            // Events of one commit share its time: the CASCADE commit alone spans three chunks.
            let largestCommit = Dictionary(grouping: all, by: \.timestamp).values.map(\.count).max() ?? 0
            #expect(largestCommit > 2 * AuditIndex.chunkCapacity)
            let scopes = [(AuditIndex.Kind.workspace, "doomed", all.filter { $0.workspace == "doomed" })]
                + actors.map { (AuditIndex.Kind.actor, $0.actor, all.filter { [actor = $0.actor] in $0.actor == actor }) }
            for (kind, scope, events) in scopes {
                let prefix = AuditIndex.prefix(kind, scope)
                let chunks = try ledger.read { txn in
                    try ledger.reader.scan(ledger.db.audit, prefix: prefix, txn) { key, value in
                        (key: Array(key), sequences: stride(from: 0, to: value.count, by: AuditIndex.entrySize).map { AuditIndex.sequence(in: value, at: $0) })
                    }
                }
                #expect(chunks.flatMap(\.sequences) == events.map(\.sequence), "\(kind) \(scope)")
                #expect(chunks.dropLast().allSatisfy { $0.sequences.count == AuditIndex.chunkCapacity }, "\(kind) \(scope)")
                #expect(chunks.allSatisfy { $0.key == AuditIndex.chunkKey(prefix, firstSequence: $0.sequences[0]) }, "\(kind) \(scope)")
                Self.expectResult(try Self.audit(ledger, kind == .workspace ? AuditFilter(workspace: scope) : AuditFilter(actor: scope)), equals: events)
            }
            let report = try ledger.verify()
            #expect(report.isClean, "\(report.problems)")
        }
    }

    @Test func sinceAndUntilNarrowByTime() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let (t1, t2) = (history.afterPhase1, history.afterPhase2)
            let phase1 = history.all.filter { $0.timestamp <= t1 }
            let phase2 = history.all.filter { $0.timestamp >= t1 && $0.timestamp <= t2 }
            let phase3 = history.all.filter { $0.timestamp >= t2 }
            #expect(!phase1.isEmpty && !phase2.isEmpty && !phase3.isEmpty)
            #expect(phase1.count + phase2.count + phase3.count == history.all.count)

            Self.expectResult(try Self.audit(ledger, AuditFilter(until: t1)), equals: phase1)
            Self.expectResult(try Self.audit(ledger, AuditFilter(since: t1, until: t2)), equals: phase2)
            Self.expectResult(try Self.audit(ledger, AuditFilter(since: t2)), equals: phase3)

            // Bounds are inclusive, to the microsecond.
            let event = history.all[history.all.count / 2]
            let exact = try Self.audit(ledger, AuditFilter(since: event.timestamp, until: event.timestamp))
            Self.expectResult(exact, equals: history.all.filter { $0.timestamp == event.timestamp })
            #expect(exact.events.contains(event))

            // A time range reads only its own part of the log (binary search, not a scan from 1).
            let late = try Self.audit(ledger, AuditFilter(since: t2))
            #expect(late.scan.read == phase3.count)

            // An empty range, and a range after the end.
            #expect(try Self.audit(ledger, AuditFilter(since: t2, until: t1)).events.isEmpty)
            #expect(try Self.audit(ledger, AuditFilter(since: history.all.last!.timestamp + 1)).events.isEmpty)

            // Time and an index combine.
            Self.expectResult(try Self.audit(ledger, AuditFilter(workspace: "lab", since: t2)),
                              equals: history.all.filter { $0.workspace == "lab" && $0.timestamp >= t2 })
        }
    }

    // MARK: - Types and entities

    @Test func typesFilterWithoutAnIndex() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let types: Set<EventType> = [.experimentCreated, .experimentRenamed, .grantSet]
            let expected = history.all.filter { types.contains($0.type) }
            #expect(Set(expected.map(\.type)) == types)
            let result = try Self.audit(ledger, AuditFilter(types: types))
            Self.expectResult(result, equals: expected)
            #expect(result.scan.read == history.all.count, "without an index every event in range is read")
            #expect(try Self.audit(ledger, AuditFilter(types: [.experimentPurged])).events.isEmpty)
        }
    }

    @Test func entityFilterByKindAndByKindAndID() async throws {
        try await withTemporaryLedger { ledger, _ in
            let history = try await Self.buildHistory(ledger)
            let experiments = history.all.filter { $0.entity.kind == .experiment }
            Self.expectResult(try Self.audit(ledger, AuditFilter(entity: "experiment")), equals: experiments)

            let one = history.all.filter { $0.entity == EntityReference(kind: .experiment, id: String(history.experimentID)) }
            #expect(one.map(\.type) == [.experimentCreated, .experimentRenamed, .experimentTagSet])
            Self.expectResult(try Self.audit(ledger, AuditFilter(entity: "experiment:\(history.experimentID)")), equals: one)

            let user = history.all.filter { $0.entity.description == "user:ada" }
            #expect(user.map(\.type) == [.userCreated, .userPasswordChanged])
            Self.expectResult(try Self.audit(ledger, AuditFilter(entity: "user:ada")), equals: user)

            let models = try Self.audit(ledger, AuditFilter(entity: "registered_model"))
            #expect(models.events.isEmpty)

            // Entity, actor and type together.
            Self.expectResult(try Self.audit(ledger, AuditFilter(actor: "ada", types: [.experimentRenamed], entity: "experiment")),
                              equals: one.filter { $0.type == .experimentRenamed })
        }
    }

    @Test(arguments: ["bogus", "bogus:3", "", ":3", "Experiment:3", "experiment:"])
    func malformedEntityIsRefused(_ entity: String) async throws {
        _ = try await withTemporaryLedger { ledger, _ in
            await expectLedgerError(.invalidParameterValue) {
                try ledger.audit(AuditFilter(entity: entity)) { _ in Issue.record("no event should be handed over") }
            }
        }
    }

    /// Audit changes never show a password hash: only "password set".
    @Test func passwordChangesShowNoHash() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.buildHistory(ledger)
            let hash = try ledger.user(named: "ada").password
            let result = try Self.audit(ledger, AuditFilter(entity: "user:ada"))
            #expect(result.events.count == 2)
            for event in result.events {
                let text = event.payload.auditSummary
                #expect(text.contains("password set"), "\(text)")
                #expect(!text.contains(Array(hash.derivedKey).map { String(format: "%02x", $0) }.joined()))
                #expect(!text.contains(Data(hash.derivedKey).base64EncodedString()))
            }
        }
    }

    // MARK: - The chain over a range

    @Test func verifyChainOverARange() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (target, head) = try await withReopenableLedger(directory) { ledger in
            _ = try await ledger.createWorkspace(name: "lab", description: "original", context: Self.ada)
            let target = try ledger.head().sequence
            for index in 0..<8 { _ = try await ledger.createExperiment(name: "e\(index)", in: "lab", context: Self.ada) }
            return (target, try ledger.head())
        }

        try await withReopenableLedger(directory, readOnly: true) { ledger in
            let whole = try ledger.verifyChain(from: 1, through: head.sequence)
            #expect(whole.isClean, "\(whole.problems)")
            #expect(whole.eventsChecked == head.sequence)
            let part = try ledger.verifyChain(from: target + 2, through: target + 4)
            #expect(part.isClean)
            #expect(part.eventsChecked == 3)
        }

        // Change one byte of the event's body ("original" → "oviginal"): its own link breaks.
        try TamperDetectionTests.changeEvent(directory, target) { stored in
            let body = Array(stored.dropLast(EventCodec.hashSize))
            let at = try #require(TamperDetectionTests.find(Array("original".utf8), in: body))
            stored[at + 1] = UInt8(ascii: "v")
        }

        try await withReopenableLedger(directory, readOnly: true) { ledger in
            let covering = try ledger.verifyChain(from: target - 1, through: target + 2)
            #expect(!covering.isClean)
            #expect(covering.firstProblem?.kind == .hashMismatch, "\(covering.problems)")
            #expect(covering.firstProblem?.sequence == target)
            #expect(covering.problemCount == 1, "\(covering.problems)")

            let exactly = try ledger.verifyChain(from: target, through: target)
            #expect(exactly.firstProblem?.sequence == target)

            // Ranges that do not hold the changed event stay clean: the chain resumes from the stored hash.
            #expect(try ledger.verifyChain(from: 1, through: target - 1).isClean)
            #expect(try ledger.verifyChain(from: target + 1, through: head.sequence).isClean)

            // A range past the end of the log reports the missing events.
            let beyond = try ledger.verifyChain(from: head.sequence - 1, through: head.sequence + 3)
            #expect(beyond.firstProblem?.kind == .missingEvent)
            #expect(beyond.firstProblem?.sequence == head.sequence + 1)
        }
    }
}
