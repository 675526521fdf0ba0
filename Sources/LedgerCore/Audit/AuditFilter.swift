/// Which events an audit returns. Conditions combine: an event must meet all that are set.
public struct AuditFilter: Sendable, Hashable {
    /// Only events of this workspace (read through the workspace index, not the whole log).
    public var workspace: String?
    /// Only events by this actor (read through the actor index, not the whole log).
    public var actor: String?
    /// Only events of these types; empty means all.
    public var types: Set<EventType> = []
    /// Only events about this entity: `kind:id` (`experiment:3`), or a kind alone (`run`).
    public var entity: String?
    /// Only events at or after this time (microseconds since 1970, UTC).
    public var since: Int64?
    /// Only events at or before this time (microseconds since 1970, UTC).
    public var until: Int64?

    public init(workspace: String? = nil, actor: String? = nil, types: Set<EventType> = [], entity: String? = nil,
                since: Int64? = nil, until: Int64? = nil) {
        self.workspace = workspace
        self.actor = actor
        self.types = types
        self.entity = entity
        self.since = since
        self.until = until
    }

    func matches(entity reference: EntityReference) -> Bool {
        guard let entity else { return true }
        return entity.contains(":") ? reference.description == entity : reference.kind.rawValue == entity
    }

    /// Checks the entity filter's form: `kind` or `kind:id` with a known kind.
    public static func validateEntity(_ entity: String) throws(LedgerError) {
        let parts = entity.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard EntityReference.Kind(rawValue: String(parts[0])) != nil, parts.count == 1 || !parts[1].isEmpty else {
            throw LedgerError(.invalidParameterValue, "Unknown entity '\(entity)': use KIND or KIND:ID with KIND one of \(EntityReference.Kind.allCases.map(\.rawValue).joined(separator: ", ")), for example experiment:3")
        }
    }
}
