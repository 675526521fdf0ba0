import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Damage a closed ledger's LMDB databases directly (as an attacker or a broken disk would), then
/// reopen it: `verify()` must name what was changed, removed or reordered, and where.
@Suite struct TamperDetectionTests {
    /// What the history written by ``buildHistory(in:)`` holds.
    struct History {
        /// The event that last wrote the `workspaces` key `team-a` (an update of its description).
        var workspaceUpdate: UInt64
        /// The experiment `exp` of `team-a`, and the event that last wrote its record (a tag).
        var experimentID: Int64
        var experimentLastWrite: UInt64
        var head: LogHead
    }

    // MARK: - (a) A changed byte

    /// Every single-bit change anywhere in one stored event (body or hash) is reported, first, as
    /// a hash mismatch at that event's sequence, and never crashes the verifier.
    @Test func everyChangedByteOfAStoredEventIsReportedAtItsSequence() async throws {
        try await Self.withHistory { directory, history in
            let target = history.workspaceUpdate
            let length = try #require(try Self.storedEvent(directory, target)).count
            #expect(length > EventCodec.hashSize + 20)
            for offset in 0..<length {
                try Self.changeEvent(directory, target) { $0[offset] ^= 0x01 }
                let report = try await Self.verify(directory)
                #expect(!report.isClean, "offset \(offset)")
                #expect(report.firstProblem?.kind == .hashMismatch, "offset \(offset): \(report.problems.prefix(3))")
                #expect(report.firstProblem?.sequence == target, "offset \(offset): \(report.problems.prefix(3))")
                if offset < length - EventCodec.hashSize {
                    // A changed body breaks its own link only: the chain continues from the stored hash.
                    #expect(report.problems.filter { $0.kind == .hashMismatch }.map(\.sequence) == [target], "offset \(offset): \(report.problems.prefix(3))")
                } else {
                    // A changed hash breaks its own link and the next one.
                    #expect(report.problems.filter { $0.kind == .hashMismatch }.map(\.sequence) == [target, target + 1], "offset \(offset)")
                }
                try Self.changeEvent(directory, target) { $0[offset] ^= 0x01 }
            }
            #expect(try await Self.verify(directory).isClean)
        }
    }

    /// A changed byte in a string of the payload still decodes: the chain names the event, and the
    /// views built from the changed log no longer match the live ones.
    @Test func changedPayloadByteIsAHashMismatchAndAViewDifference() async throws {
        try await Self.withHistory { directory, history in
            let target = history.workspaceUpdate
            // The update's new description is "second": turn it into "sicond".
            try Self.changeEvent(directory, target) { stored in
                let body = Array(stored.dropLast(EventCodec.hashSize))
                let at = try #require(Self.find(Array("second".utf8), in: body))
                stored[at + 1] = UInt8(ascii: "i")
            }
            let report = try await Self.verify(directory)
            #expect(report.firstProblem?.kind == .hashMismatch)
            #expect(report.firstProblem?.sequence == target)
            #expect(report.viewsCompared == LedgerDatabases.projectionNames.count)
            let difference = try #require(report.problems.first { $0.kind == .valueDiffers })
            #expect(difference.view == "workspaces")
            #expect(difference.key == "team-a")
            #expect(difference.sequence == target)
        }
    }

    /// A changed event that still decodes but cannot be replayed (it updates a workspace that never
    /// existed) is reported with the chain's findings; verify must not throw them away.
    @Test func changedEventThatCannotBeReplayedIsStillReported() async throws {
        try await Self.withHistory { directory, history in
            let target = history.workspaceUpdate
            try Self.changeEvent(directory, target) { stored in
                let body = Array(stored.dropLast(EventCodec.hashSize))
                // The envelope names the workspace, then the payload does: change the payload's,
                // the last occurrence, "team-a" → "ueam-a" (a string: its length << 1, then UTF-8).
                let needle = [UInt8(6 << 1)] + Array("team-a".utf8)
                let at = try #require(Self.find(needle, in: body, last: true))
                stored[at + 1] = UInt8(ascii: "u")
            }
            let report = try await Self.verify(directory)
            #expect(!report.isClean)
            #expect(report.firstProblem?.kind == .hashMismatch)
            #expect(report.firstProblem?.sequence == target)
            #expect(report.problems.contains { $0.detail.contains("cannot be rebuilt") && $0.detail.contains("ueam-a") }, "\(report.problems)")
            #expect(report.viewsCompared == 0)
        }
    }

    // MARK: - (b) A removed event

