/// The audit index entries of a run of consecutive events, grouped by scope: how a rebuild stages
/// them off the applying thread. Each event adds BE64 sequence ‖ BE16 type to the scope of its
/// workspace and to the scope of its actor, exactly as ``Projector/apply(_:_:staging:auditIndexes:)``
/// does.
struct AuditEntries {
    /// Packed entries by scope prefix (``AuditIndex/prefix(_:_:)``), each in log order.
    private(set) var byScope: [[UInt8]: [UInt8]] = [:]
    private var lastActor = ""
    private var lastActorPrefix: [UInt8] = []
    private var lastActorEntries: [UInt8] = []
    private var lastWorkspace = ""
    private var lastWorkspacePrefix: [UInt8] = []

    mutating func add(_ event: Projector.Input) {
        withUnsafeTemporaryAllocation(byteCount: AuditIndex.entrySize, alignment: 8) { entry in
            AuditIndex.writeEntry(sequence: event.sequence, type: event.payload.type, into: entry)
            let bytes = UnsafeRawBufferPointer(entry)
            if event.workspace != lastWorkspace {
                lastWorkspace = event.workspace
                lastWorkspacePrefix = AuditIndex.prefix(.workspace, event.workspace)
            }
            byScope[lastWorkspacePrefix, default: []].append(contentsOf: bytes)
            // Actors repeat: keep the current one's entries aside.
            if event.actor != lastActor {
                flushActor()
                lastActor = event.actor
                lastActorPrefix = AuditIndex.prefix(.actor, event.actor)
                lastActorEntries = byScope.removeValue(forKey: lastActorPrefix) ?? []
            }
            lastActorEntries.append(contentsOf: bytes)
        }
    }

    private mutating func flushActor() {
        if !lastActorEntries.isEmpty { byScope[lastActorPrefix] = lastActorEntries }
        lastActorEntries = []
    }

    /// Hands the entries to `staging`'s audit chunks.
    mutating func stage(into staging: ViewStaging) {
        flushActor()
        for (prefix, entries) in byScope {
            entries.withUnsafeBytes { _ = staging.auditChunks.add($0, prefix: prefix, into: staging) }
        }
        byScope = [:]
    }
}
