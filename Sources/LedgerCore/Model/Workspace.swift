/// A workspace: the unit of isolation for experiments, runs, registered models and grants.
public struct Workspace: Sendable, Hashable, Codable {
    /// The name of the workspace that always exists and can never be deleted.
    public static let defaultName = "default"

    public var name: String
    public var description: String?
    /// Where experiments created from now on keep their artifacts; `nil` uses the server's root.
    public var defaultArtifactRoot: String?
    /// Creation and last-update time, in milliseconds since 1970 (UTC).
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    public var createdBy: String
    public var updatedBy: String

    public init(name: String, description: String?, defaultArtifactRoot: String?, creationTime: Int64, lastUpdateTime: Int64, createdBy: String, updatedBy: String) {
        self.name = name
        self.description = description
        self.defaultArtifactRoot = defaultArtifactRoot
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.createdBy = createdBy
        self.updatedBy = updatedBy
    }
}

/// What deleting a workspace does with what it holds.
public enum WorkspaceDeletionMode: String, Sendable, CaseIterable, Codable {
    /// Refuse while the workspace holds any experiment or registered model (soft-deleted included).
    case restrict = "RESTRICT"
    /// Remove the workspace with its experiments, runs, registered models and grants.
    case cascade = "CASCADE"
    /// Move its experiments and registered models to `default`; refuse on a name clash there.
    case setDefault = "SET_DEFAULT"
}

/// A field's value before and after a change, as an update event records it.
public struct FieldChange<Value: Sendable & Hashable>: Sendable, Hashable {
    public var before: Value
    public var after: Value

    public init(before: Value, after: Value) {
        self.before = before
        self.after = after
    }
}

/// The key/value pair that MLflow calls a tag (and a parameter).
public struct Tag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
