/// One field an event changed, as text: `name: 'a' → 'b'`.
public struct AuditChange: Sendable, Hashable, Codable {
    /// The field, such as `name`, `description`, `tag.team`, `param.lr`, `permission.alice`.
    public var field: String
    /// The value before, or `nil` when the field did not exist.
    public var before: String?
    /// The value after, or `nil` when the field was removed.
    public var after: String?

    public init(field: String, before: String?, after: String?) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// `field: before → after`, with `∅` for a missing side.
    public var text: String {
        "\(field): \(before.map { "'\($0)'" } ?? "∅") → \(after.map { "'\($0)'" } ?? "∅")"
    }
}

extension EventPayload {
    /// What the event changed, field by field. A password appears only as "password set":
    /// never the hash, never the salt.
    public var auditChanges: [AuditChange] {
        func tagChanges(_ prefix: String, _ tags: [Tag]) -> [AuditChange] {
            tags.map { AuditChange(field: "\(prefix).\($0.key)", before: nil, after: $0.value) }
        }
        switch self {
        case let .workspaceCreated(name, description, root):
            var changes = [AuditChange(field: "name", before: nil, after: name)]
            if let description { changes.append(AuditChange(field: "description", before: nil, after: description)) }
            if let root { changes.append(AuditChange(field: "default_artifact_root", before: nil, after: root)) }
            return changes
        case let .workspaceUpdated(_, description, root):
            var changes: [AuditChange] = []
            if let description { changes.append(AuditChange(field: "description", before: description.before, after: description.after)) }
            if let root { changes.append(AuditChange(field: "default_artifact_root", before: root.before, after: root.after)) }
            return changes
        case let .workspaceDeleted(name, mode):
            return [AuditChange(field: "name", before: name, after: nil), AuditChange(field: "mode", before: nil, after: mode.rawValue)]
        case let .experimentCreated(id, name, location, tags):
            return [AuditChange(field: "experiment_id", before: nil, after: String(id)),
                    AuditChange(field: "name", before: nil, after: name),
                    AuditChange(field: "artifact_location", before: nil, after: location)] + tagChanges("tag", tags)
        case let .experimentRenamed(_, from, to), let .registeredModelRenamed(_, from, to):
            return [AuditChange(field: "name", before: from, after: to)]
        case .experimentDeleted, .runDeleted:
            return [AuditChange(field: "lifecycle_stage", before: "active", after: "deleted")]
        case .experimentRestored, .runRestored:
            return [AuditChange(field: "lifecycle_stage", before: "deleted", after: "active")]
        case let .experimentTagSet(_, key, value, previous), let .registeredModelTagSet(_, key, value, previous):
            return [AuditChange(field: "tag.\(key)", before: previous, after: value)]
        case let .experimentTagDeleted(_, key, previous), let .registeredModelTagDeleted(_, key, previous), let .runTagDeleted(_, key, previous):
            return [AuditChange(field: "tag.\(key)", before: previous, after: nil)]
        case let .experimentMoved(_, from, to):
            return [AuditChange(field: "workspace", before: from, after: to)]
        case let .experimentPurged(id, name):
            return [AuditChange(field: "experiment_id", before: String(id), after: nil), AuditChange(field: "name", before: name, after: nil)]
        case let .runCreated(runID, experimentID, name, userID, startTime, artifactURI, tags):
            return [AuditChange(field: "run_id", before: nil, after: runID),
                    AuditChange(field: "experiment_id", before: nil, after: String(experimentID)),
                    AuditChange(field: "run_name", before: nil, after: name),
                    AuditChange(field: "user_id", before: nil, after: userID),
                    AuditChange(field: "start_time", before: nil, after: String(startTime)),
                    AuditChange(field: "artifact_uri", before: nil, after: artifactURI)] + tagChanges("tag", tags)
        case let .runUpdated(_, status, endTime, name):
            var changes: [AuditChange] = []
            if let status { changes.append(AuditChange(field: "status", before: status.before.rawValue, after: status.after.rawValue)) }
            if let endTime { changes.append(AuditChange(field: "end_time", before: endTime.before.map(String.init), after: endTime.after.map(String.init))) }
            if let name { changes.append(AuditChange(field: "run_name", before: name.before, after: name.after)) }
            return changes
        case let .runDataLogged(_, params, metrics, tags):
            return tagChanges("param", params)
                + metrics.map { AuditChange(field: "metric.\($0.key)", before: nil, after: "\($0.value) (step \($0.step), timestamp \($0.timestamp))") }
                + tagChanges("tag", tags)
        case let .runPurged(runID, experimentID):
            return [AuditChange(field: "run_id", before: runID, after: nil), AuditChange(field: "experiment_id", before: String(experimentID), after: nil)]
        case let .registeredModelCreated(id, name, description, tags):
            var changes = [AuditChange(field: "model_id", before: nil, after: String(id)), AuditChange(field: "name", before: nil, after: name)]
            if let description { changes.append(AuditChange(field: "description", before: nil, after: description)) }
            return changes + tagChanges("tag", tags)
        case let .registeredModelUpdated(_, description):
            return [AuditChange(field: "description", before: description.before, after: description.after)]
        case let .registeredModelDeleted(id, name):
            return [AuditChange(field: "model_id", before: String(id), after: nil), AuditChange(field: "name", before: name, after: nil)]
        case let .registeredModelMoved(_, name, from, to):
            return [AuditChange(field: "workspace", before: from, after: to), AuditChange(field: "name", before: name, after: name)]
        case let .userCreated(username, isAdmin, _):
            return [AuditChange(field: "username", before: nil, after: username),
                    AuditChange(field: "is_admin", before: nil, after: String(isAdmin)),
                    AuditChange(field: "password", before: nil, after: "password set")]
        case .userPasswordChanged:
            return [AuditChange(field: "password", before: nil, after: "password set")]
        case let .userAdminChanged(_, isAdmin):
            return [AuditChange(field: "is_admin", before: String(isAdmin.before), after: String(isAdmin.after))]
        case let .userDeleted(username):
            return [AuditChange(field: "username", before: username, after: nil)]
        case let .grantSet(_, username, level, previous):
            return [AuditChange(field: "permission.\(username)", before: previous?.rawValue, after: level.rawValue)]
        case let .grantRevoked(_, username, previous):
            return [AuditChange(field: "permission.\(username)", before: previous.rawValue, after: nil)]
        }
    }

    /// The changes as one line: `name: 'a' → 'b'; tag.x: ∅ → '1'`.
    public var auditSummary: String {
        auditChanges.map(\.text).joined(separator: "; ")
    }
}
