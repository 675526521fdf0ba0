import LedgerLMDB

/// The audit entries of one commit, gathered by scope, to be written at its end.
///
/// Every event adds an entry to the last chunk of its workspace and of its actor, and the events
/// of a busy commit mostly share both: 64 metric events of one client rewrote the same two chunks
/// 64 times each. Gathered here, each scope's chunk is read and rewritten once per commit, with
/// the same records as one append per event (``AuditIndex/append(_:prefix:in:_:)`` cuts chunks by
/// position). Nothing that decides a command reads the audit view, so writing it last in the
/// transaction changes nothing a command can see.
final class AuditBatch {
    private let database: Database
    /// Each scope's prefix and entries, in the order the scopes first appeared.
    private var scopes: [(prefix: [UInt8], entries: [UInt8])] = []
    private var index: [[UInt8]: Int] = [:]

    init(database: Database) {
        self.database = database
    }

    var isEmpty: Bool { scopes.isEmpty }

    /// Adds one entry (``AuditIndex/entrySize`` bytes, after those added before) to the scope of
    /// `prefix`.
    func add(_ entry: UnsafeRawBufferPointer, prefix: [UInt8]) {
        if let position = index[prefix] {
            scopes[position].entries.append(contentsOf: entry)
        } else {
            index[prefix] = scopes.count
            scopes.append((prefix, Array(entry)))
        }
    }

    /// Appends every scope's entries to the audit view in `txn`, and forgets them.
    func write(_ txn: borrowing Transaction) throws {
        for scope in scopes {
            try scope.entries.withUnsafeBytes { entries in
                _ = try AuditIndex.append(entries, prefix: scope.prefix, in: database, txn)
            }
        }
        scopes.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true)
    }
}
