/// What happened: every mutation of the ledger is one of these, recorded in the log.
///
/// Each case lists enough to show the state before and after, so the audit trail needs no
/// other source. Cases are never removed or reordered on disk: ``EventType`` fixes their numbers.
public enum EventPayload: Sendable, Hashable {
    // Workspaces
    case workspaceCreated(name: String, description: String?, defaultArtifactRoot: String?)
    case workspaceUpdated(name: String, description: FieldChange<String?>?, defaultArtifactRoot: FieldChange<String?>?)
    case workspaceDeleted(name: String, mode: WorkspaceDeletionMode)

    // Experiments
    case experimentCreated(id: Int64, name: String, artifactLocation: String, tags: [Tag])
    case experimentRenamed(id: Int64, from: String, to: String)
    case experimentDeleted(id: Int64)
    case experimentRestored(id: Int64)
    case experimentTagSet(id: Int64, key: String, value: String, previous: String?)
    case experimentTagDeleted(id: Int64, key: String, previous: String)
    case experimentMoved(id: Int64, from: String, to: String)
    /// Removed for good, with its runs (a CASCADE workspace delete).
    case experimentPurged(id: Int64, name: String)

    // Runs
    case runCreated(runID: String, experimentID: Int64, name: String, userID: String, startTime: Int64, artifactURI: String, tags: [Tag])
    case runUpdated(runID: String, status: FieldChange<RunStatus>?, endTime: FieldChange<Int64?>?, name: FieldChange<String>?)
    case runDeleted(runID: String)
    case runRestored(runID: String)
    /// Parameters, metric values and tags logged to a run in one call.
    case runDataLogged(runID: String, params: [Tag], metrics: [Metric], tags: [Tag])
    case runTagDeleted(runID: String, key: String, previous: String)
    case runPurged(runID: String, experimentID: Int64)

    // Registered models
    case registeredModelCreated(id: Int64, name: String, description: String?, tags: [Tag])
    case registeredModelRenamed(id: Int64, from: String, to: String)
    case registeredModelUpdated(id: Int64, description: FieldChange<String?>)
    case registeredModelDeleted(id: Int64, name: String)
    case registeredModelTagSet(id: Int64, key: String, value: String, previous: String?)
    case registeredModelTagDeleted(id: Int64, key: String, previous: String)
    case registeredModelMoved(id: Int64, name: String, from: String, to: String)

    // Users and grants
    case userCreated(username: String, isAdmin: Bool, password: PasswordHash)
    case userPasswordChanged(username: String, password: PasswordHash)
    case userAdminChanged(username: String, isAdmin: FieldChange<Bool>)
    case userDeleted(username: String)
    case grantSet(resource: GrantResource, username: String, level: PermissionLevel, previous: PermissionLevel?)
    case grantRevoked(resource: GrantResource, username: String, previous: PermissionLevel)
}
