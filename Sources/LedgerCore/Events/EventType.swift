/// The stable number and name of each kind of event. Numbers are part of the stored format:
/// never change or reuse one; add new kinds with new numbers.
public enum EventType: UInt16, Sendable, CaseIterable, Hashable {
    case workspaceCreated = 1
    case workspaceUpdated = 2
    case workspaceDeleted = 3
    case experimentCreated = 10
    case experimentRenamed = 11
    case experimentDeleted = 12
    case experimentRestored = 13
    case experimentTagSet = 14
    case experimentTagDeleted = 15
    case experimentMoved = 16
    case experimentPurged = 17
    case runCreated = 20
    case runUpdated = 21
    case runDeleted = 22
    case runRestored = 23
    case runDataLogged = 24
    case runTagDeleted = 25
    case runPurged = 26
    case registeredModelCreated = 30
    case registeredModelRenamed = 31
    case registeredModelUpdated = 32
    case registeredModelDeleted = 33
    case registeredModelTagSet = 34
    case registeredModelTagDeleted = 35
    case registeredModelMoved = 36
    case userCreated = 40
    case userPasswordChanged = 41
    case userAdminChanged = 42
    case userDeleted = 43
    case grantSet = 50
    case grantRevoked = 51

    /// The dotted name shown by the audit trail, such as `experiment.renamed`.
    public var name: String {
        switch self {
        case .workspaceCreated: "workspace.created"
        case .workspaceUpdated: "workspace.updated"
        case .workspaceDeleted: "workspace.deleted"
        case .experimentCreated: "experiment.created"
        case .experimentRenamed: "experiment.renamed"
        case .experimentDeleted: "experiment.deleted"
        case .experimentRestored: "experiment.restored"
        case .experimentTagSet: "experiment.tag_set"
        case .experimentTagDeleted: "experiment.tag_deleted"
        case .experimentMoved: "experiment.moved"
        case .experimentPurged: "experiment.purged"
        case .runCreated: "run.created"
        case .runUpdated: "run.updated"
        case .runDeleted: "run.deleted"
        case .runRestored: "run.restored"
        case .runDataLogged: "run.data_logged"
        case .runTagDeleted: "run.tag_deleted"
        case .runPurged: "run.purged"
        case .registeredModelCreated: "registered_model.created"
        case .registeredModelRenamed: "registered_model.renamed"
        case .registeredModelUpdated: "registered_model.updated"
        case .registeredModelDeleted: "registered_model.deleted"
        case .registeredModelTagSet: "registered_model.tag_set"
        case .registeredModelTagDeleted: "registered_model.tag_deleted"
        case .registeredModelMoved: "registered_model.moved"
        case .userCreated: "user.created"
        case .userPasswordChanged: "user.password_changed"
        case .userAdminChanged: "user.admin_changed"
        case .userDeleted: "user.deleted"
        case .grantSet: "grant.set"
        case .grantRevoked: "grant.revoked"
        }
    }

    /// Looks a type up by its dotted name.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// The payload layout version this build writes for the type. Bump it when a type gains
    /// fields, and teach ``EventPayload`` to read every older version (upcasting on read).
    public var currentSchemaVersion: UInt16 { 1 }
}

/// What an event is about: `experiment:3`, `run:<id>`, `workspace:team-a`, `user:alice`.
public struct EntityReference: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case workspace
        case experiment
        case run
        case registeredModel = "registered_model"
        case user
    }

    public var kind: Kind
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind.rawValue):\(id)" }
}

extension GrantResource {
    var entity: EntityReference {
        switch self {
        case .workspace(let name): EntityReference(kind: .workspace, id: name)
        case .experiment(let id): EntityReference(kind: .experiment, id: String(id))
        case .registeredModel(let id): EntityReference(kind: .registeredModel, id: String(id))
        }
    }
}

extension EventPayload {
    /// The stored type number of this payload.
    public var type: EventType {
        switch self {
        case .workspaceCreated: .workspaceCreated
        case .workspaceUpdated: .workspaceUpdated
        case .workspaceDeleted: .workspaceDeleted
        case .experimentCreated: .experimentCreated
        case .experimentRenamed: .experimentRenamed
        case .experimentDeleted: .experimentDeleted
        case .experimentRestored: .experimentRestored
        case .experimentTagSet: .experimentTagSet
        case .experimentTagDeleted: .experimentTagDeleted
        case .experimentMoved: .experimentMoved
        case .experimentPurged: .experimentPurged
        case .runCreated: .runCreated
        case .runUpdated: .runUpdated
        case .runDeleted: .runDeleted
        case .runRestored: .runRestored
        case .runDataLogged: .runDataLogged
        case .runTagDeleted: .runTagDeleted
        case .runPurged: .runPurged
        case .registeredModelCreated: .registeredModelCreated
        case .registeredModelRenamed: .registeredModelRenamed
        case .registeredModelUpdated: .registeredModelUpdated
        case .registeredModelDeleted: .registeredModelDeleted
        case .registeredModelTagSet: .registeredModelTagSet
        case .registeredModelTagDeleted: .registeredModelTagDeleted
        case .registeredModelMoved: .registeredModelMoved
        case .userCreated: .userCreated
        case .userPasswordChanged: .userPasswordChanged
        case .userAdminChanged: .userAdminChanged
        case .userDeleted: .userDeleted
        case .grantSet: .grantSet
        case .grantRevoked: .grantRevoked
        }
    }

    /// The entity the event is about.
    public var entity: EntityReference {
        switch self {
        case .workspaceCreated(let name, _, _), .workspaceUpdated(let name, _, _), .workspaceDeleted(let name, _):
            EntityReference(kind: .workspace, id: name)
        case .experimentCreated(let id, _, _, _), .experimentRenamed(let id, _, _), .experimentDeleted(let id),
             .experimentRestored(let id), .experimentTagSet(let id, _, _, _), .experimentTagDeleted(let id, _, _),
             .experimentMoved(let id, _, _), .experimentPurged(let id, _):
            EntityReference(kind: .experiment, id: String(id))
        case .runCreated(let runID, _, _, _, _, _, _), .runUpdated(let runID, _, _, _), .runDeleted(let runID),
             .runRestored(let runID), .runDataLogged(let runID, _, _, _), .runTagDeleted(let runID, _, _),
             .runPurged(let runID, _):
            EntityReference(kind: .run, id: runID)
        case .registeredModelCreated(let id, _, _, _), .registeredModelRenamed(let id, _, _),
             .registeredModelUpdated(let id, _), .registeredModelDeleted(let id, _),
             .registeredModelTagSet(let id, _, _, _), .registeredModelTagDeleted(let id, _, _),
             .registeredModelMoved(let id, _, _, _):
            EntityReference(kind: .registeredModel, id: String(id))
        case .userCreated(let username, _, _), .userPasswordChanged(let username, _),
             .userAdminChanged(let username, _), .userDeleted(let username):
            EntityReference(kind: .user, id: username)
        case .grantSet(let resource, _, _, _), .grantRevoked(let resource, _, _):
            resource.entity
        }
    }
}
