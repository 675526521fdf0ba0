import LedgerLMDB

/// The audit index entries of a run of consecutive events, grouped by scope: how a rebuild stages
/// them off the applying thread, and how a commit gathers its events' entries to rewrite each
/// scope's last chunk once (64 metric events of one client rewrote the same two chunks 64 times
/// each). Each event adds BE64 sequence ‖ BE16 type to the scope of its workspace and to the scope
/// of its actor, exactly as ``Projector/apply(_:_:staging:auditIndexes:)`` does.
struct AuditEntries {
    /// The packed entries of one kind of scope, by the scope's name.
    private struct Scopes {
        // Keyed by name: a String hashes its UTF-8 in one pass, where an array of bytes feeds the
        // hasher a byte at a time (a fifth of a rebuild's decoding thread).
        private var byName: [String: [UInt8]] = [:]
        // Scopes repeat from event to event: the current one's entries are kept aside.
        private var current = ""
        private var currentEntries: [UInt8] = []

        mutating func append(_ entry: UnsafeRawBufferPointer, to scope: String) {
            if scope != current {
                if !currentEntries.isEmpty { byName[current] = currentEntries }
                current = scope
                currentEntries = byName.removeValue(forKey: scope) ?? []
            }
            currentEntries.append(contentsOf: entry)
        }

        /// Every scope's entries, the current one's included.
        mutating func all() -> [String: [UInt8]] {
            if !currentEntries.isEmpty { byName[current] = currentEntries }
            return byName
        }
    }

    private var workspaces = Scopes()
    private var actors = Scopes()

    mutating func add(_ event: Projector.Input) {
        withUnsafeTemporaryAllocation(byteCount: AuditIndex.entrySize, alignment: 8) { entry in
            AuditIndex.writeEntry(sequence: event.sequence, type: event.payload.type, into: entry)
            let bytes = UnsafeRawBufferPointer(entry)
            workspaces.append(bytes, to: event.workspace)
            actors.append(bytes, to: event.actor)
        }
    }

    /// Hands the entries to `staging`'s audit chunks.
    mutating func stage(into staging: ViewStaging) {
        forEachScope { prefix, entries in _ = staging.auditChunks.add(entries, prefix: prefix, into: staging) }
    }

    /// Appends the entries to the audit view `database` in `txn`, each scope's after the entries
    /// it holds (``AuditIndex/append(_:prefix:in:_:)``): a commit's entries, written at its end.
    /// Nothing that decides a command reads the audit view, so writing it last changes nothing a
    /// command can see.
    mutating func write(to database: Database, _ txn: borrowing Transaction) throws {
        try forEachScope { prefix, entries in _ = try AuditIndex.append(entries, prefix: prefix, in: database, txn) }
    }

    /// Calls `body` with each scope's prefix and entries, then forgets them.
    private mutating func forEachScope(_ body: ([UInt8], UnsafeRawBufferPointer) throws -> Void) rethrows {
        for (kind, scopes) in [(AuditIndex.Kind.workspace, workspaces.all()), (.actor, actors.all())] {
            for (scope, entries) in scopes {
                try entries.withUnsafeBytes { try body(AuditIndex.prefix(kind, scope), $0) }
            }
        }
        self = AuditEntries()
    }
}
