/// The audit index entries of a run of consecutive events, grouped by scope: how a rebuild stages
/// them off the applying thread. Each event adds BE64 sequence ‖ BE16 type to the scope of its
/// workspace and to the scope of its actor, exactly as ``Projector/apply(_:_:staging:auditIndexes:)``
/// does.
struct AuditEntries {
    // Keyed by the scope's name: a String hashes its UTF-8 in one pass, where an array of bytes
    // feeds the hasher a byte at a time (a fifth of a rebuild's decoding thread).
    private var byWorkspace: [String: [UInt8]] = [:]
    private var byActor: [String: [UInt8]] = [:]
    /// Actors and workspaces repeat from event to event: the current ones' entries are kept aside.
    private var lastActor = ""
    private var lastActorEntries: [UInt8] = []
    private var lastWorkspace = ""
    private var lastWorkspaceEntries: [UInt8] = []

    mutating func add(_ event: Projector.Input) {
        withUnsafeTemporaryAllocation(byteCount: AuditIndex.entrySize, alignment: 8) { entry in
            AuditIndex.writeEntry(sequence: event.sequence, type: event.payload.type, into: entry)
            let bytes = UnsafeRawBufferPointer(entry)
            if event.workspace != lastWorkspace {
                if !lastWorkspaceEntries.isEmpty { byWorkspace[lastWorkspace] = lastWorkspaceEntries }
                lastWorkspace = event.workspace
                lastWorkspaceEntries = byWorkspace.removeValue(forKey: event.workspace) ?? []
            }
            lastWorkspaceEntries.append(contentsOf: bytes)
            if event.actor != lastActor {
                if !lastActorEntries.isEmpty { byActor[lastActor] = lastActorEntries }
                lastActor = event.actor
                lastActorEntries = byActor.removeValue(forKey: event.actor) ?? []
            }
            lastActorEntries.append(contentsOf: bytes)
        }
    }

    /// Hands the entries to `staging`'s audit chunks.
    mutating func stage(into staging: ViewStaging) {
        if !lastWorkspaceEntries.isEmpty { byWorkspace[lastWorkspace] = lastWorkspaceEntries }
        if !lastActorEntries.isEmpty { byActor[lastActor] = lastActorEntries }
        for (kind, scopes) in [(AuditIndex.Kind.workspace, byWorkspace), (.actor, byActor)] {
            for (scope, entries) in scopes {
                entries.withUnsafeBytes { _ = staging.auditChunks.add($0, prefix: AuditIndex.prefix(kind, scope), into: staging) }
            }
        }
        self = AuditEntries()
    }
}
