import LedgerLMDB

/// What an audit scan read.
public struct AuditScan: Sendable, Hashable {
    /// Events handed to the caller.
    public var matched = 0
    /// Events read from the log (the index narrows this for workspace and actor filters).
    public var read = 0
    /// The first and last matched sequence numbers.
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
}

extension Ledger {
    /// Hands every event that matches `filter` to `body`, in log order.
    ///
    /// A workspace or actor filter reads through the index maintained with the log, so it reads
    /// only that workspace's or actor's events; a time filter narrows the range by binary search.
    /// The scan runs in read transactions of bounded length, so a long audit does not pin old
    /// pages while a server writes. `body` must not start ledger transactions of its own.
    @discardableResult
    public func audit(_ filter: AuditFilter, _ body: (RecordedEvent) throws -> Void) throws -> AuditScan {
        if let entity = filter.entity { try AuditFilter.validateEntity(entity) }
        let head = try self.head()
        let lower = try filter.since.map { try sequence(at: .time(microseconds: $0 - 1)) + 1 } ?? 1
        let upper = try filter.until.map { try sequence(at: .time(microseconds: $0)) } ?? head.sequence
        var scan = AuditScan()
        guard lower <= upper else { return scan }

        let db = self.db
        let scopePrefix: [UInt8]? =
            filter.workspace.map { AuditIndex.prefix(.workspace, $0) } ?? filter.actor.map { AuditIndex.prefix(.actor, $0) }
        var next = lower
        let chunk = 10_000
        while next <= upper {
            let resume: UInt64? = try read { txn in
                var handled = 0
                if let prefix = scopePrefix {
                    // The scope's chunks of entries (BE64 sequence ‖ BE16 type), from the one
                    // holding `next`: the last chunk that starts at or before it.
                    return try txn.withCursor(db.audit) { cursor in
                        let later = try cursor.seek(atOrAfter: AuditIndex.chunkKey(prefix, firstSequence: next &+ 1))
                        var entry = later == nil ? try cursor.last() : try cursor.previous()
                        if entry.map({ !$0.key.hasPrefix(prefix) }) ?? true { entry = try cursor.seek(atOrAfter: prefix) }
                        while let current = entry, current.key.hasPrefix(prefix) {
                            try AuditIndex.checkChunk(key: current.key, value: current.value, prefix: prefix)
                            for offset in stride(from: 0, to: current.value.count, by: AuditIndex.entrySize) {
                                let sequence = AuditIndex.sequence(in: current.value, at: offset)
                                if sequence < next { continue }
                                if sequence > upper { return nil }
                                if handled == chunk { return sequence }
                                handled += 1
                                let type = AuditIndex.typeNumber(in: current.value, at: offset)
                                if filter.types.isEmpty || filter.types.contains(where: { $0.rawValue == type }) {
                                    try Self.consider(sequence, txn, db.events, filter, &scan, body)
                                }
                            }
                            entry = try cursor.next()
                        }
                        return nil
                    }
                }
                var sequence = next
                while sequence <= upper {
                    if handled == chunk { return sequence }
                    handled += 1
                    try Self.consider(sequence, txn, db.events, filter, &scan, body)
                    sequence += 1
                }
                return nil
            }
            guard let resume else { break }
            next = resume
        }
        return scan
    }

    /// Decodes event `sequence` and hands it to `body` when it matches `filter`.
    private static func consider(_ sequence: UInt64, _ txn: borrowing Transaction, _ events: Database, _ filter: AuditFilter,
                                 _ scan: inout AuditScan, _ body: (RecordedEvent) throws -> Void) throws {
        let event = try txn.withValue(events, key: Keys.sequence(sequence)) { (stored) throws(LedgerError) in
            guard let stored else {
                throw LedgerError(.corruptedData, "the audit index names event \(sequence), which the log does not hold: run 'ledger replay --verify'")
            }
            return try EventCodec.decode(stored: stored)
        }
        scan.read += 1
        guard filter.actor == nil || event.actor == filter.actor,
              filter.workspace == nil || event.workspace == filter.workspace,
              filter.types.isEmpty || filter.types.contains(event.type),
              filter.matches(entity: event.entity) else { return }
        scan.matched += 1
        if scan.firstSequence == nil { scan.firstSequence = sequence }
        scan.lastSequence = sequence
        try body(event)
    }

    /// Checks the hash chain over sequences `first...last` only: each event's hash against the
    /// previous event's stored hash and its own bytes, no gaps, time never decreasing.
    public func verifyChain(from first: UInt64, through last: UInt64) throws -> VerificationReport {
        var report = VerificationReport()
        let db = self.db
        try read { txn in
            report.head = try log.head(txn)
            _ = try Self.checkChain(txn, events: db.events, head: report.head, decodeEvents: true, from: first, through: last, into: &report, progress: nil)
        }
        return report
    }
}