    @Test(arguments: ["first", "middle"])
    func removedEventIsReportedAsMissing(_ which: String) async throws {
        try await Self.withHistory { directory, history in
            let target: UInt64 = which == "first" ? 1 : history.workspaceUpdate
            try Self.withEvents(directory) { txn, events in
                let removed = try txn.delete(events, key: Keys.sequence(target))
                #expect(removed)
            }
            let report = try await Self.verify(directory)
            #expect(!report.isClean)
            #expect(report.firstProblem?.kind == .missingEvent, "\(report.problems.prefix(3))")
            #expect(report.firstProblem?.sequence == target, "\(report.problems.prefix(3))")
            // The event after the gap no longer chains to its predecessor either.
            #expect(report.problems.contains { $0.kind == .hashMismatch && $0.sequence == target + 1 })
            #expect(report.eventsChecked == history.head.sequence - 1)
        }
    }

    // MARK: - (c) Reordered events

    @Test(arguments: [1, 4])
    func swappedEventsAreReportedAtTheFirstOfThem(_ distance: UInt64) async throws {
        try await Self.withHistory { directory, history in
            let first = history.workspaceUpdate
            let second = first + distance
            #expect(second < history.head.sequence)
            try Self.withEvents(directory) { txn, events in
                let a = try #require(try txn.get(events, key: Keys.sequence(first)))
                let b = try #require(try txn.get(events, key: Keys.sequence(second)))
                try txn.put(events, key: Keys.sequence(first), value: b)
                try txn.put(events, key: Keys.sequence(second), value: a)
            }
            let report = try await Self.verify(directory)
            #expect(!report.isClean)
            #expect(report.firstProblem?.sequence == first, "\(report.problems.prefix(4))")
            #expect(report.firstProblem?.kind == .hashMismatch, "\(report.problems.prefix(4))")
            #expect(report.problems.contains { $0.kind == .sequenceMismatch && $0.sequence == first })
            #expect(report.problems.contains { $0.kind == .sequenceMismatch && $0.sequence == second })
            // Reordered events cannot be replayed: the views are not compared.
            #expect(report.viewsCompared == 0)
        }
    }

    // MARK: - (d) A damaged view

    /// Views damaged three ways are each reported with the view, the key and the last event that
    /// wrote the key; a rebuild from the (intact) log repairs them.
    @Test func damagedViewsAreReportedAndRepairedByARebuild() async throws {
        try await Self.withHistory { directory, history in
            let experimentKey = Keys.id(history.experimentID)
            let junkKey = Keys.grant(.workspace("team-a"), "mallory")
            try Self.withDatabases(directory, ["workspaces", "experiments", "grants"]) { txn, databases in
                let removed = try txn.delete(databases[0], key: Array("team-a".utf8))
                #expect(removed)
                var record = try #require(try txn.get(databases[1], key: experimentKey))
                record[record.count / 2] ^= 0x55
                try txn.put(databases[1], key: experimentKey, value: record)
                try txn.put(databases[2], key: junkKey, value: [PermissionLevel.manage.rank])
            }

            let report = try await Self.verify(directory)
            #expect(!report.isClean)
            #expect(report.problemCount == 3, "\(report.problems)")
            #expect(report.viewsCompared == LedgerDatabases.projectionNames.count)
            // The log itself is intact: every problem is a view difference.
            #expect(report.problems.allSatisfy { $0.view != nil })

            let missing = try #require(report.problems.first { $0.view == "workspaces" })
            #expect(missing.kind == .missingInView)
            #expect(missing.key == "team-a")
            #expect(missing.sequence == history.workspaceUpdate)

            let changed = try #require(report.problems.first { $0.view == "experiments" })
            #expect(changed.kind == .valueDiffers)
            #expect(changed.key == Ledger.printable(experimentKey))
            #expect(changed.sequence == history.experimentLastWrite)

            let unexpected = try #require(report.problems.first { $0.view == "grants" })
            #expect(unexpected.kind == .unexpectedInView)
            #expect(unexpected.key == Ledger.printable(junkKey))
            #expect(unexpected.sequence == nil, "no event ever wrote the planted key")

            try await withReopenableLedger(directory) { ledger in
                await expectLedgerError(.resourceDoesNotExist) { try ledger.workspace(named: "team-a") }
                let summary = try ledger.rebuildProjections()
                #expect(summary.events == history.head.sequence)
                let repaired = try ledger.verify()
                #expect(repaired.isClean, "\(repaired.problems)")
                #expect(try ledger.workspace(named: "team-a").description == "second")
                #expect(try ledger.grants(on: .workspace("team-a")).map(\.username) == ["ada"])
                #expect(try ledger.head() == history.head)
            }
            #expect(try await Self.verify(directory).isClean)
        }
    }

