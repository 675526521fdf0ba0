import LedgerLMDB

/// The layout of the `audit` view: which events touched a workspace and which an actor made, so
/// that an audit filtered by either reads only those events.
///
/// Both indexes share one database, as chunks of entries: key = kind ‖ scope ‖ 0 ‖ BE64 sequence
/// of the chunk's first entry; value = up to ``chunkCapacity`` entries side by side, each
/// BE64 sequence ‖ BE16 event type, in log order. The entries of a scope are cut into chunks by
/// position alone (chunk *i* holds entries 48·*i* ..< 48·(*i*+1)), so a rebuild yields the same
/// records as appending one event at a time.
///
/// Appending an event rewrites the last chunk of its workspace and the last chunk of its actor:
/// two records of one database, usually on one or two leaf pages under a shared root, where two
/// duplicate-sorted databases dirtied a sub-tree and a main-tree page each. A commit gathers its
/// events' entries by scope (``AuditEntries``) and rewrites each chunk once. A chunk of 48 entries
/// costs about 10.6 bytes an entry.
enum AuditIndex {
    /// Which index a key belongs to.
    enum Kind: UInt8 {
        case workspace = 0x01
        case actor = 0x02
    }

    static let entrySize = 10
    static let chunkCapacity = 48
    static let chunkBytes = entrySize * chunkCapacity

    /// `kind ‖ scope ‖ 0`: the prefix of every chunk of a scope.
    static func prefix(_ kind: Kind, _ scope: String) -> [UInt8] {
        var key: [UInt8] = [kind.rawValue]
        key.append(contentsOf: scope.utf8)
        key.append(0)
        return key
    }

    /// The key of the chunk of `prefix`'s scope whose first entry is `firstSequence`.
    static func chunkKey(_ prefix: [UInt8], firstSequence: UInt64) -> [UInt8] {
        var key = prefix
        withUnsafeBytes(of: firstSequence.bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    /// Writes the entry of event `sequence` of `type` into `entry` (``entrySize`` bytes).
    static func writeEntry(sequence: UInt64, type: EventType, into entry: UnsafeMutableRawBufferPointer) {
        entry.storeBytes(of: sequence.bigEndian, toByteOffset: 0, as: UInt64.self)
        entry.storeBytes(of: type.rawValue.bigEndian, toByteOffset: 8, as: UInt16.self)
    }

    /// The sequence of the entry at byte `offset` of a chunk.
    static func sequence(in chunk: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(bigEndian: chunk.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The event type number of the entry at byte `offset` of a chunk.
    static func typeNumber(in chunk: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        UInt16(bigEndian: chunk.loadUnaligned(fromByteOffset: offset + 8, as: UInt16.self))
    }

    /// Checks a stored chunk of `prefix`'s scope: its key and the size of its value.
    static func checkChunk(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, prefix: [UInt8]) throws(LedgerError) {
        guard key.count == prefix.count + 8, !value.isEmpty, value.count <= chunkBytes, value.count % entrySize == 0 else {
            throw LedgerError(.corruptedData, "audit index chunk of \(key.count)-byte key and \(value.count)-byte value: run 'ledger replay'")
        }
    }

    /// Adds `entries` (whole entries, in log order, after every entry the scope holds) to the
    /// scope of `prefix` in `txn`: they fill its last chunk, then start new chunks, each cut at a
    /// multiple of ``chunkCapacity`` as a rebuild cuts them. Returns the key of the chunk that
    /// holds the last entry.
    @discardableResult
    static func append(_ entries: UnsafeRawBufferPointer, prefix: [UInt8], in database: Database, _ txn: borrowing Transaction) throws -> [UInt8] {
        precondition(!entries.isEmpty && entries.count % entrySize == 0, "whole audit entries")
        // The scope's last chunk is the entry just before the first key past the scope, which is
        // the prefix with its final 0 raised to 1.
        var pastScope = prefix
        pastScope[pastScope.count - 1] = 1
        let last: (key: [UInt8], value: [UInt8])? = try txn.withCursor(database) { cursor in
            let next = try cursor.seek(atOrAfter: pastScope)
            guard let candidate = next == nil ? try cursor.last() : try cursor.previous(),
                  candidate.key.hasPrefix(prefix) else { return nil }
            try checkChunk(key: candidate.key, value: candidate.value, prefix: prefix)
            guard candidate.value.count < chunkBytes else { return nil }
            var value = [UInt8]()
            value.reserveCapacity(min(chunkBytes, candidate.value.count + entries.count))
            value.append(contentsOf: candidate.value)
            return (Array(candidate.key), value)
        }
        var offset = 0
        var key: [UInt8] = []
        if var last {
            offset = min(chunkBytes - last.value.count, entries.count)
            last.value.append(contentsOf: UnsafeRawBufferPointer(rebasing: entries[..<offset]))
            try txn.put(database, key: last.key, value: last.value)
            key = last.key
        }
        while offset < entries.count {
            let end = min(offset + chunkBytes, entries.count)
            key = chunkKey(prefix, firstSequence: sequence(in: entries, at: offset))
            try txn.put(database, key: key, value: UnsafeRawBufferPointer(rebasing: entries[offset..<end]))
            offset = end
        }
        return key
    }
}
