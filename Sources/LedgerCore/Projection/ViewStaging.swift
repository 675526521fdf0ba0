import LedgerLMDB
import Dispatch

/// What a rebuild writes to the views, held in memory and written in key order in one pass.
///
/// During a rebuild the projector writes here instead of into LMDB: a put or delete replaces the
/// staged state of its key, a read finds the staged state first and falls back to the
/// transaction, and audit entries are cut into chunks by ``auditChunks``. ``flush(_:)`` writes
/// everything in key order, into databases that were empty with `MDB_APPEND` (pages filled to
/// the brim, no searches). The result is the same bytes as applying the events one by one: the
/// staged state of a key is what the last write left, exactly as LMDB would hold it. A flush
/// sorts the keys on a second thread, one database ahead of the writing.
///
/// The rebuild flushes when the staged bytes pass ``budget`` and before a prefix delete (a
/// purge, rare), so memory stays bounded on any log.
final class ViewStaging {
    /// A database's staged entries: key → value, or a deletion since the last flush.
    private let tables: [StagingTable]
    private let databases: [Database]
    /// The audit chunks of the rebuild (which never reads the `audit` view).
    let auditChunks: AuditChunker
    /// True while every database still holds nothing but what this staging will write: deletes
    /// can be dropped and puts appended.
    private(set) var targetIsEmpty: Bool
    /// Bytes staged since the last flush: the tables' records and slots.
    private(set) var stagedBytes = 0
    /// Flush when this many bytes are staged.
    let budget: Int
    /// Flushes so far.
    private(set) var flushes = 0

    /// - Parameters:
    ///   - databases: The views written (each must be empty when `targetIsEmpty`).
    ///   - audit: The `audit` view, which must be empty.
    ///   - targetIsEmpty: The views are empty: the first flush appends.
    ///   - budget: Staged bytes that trigger a flush.
    init(databases: [Database], audit: Database, targetIsEmpty: Bool, budget: Int = 512 << 20) {
        let slots = (databases.map(\.number).max() ?? 0) + 1
        tables = (0..<slots).map { _ in StagingTable() }
        auditChunks = AuditChunker(database: audit)
        self.databases = databases
        self.targetIsEmpty = targetIsEmpty
        self.budget = budget
    }

    /// Reads `key` from the staging, else from `txn` (unless the target is still empty).
    @inline(__always)
    func withValue<R>(_ database: Database, _ key: some RawBytes, _ txn: borrowing Transaction,
                      _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        try key.withRawBytes { key in
            switch tables[database.number].lookup(key) {
            case .value(let staged): return try body(staged)
            case .deleted: return try body(nil)
            case .absent:
                if targetIsEmpty { return try body(nil) }
                return try txn.withValue(database, key: key, body)
            }
        }
    }

    /// Reads and replaces the value of `key` in one step: `body` gets the current value (staged,
    /// else from `txn`) and returns the new one, or `nil` to leave the key as it is.
    @inline(__always)
    func update(_ database: Database, _ key: [UInt8], _ txn: borrowing Transaction,
                _ body: (UnsafeRawBufferPointer?) throws -> [UInt8]?) throws {
        let replacement = try withValue(database, key, txn, body)
        if let replacement { put(database, key, replacement) }
    }

    /// Rewrites the value of `key` in place (how a rebuild logs a metric point without copying
    /// the record): `body` gets a buffer holding the current value (staged, else from `txn`; its
    /// length, or `nil` when there is none) with at least `growth` bytes of room after it, and
    /// returns the new length. `body` must leave the buffer as it was when it throws.
    @inline(__always)
    func modify(_ database: Database, _ key: some RawBytes, _ txn: borrowing Transaction, growth: Int,
                _ body: (UnsafeMutableRawBufferPointer, Int?) throws -> Int) throws {
        let table = tables[database.number]
        let before = table.bytes
        defer { stagedBytes += table.bytes - before }
        try key.withRawBytes { key in
            if try table.modifyStaged(key, growth: growth, body) { return }
            if targetIsEmpty { return try table.insert(key, initial: nil, growth: growth, body) }
            try txn.withValue(database, key: key) { stored in try table.insert(key, initial: stored, growth: growth, body) }
        }
    }

    @inline(__always)
    func put(_ database: Database, _ key: [UInt8], _ value: [UInt8]) {
        let table = tables[database.number]
        let before = table.bytes
        key.withUnsafeBytes { key in value.withUnsafeBytes { value in table.put(key, value) } }
        stagedBytes += table.bytes - before
    }

    @inline(__always)
    func delete(_ database: Database, _ key: [UInt8]) {
        let table = tables[database.number]
        let before = table.bytes
        key.withUnsafeBytes { table.delete($0) }
        stagedBytes += table.bytes - before
    }

    /// One database's staged entries, sorted on another thread while earlier ones are written.
    private final class SortedBatch: @unchecked Sendable {
        let database: Database
        /// Read by the sorting thread while the staging is flushed, and left alone by this one.
        private let table: StagingTable
        private let deletions: Bool
        private(set) var entries: [StagingTable.SortedEntry] = []
        private let ready = DispatchSemaphore(value: 0)

        init(_ database: Database, _ table: StagingTable, deletions: Bool) {
            self.database = database
            self.table = table
            self.deletions = deletions
        }

        func sort() {
            entries = table.sortedEntries(deletions: deletions)
            ready.signal()
        }

        func wait() { ready.wait() }
    }

    /// Writes everything staged into `txn`, in key order, and empties the staging. The keys are
    /// sorted on a second thread, one database ahead of the writing.
    func flush(_ txn: borrowing Transaction) throws {
        auditChunks.stageOpenChunks(into: self)
        let append = targetIsEmpty
        var batches: [SortedBatch] = []
        for database in databases {
            let slot = database.number
            if tables[slot].isEmpty { continue }
            // Into an empty database, a deletion has nothing to remove.
            batches.append(SortedBatch(database, tables[slot], deletions: !append))
        }
        let sorting = batches
        DispatchQueue.global(qos: .userInitiated).async { for batch in sorting { batch.sort() } }
        // The sorting thread reads the tables: they are emptied once it is done, even when a
        // write throws.
        var waited = 0
        defer {
            for batch in batches[waited...] { batch.wait() }
            for table in tables { table.removeAll() }
        }
        for batch in batches {
            batch.wait()
            waited += 1
            let database = batch.database
            if !batch.entries.isEmpty {
                try txn.withCursor(database) { cursor in
                    for sorted in batch.entries {
                        let key = sorted.entry.key
                        if let value = sorted.entry.value {
                            try cursor.put(key: key, value: value, options: append ? .append : [])
                        } else if try cursor.seek(exactly: key) != nil {
                            try cursor.deleteCurrent()
                        }
                    }
                }
            }
        }
        stagedBytes = 0
        targetIsEmpty = false
        flushes += 1
    }
}
