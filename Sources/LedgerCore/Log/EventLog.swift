import LedgerLMDB

/// The append-only, hash-chained log and its metadata, inside a caller's transaction.
struct EventLog: Sendable {
    /// The layout of the environment; bump on an incompatible change of keys or envelope.
    /// Format 2 keeps the head in LMDB's main database instead of `meta` (a page less per commit);
    /// a ledger of format 1 is read as it is and upgraded when opened for writing.
    static let formatVersion: UInt32 = 2

    enum MetaKey {
        static let format = Array("format".utf8)
        /// The head's key: in `meta` in format 1; in the main database (with a 0 byte, so that it
        /// can never be the name of a database) since format 2.
        static let formatOneHead = Array("head".utf8)
        static let head = [0] + Array("head".utf8)
        static let projectionVersion = Array("projection_version".utf8)
    }

    let db: LedgerDatabases
    let projector: Projector

    func head(_ txn: borrowing Transaction) throws -> LogHead {
        if let head = try txn.withValue(db.main, key: MetaKey.head, { (bytes) throws(LedgerError) in try bytes.map(LogHead.init(decoding:)) }) {
            return head
        }
        // A ledger of format 1 that has not been opened for writing since.
        return try txn.withValue(db.meta, key: MetaKey.formatOneHead) { (bytes) throws(LedgerError) in
            try bytes.map(LogHead.init(decoding:)) ?? .empty
        }
    }

    func setHead(_ head: LogHead, _ txn: borrowing Transaction) throws {
        try txn.put(db.main, key: MetaKey.head, value: head.encoded())
    }

    /// Brings a ledger of format 1 to the current format: the head moves to the main database.
    /// Returns false when there was nothing to do.
    @discardableResult
    func upgradeFormat(_ txn: borrowing Transaction) throws -> Bool {
        guard try metaUInt32(MetaKey.format, txn) == 1 else { return false }
        let head = try self.head(txn)
        if head.sequence > 0 { try setHead(head, txn) }
        try txn.delete(db.meta, key: MetaKey.formatOneHead)
        try setMetaUInt32(MetaKey.format, Self.formatVersion, txn)
        return true
    }

    func metaUInt32(_ key: [UInt8], _ txn: borrowing Transaction) throws -> UInt32? {
        try txn.withValue(db.meta, key: key) { (bytes) throws(LedgerError) -> UInt32? in
            guard let bytes else { return nil }
            guard bytes.count == 4 else { throw LedgerError(.corruptedData, "meta value of \(bytes.count) bytes") }
            var r = BinaryReader(bytes)
            return try r.readUInt32()
        }
    }

    func setMetaUInt32(_ key: [UInt8], _ value: UInt32, _ txn: borrowing Transaction) throws {
        var w = BinaryWriter(capacity: 4)
        w.write(value)
        try txn.put(db.meta, key: key, value: w.bytes)
    }

    /// Appends one event after `head`, updates every view but the audit index, and returns the
    /// new head. The event's audit entries join `audit`, which the commit writes at its end
    /// (``AuditEntries/write(to:_:)``).
    func append(_ payload: EventPayload, workspace: String, context: CommandContext, timestamp: Int64,
                after head: LogHead, audit: inout AuditEntries, _ txn: borrowing Transaction) throws -> LogHead {
        let sequence = head.sequence + 1
        var stored = EventCodec.encodeBody(sequence: sequence, timestamp: timestamp, context: context, workspace: workspace, payload: payload)
        let hash = EventCodec.chainHash(previous: head.hash, body: stored)
        stored += hash
        // MDB_APPEND: LMDB itself refuses a key that does not sort after the last one.
        try txn.put(db.events, key: Keys.sequence(sequence), value: stored, options: .append)
        let input = Projector.Input(sequence: sequence, timestamp: timestamp, actor: context.actor, workspace: workspace, payload: payload)
        try projector.apply(input, txn, auditIndexes: false)
        audit.add(input)
        return LogHead(sequence: sequence, timestamp: timestamp, hash: hash)
    }
}
