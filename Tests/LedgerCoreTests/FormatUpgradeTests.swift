import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Ledgers of format 1 (the head in `meta`) are read as they are and upgraded when opened for
/// writing (the head in LMDB's main database, whose page every commit rewrites anyway).
@Suite struct FormatUpgradeTests {
    /// Turns a ledger of this build into what format 1 left: the head in `meta`, format 1.
    static func makeFormatOne(_ directory: String) throws {
        var configuration = Environment.Configuration()
        configuration.durable = false
        let environment = try Environment(path: directory, configuration: configuration)
        let meta = try environment.openDatabase("meta", create: false)
        let main = try environment.openMainDatabase()
        try environment.write { txn in
            let head = try #require(try txn.get(main, key: EventLog.MetaKey.head))
            #expect(try txn.delete(main, key: EventLog.MetaKey.head))
            try txn.put(meta, key: EventLog.MetaKey.formatOneHead, value: head)
            try txn.put(meta, key: EventLog.MetaKey.format, value: [0, 0, 0, 1])
        }
    }

    static func stored(_ directory: String) throws -> (format: [UInt8]?, metaHead: [UInt8]?, mainHead: [UInt8]?) {
        var configuration = Environment.Configuration()
        configuration.readOnly = true
        let environment = try Environment(path: directory, configuration: configuration)
        let meta = try environment.openDatabase("meta", create: false)
        let main = try environment.openMainDatabase()
        return try environment.read { txn in
            (try txn.get(meta, key: EventLog.MetaKey.format), try txn.get(meta, key: EventLog.MetaKey.formatOneHead),
             try txn.get(main, key: EventLog.MetaKey.head))
        }
    }

    @Test func aFormatOneLedgerIsReadAsItIsAndUpgradedWhenOpenedForWriting() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-format-1")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (head, views) = try await withReopenableLedger(directory) { ledger in
            _ = try await ReplayAndAsOfTests.populate(ledger)
            return (try ledger.head(), try RandomizedConsistencyTests.dumpViews(ledger))
        }
        try Self.makeFormatOne(directory)

        // Read-only: the head comes from `meta`, nothing is written.
        try await withReopenableLedger(directory, readOnly: true) { ledger async throws in
            #expect(try ledger.head() == head)
            #expect(try ledger.verify().isClean)
        }
        #expect(try Self.stored(directory).format == [0, 0, 0, 1])

        // For writing: upgraded, the head moved, the views untouched, and it goes on.
        try await withReopenableLedger(directory) { ledger async throws in
            #expect(try ledger.head() == head)
            #expect(try RandomizedConsistencyTests.dumpViews(ledger) == views)
            _ = try await ledger.createWorkspace(name: "after-upgrade", context: testContext)
            #expect(try ledger.head().sequence == head.sequence + 1)
            #expect(try ledger.verify().isClean)
        }
        let stored = try Self.stored(directory)
        #expect(stored.format == [0, 0, 0, 2])
        #expect(stored.metaHead == nil)
        let mainHead = try #require(stored.mainHead)
        #expect(try mainHead.withUnsafeBytes { try LogHead(decoding: $0) }.sequence == head.sequence + 1)
    }

    @Test func aLedgerOfANewerFormatIsRefused() async throws {
        let directory = ReplayAndAsOfTests.temporaryPath("ledger-format-9")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withReopenableLedger(directory) { ledger in _ = try await ledger.createWorkspace(name: "ws", context: testContext) }
        try TamperDetectionTests.withDatabases(directory, ["meta"]) { txn, databases in
            try txn.put(databases[0], key: EventLog.MetaKey.format, value: [0, 0, 0, 9])
        }
        for readOnly in [true, false] {
            let error = await expectLedgerError(.incompatibleFormat) { try await withReopenableLedger(directory, readOnly: readOnly) { _ in } }
            #expect(error?.message.contains("has format 9") == true)
        }
    }
}