    /// The listing walks the workspace records in step with its index: a record missing under a
    /// listed name is named, and a record the index does not list is stepped over.
    @Test func workspaceListingOverDamagedViews() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tamper-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withReopenableLedger(directory) { ledger in
            for name in ["team-a", "team-b", "team-c", "team-d"] {
                _ = try await ledger.createWorkspace(name: name, context: CommandContext(actor: "admin", requestID: "req-\(name)", source: .cli))
            }
        }
        // Unlisted: team-b (its record stays). Unrecorded: team-d (its listing entry stays).
        try Self.withDatabases(directory, ["listing", "workspaces"]) { txn, databases in
            let unlisted = try txn.delete(databases[0], key: Keys.workspaceListing("team-b"))
            let unrecorded = try txn.delete(databases[1], key: Array("team-d".utf8))
            #expect(unlisted && unrecorded)
        }
        try await withReopenableLedger(directory, readOnly: true) { ledger in
            let first = try ledger.listWorkspaces(maxResults: 2)
            #expect(first.items.map(\.name) == ["default", "team-a"])
            // The page stops before team-d, so it is read whole.
            let second = try ledger.listWorkspaces(maxResults: 1, pageToken: first.nextPageToken)
            #expect(second.items.map(\.name) == ["team-c"])
            #expect(second.nextPageToken != nil)
            let error = try #require(throws: LedgerError.self) { try ledger.listWorkspaces(maxResults: 10) }
            #expect(error.code == .corruptedData)
            #expect(error.message.contains("'team-d'"), "\(error.message)")
        }
    }

    // MARK: - (e) The head

    @Test func removedLastEventIsAHeadMismatch() async throws {
        try await Self.withHistory { directory, history in
            let last = history.head.sequence
            try Self.withEvents(directory) { txn, events in
                let removed = try txn.delete(events, key: Keys.sequence(last))
                #expect(removed)
            }
            let report = try await Self.verify(directory)
            #expect(!report.isClean)
            #expect(report.firstProblem?.kind == .headMismatch, "\(report.problems.prefix(3))")
            #expect(report.firstProblem?.sequence == last - 1, "the log now ends at the event before")
            #expect(report.head == history.head, "the report shows the head the metadata records")
            #expect(!report.problems.contains { $0.kind == .missingEvent || $0.kind == .hashMismatch })
        }
    }

    @Test func changedHeadRecordIsAHeadMismatch() async throws {
        try await Self.withHistory { directory, history in
            try Self.withDatabases(directory, [Self.main]) { txn, databases in
                var head = history.head
                head.hash[0] ^= 0xFF
                try txn.put(databases[0], key: EventLog.MetaKey.head, value: head.encoded())
            }
            let report = try await Self.verify(directory)
            #expect(report.firstProblem?.kind == .headMismatch)
            #expect(report.firstProblem?.sequence == history.head.sequence)
            #expect(report.problemCount >= 1)
        }
    }

    // MARK: - Damage that breaks decoding

    /// A stored event cut short, or under a malformed key, is reported as undecodable, never a crash.
    @Test func truncatedEventAndMalformedKeyAreUndecodable() async throws {
        try await Self.withHistory { directory, history in
            let target = history.workspaceUpdate
            try Self.changeEvent(directory, target) { $0 = Array($0.prefix(12)) }
            var report = try await Self.verify(directory)
            #expect(report.firstProblem?.kind == .undecodable)
            #expect(report.firstProblem?.sequence == target)
            #expect(report.viewsCompared == 0)

            // Cut inside the payload instead: the hash covers it, and the payload no longer decodes.
            let directory2 = directory + "-2"
            defer { try? FileManager.default.removeItem(atPath: directory2) }
            let history2 = try await Self.buildHistory(in: directory2)
            try Self.changeEvent(directory2, history2.workspaceUpdate) { stored in
                stored = Array(stored.dropLast(EventCodec.hashSize + 3)) + Array(stored.suffix(EventCodec.hashSize))
            }
            report = try await Self.verify(directory2)
            #expect(report.firstProblem?.kind == .hashMismatch)
            #expect(report.firstProblem?.sequence == history2.workspaceUpdate)
            #expect(report.problems.contains { $0.kind == .undecodable && $0.sequence == history2.workspaceUpdate })

            // A key that is not 8 bytes.
            let directory3 = directory + "-3"
            defer { try? FileManager.default.removeItem(atPath: directory3) }
            _ = try await Self.buildHistory(in: directory3)
            try Self.withEvents(directory3) { txn, events in
                try txn.put(events, key: [0xFF, 0xFF], value: [1, 2, 3])
            }
            report = try await Self.verify(directory3)
            #expect(report.problems.contains { $0.kind == .undecodable && $0.key == "ffff" })
            #expect(!report.isClean)
        }
    }

    // MARK: - History and tampering

    /// Builds a history in a new temporary directory, runs `body` on the closed ledger's directory,
    /// and removes the directory.
    static func withHistory(_ body: (String, History) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tamper-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let history = try await buildHistory(in: directory)
        // Untouched, it verifies clean: every problem below is the tampering's.
        let report = try await verify(directory)
        try #require(report.isClean, "\(report.problems)")
        try await body(directory, history)
    }

    static func buildHistory(in directory: String) async throws -> History {
        try await withReopenableLedger(directory) { ledger in
            let context = testContext
            _ = try await ledger.createWorkspace(name: "team-a", description: "first", context: context)
            _ = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(description: "second"), context: context)
            let workspaceUpdate = try ledger.head().sequence
            let experiment = try await ledger.createExperiment(name: "exp", tags: [.init(key: "owner", value: "ada")], in: "team-a", context: context)
            let run = try await ledger.createRun(experimentID: experiment.id, runName: "r1", in: "team-a", context: context)
            try await ledger.logBatch(runID: run.info.runID, params: [.init(key: "lr", value: "0.1")],
                                      metrics: [Metric(key: "loss", value: 0.5, timestamp: 1, step: 0)], tags: [.init(key: "t", value: "v")],
                                      in: "team-a", context: context)
            _ = try await ledger.createRegisteredModel(name: "model", in: "team-a", context: context)
            _ = try await ledger.createUser(username: "ada", password: "password-1", hashRounds: 1, context: context)
            try await ledger.setPermission(.edit, for: "ada", on: .workspace("team-a"), context: context)
            _ = try await ledger.createExperiment(name: "other", in: "default", context: context)
            try await ledger.setExperimentTag(id: experiment.id, key: "stage", value: "final", in: "team-a", context: context)
            let experimentLastWrite = try ledger.head().sequence
            let other = try await ledger.createRun(experimentID: 0, in: "default", context: context)
            for step in 0..<4 {
                try await ledger.logMetric(runID: other.info.runID, Metric(key: "acc", value: Double(step), timestamp: 10, step: Int64(step)), in: "default", context: context)
            }
            return History(workspaceUpdate: workspaceUpdate, experimentID: experiment.id, experimentLastWrite: experimentLastWrite, head: try ledger.head())
        }
    }

    /// Reopens the ledger read-only and verifies it.
    static func verify(_ directory: String) async throws -> VerificationReport {
        try await withReopenableLedger(directory, readOnly: true) { try $0.verify() }
    }

    /// Opens the closed ledger's LMDB environment and runs `body` in one write transaction over
    /// the named databases.
    /// The name that stands for LMDB's main database (which holds the head) in ``withDatabases``.
    static let main = "(main)"

    static func withDatabases(_ directory: String, _ names: [String], _ body: (borrowing Transaction, [Database]) throws -> Void) throws {
        var configuration = Environment.Configuration()
        configuration.durable = false
        let environment = try Environment(path: directory, configuration: configuration)
        let databases = try names.map { $0 == main ? try environment.openMainDatabase() : try environment.openDatabase($0, create: false) }
        try environment.write { txn in try body(txn, databases) }
    }

    static func withEvents(_ directory: String, _ body: (borrowing Transaction, Database) throws -> Void) throws {
        try withDatabases(directory, ["events"]) { txn, databases in try body(txn, databases[0]) }
    }

    static func storedEvent(_ directory: String, _ sequence: UInt64) throws -> [UInt8]? {
        var value: [UInt8]?
        try withEvents(directory) { txn, events in value = try txn.get(events, key: Keys.sequence(sequence)) }
        return value
    }

    /// Rewrites the stored bytes (body ‖ hash) of one event.
    static func changeEvent(_ directory: String, _ sequence: UInt64, _ change: (inout [UInt8]) throws -> Void) throws {
        try withEvents(directory) { txn, events in
            var stored = try #require(try txn.get(events, key: Keys.sequence(sequence)))
            try change(&stored)
            try txn.put(events, key: Keys.sequence(sequence), value: stored)
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], last: Bool = false) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        let matches = (0...(haystack.count - needle.count)).filter { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
        return last ? matches.last : matches.first
    }
}
