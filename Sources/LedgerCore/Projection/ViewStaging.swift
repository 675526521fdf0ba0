import LedgerLMDB
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// A key of a staging table: its bytes hashed once, 8 at a time (an array's own hashing feeds the
/// hasher byte by byte, several times slower), and compared by that hash, then memcmp.
struct StagedKey: Hashable {
    var bytes: [UInt8]
    /// A cheap hash of the bytes, computed once: probes compare it before the bytes.
    let digest: UInt64

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        digest = bytes.withUnsafeBytes { raw in
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
            var i = 0
            while i + 8 <= raw.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            var tail: UInt64 = 0
            while i < raw.count {
                tail = tail << 8 | UInt64(raw[i])
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            return h ^ (h >> 29)
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    static func == (a: StagedKey, b: StagedKey) -> Bool {
        a.digest == b.digest && a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { pa in
            b.bytes.withUnsafeBytes { pb in pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 }
        }
    }
}

final class ViewStaging {
    /// A database's staged entries: key → value, or `nil` for a key deleted since the last flush.
    private var entries: [[StagedKey: [UInt8]?]]
    private let databases: [Database]
    /// The audit chunks of the rebuild (which never reads the `audit` view).
    let auditChunks: AuditChunker
    /// True while every database still holds nothing but what this staging will write: deletes
    /// can be dropped and puts appended.
    private(set) var targetIsEmpty: Bool
    /// Bytes staged since the last flush (keys and values, without dictionary overhead).
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
        entries = Array(repeating: [:], count: slots)
        auditChunks = AuditChunker(database: audit)
        self.databases = databases
        self.targetIsEmpty = targetIsEmpty
        self.budget = budget
    }

    /// Reads `key` from the staging, else from `txn` (unless the target is still empty).
    @inline(__always)
    func withValue<R>(_ database: Database, _ key: [UInt8], _ txn: borrowing Transaction,
                      _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        if let staged = entries[database.number][StagedKey(key)] {
            guard let staged else { return try body(nil) }
            return try staged.withUnsafeBytes { try body($0) }
        }
        if targetIsEmpty { return try body(nil) }
        return try txn.withValue(database, key: key, body)
    }

    /// Reads and replaces the value of `key` in one step: `body` gets the current value (staged,
    /// else from `txn`) and returns the new one, or `nil` to leave the key as it is.
    @inline(__always)
    func update(_ database: Database, _ key: [UInt8], _ txn: borrowing Transaction,
                _ body: (UnsafeRawBufferPointer?) throws -> [UInt8]?) throws {
        let slot = database.number
        let staged = StagedKey(key)
        var replacement: [UInt8]?
        if let index = entries[slot].index(forKey: staged) {
            let current = entries[slot].values[index]
            if let current {
                replacement = try current.withUnsafeBytes { try body($0) }
            } else {
                replacement = try body(nil)
            }
            if let replacement {
                stagedBytes += replacement.count - (current?.count ?? 0)
                entries[slot].values[index] = .some(replacement)
            }
            return
        }
        replacement = targetIsEmpty ? try body(nil) : try txn.withValue(database, key: key) { try body($0) }
        if let replacement {
            stagedBytes += key.count + replacement.count + 16
            entries[slot][staged] = .some(replacement)
        }
    }

    @inline(__always)
    func put(_ database: Database, _ key: [UInt8], _ value: [UInt8]) {
        stagedBytes += key.count + value.count + 16
        entries[database.number][StagedKey(key)] = .some(value)
    }

    @inline(__always)
    func delete(_ database: Database, _ key: [UInt8]) {
        stagedBytes += key.count + 16
        entries[database.number][StagedKey(key)] = .some(nil)
    }

    /// One database's staged entries, sorted on another thread while earlier ones are written.
    private final class SortedBatch: @unchecked Sendable {
        let database: Database
        let entries: [(key: StagedKey, value: [UInt8]?)]
        private(set) var entryOrder: [Int] = []
        private let ready = DispatchSemaphore(value: 0)

        init(_ database: Database, _ entries: [StagedKey: [UInt8]?]) {
            self.database = database
            self.entries = entries.map { ($0.key, $0.value) }
        }

        func sort() {
            entryOrder = ViewStaging.sortedOrder(entries.map(\.key.bytes))
            ready.signal()
        }

        func wait() { ready.wait() }
    }

    /// Writes everything staged into `txn`, in key order, and empties the staging. The keys are
    /// sorted on a second thread, one database ahead of the writing.
    func flush(_ txn: borrowing Transaction) throws {
        auditChunks.stageOpenChunks(into: self)
        var batches: [SortedBatch] = []
        for database in databases {
            let slot = database.number
            if entries[slot].isEmpty { continue }
            batches.append(SortedBatch(database, entries[slot]))
            entries[slot] = [:]
        }
        let sorting = batches
        DispatchQueue.global(qos: .userInitiated).async { for batch in sorting { batch.sort() } }
        let append = targetIsEmpty
        for batch in batches {
            batch.wait()
            let database = batch.database
            if !batch.entryOrder.isEmpty {
                try txn.withCursor(database) { cursor in
                    for index in batch.entryOrder {
                        let (key, value) = batch.entries[index]
                        if let value {
                            try cursor.put(key: key.bytes, value: value, options: append ? .append : [])
                        } else if !append, try cursor.seek(exactly: key.bytes) != nil {
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

    /// The order of `keys` in LMDB's default key order (memcmp, shorter first on a tie). The
    /// keys are copied side by side into one buffer and their positions sorted, which moves no
    /// arrays.
    static func sortedOrder(_ keys: [[UInt8]]) -> [Int] {
        var arena: [UInt8] = []
        arena.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var offsets: [Int] = []
        offsets.reserveCapacity(keys.count + 1)
        for key in keys {
            offsets.append(arena.count)
            arena.append(contentsOf: key)
        }
        offsets.append(arena.count)
        var order = Array(0..<keys.count)
        arena.withUnsafeBytes { base in
            offsets.withUnsafeBufferPointer { offsets in
                order.sort { a, b in
                    let la = offsets[a + 1] - offsets[a]
                    let lb = offsets[b + 1] - offsets[b]
                    let n = min(la, lb)
                    let c = n == 0 ? 0 : memcmp(base.baseAddress! + offsets[a], base.baseAddress! + offsets[b], n)
                    return c != 0 ? c < 0 : la < lb
                }
            }
        }
        return order
    }
}
