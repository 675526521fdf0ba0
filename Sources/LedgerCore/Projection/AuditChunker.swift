import LedgerLMDB

/// Cuts the audit entries of a rebuild into ``AuditIndex`` chunks without reading the view.
///
/// A rebuild starts from an empty `audit` view, so the last chunk of every scope is known here:
/// entries join their scope's open chunk, a full chunk goes to the staging at once, and the open
/// (partial) chunks go with every flush, to be replaced there when they grow. The records are
/// the ones ``AuditIndex/append(_:prefix:in:_:)`` leaves after the same events.
final class AuditChunker {
    private struct OpenChunk {
        var key: [UInt8]
        var entries: [UInt8]
    }

    private let database: Database
    /// The open chunk of each scope, by scope prefix.
    private var open: [[UInt8]: OpenChunk] = [:]

    init(database: Database) {
        self.database = database
    }

    /// Adds `entries` (whole ``AuditIndex/entrySize`` entries, in log order, after those added
    /// before for the scope) to the scope of `prefix`; full chunks go to `staging`. Returns the key
    /// of the chunk that holds the last entry.
    @discardableResult
    func add(_ entries: UnsafeRawBufferPointer, prefix: [UInt8], into staging: ViewStaging) -> [UInt8] {
        var chunk = open.removeValue(forKey: prefix)
        var offset = 0
        while offset < entries.count {
            if chunk == nil {
                chunk = OpenChunk(key: AuditIndex.chunkKey(prefix, firstSequence: AuditIndex.sequence(in: entries, at: offset)), entries: [])
                chunk!.entries.reserveCapacity(AuditIndex.chunkBytes)
            }
            let take = min(AuditIndex.chunkBytes - chunk!.entries.count, entries.count - offset)
            chunk!.entries.append(contentsOf: UnsafeRawBufferPointer(rebasing: entries[offset..<(offset + take)]))
            offset += take
            if chunk!.entries.count == AuditIndex.chunkBytes {
                staging.put(database, chunk!.key, chunk!.entries)
                if offset == entries.count { return chunk!.key }
                chunk = nil
            }
        }
        guard let chunk else { return [] }
        open[prefix] = chunk
        return chunk.key
    }

    /// Puts every open chunk into `staging` (they stay open: a later put of a grown chunk
    /// replaces the partial one).
    func stageOpenChunks(into staging: ViewStaging) {
        for chunk in open.values { staging.put(database, chunk.key, chunk.entries) }
    }
}
