import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// A ledger whose creation a crash cut short is finished by the next open.
@Suite struct InterruptedCreationTests {
    /// Creating a ledger commits its format first and its first events (the workspace `default`
    /// and experiment `0`) in a second commit. A kill between the two left a ledger that every
    /// later start served without `default`: each request without a workspace header got 404.
    @Test func aLedgerKilledBetweenItsFormatAndItsFirstEventsGetsThemOnTheNextOpen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-interrupted-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // What the first commit of a new ledger leaves: its databases, format and projection version.
        do {
            let environment = try Environment(path: directory)
            let db = try LedgerDatabases.open(in: environment, create: true)
            let log = EventLog(db: db, projector: Projector(db: db))
            try environment.write { txn in
                try log.setMetaUInt32(EventLog.MetaKey.format, EventLog.formatVersion, txn)
                try log.setMetaUInt32(EventLog.MetaKey.projectionVersion, Projector.version, txn)
            }
        }

        try await withReopenableLedger(directory) { ledger in
            let workspace = try ledger.workspace(named: "default")
            let experiment = try ledger.experiment(id: 0, in: "default")
            let head = try ledger.head()
            let report = try ledger.verify()
            #expect(workspace.name == "default")
            #expect(experiment.name == "Default")
            #expect(head.sequence == 2)
            #expect(report.isClean, "\(report.problems)")
        }
        // Opening it again adds nothing.
        let head = try await withReopenableLedger(directory) { ledger in try ledger.head() }
        #expect(head.sequence == 2)
    }
}
