/// A permission level, lowest to highest. `noPermissions` is an explicit deny.
public enum PermissionLevel: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case noPermissions = "NO_PERMISSIONS"
    case read = "READ"
    case use = "USE"
    case edit = "EDIT"
    case manage = "MANAGE"

    var rank: UInt8 {
        switch self {
        case .noPermissions: 0
        case .read: 1
        case .use: 2
        case .edit: 3
        case .manage: 4
        }
    }

    init(rank: UInt8) throws(LedgerError) {
        guard let level = Self.allCases.first(where: { $0.rank == rank }) else {
            throw LedgerError(.corruptedData, "invalid permission level byte \(rank)")
        }
        self = level
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// Parses a level name such as `EDIT`, or explains which names exist.
    public init(parsing name: String) throws(LedgerError) {
        guard let level = PermissionLevel(rawValue: name) else {
            throw LedgerError(.invalidParameterValue, "Invalid permission '\(name)'. Must be one of: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = level
    }
}

/// What a grant is on.
public enum GrantResource: Sendable, Hashable {
    case workspace(String)
    case experiment(Int64)
    case registeredModel(Int64)

    var kindByte: UInt8 {
        switch self {
        case .workspace: 1
        case .experiment: 2
        case .registeredModel: 3
        }
    }
}

/// One user's permission on one resource.
public struct Grant: Sendable, Hashable {
    public var resource: GrantResource
    public var username: String
    public var level: PermissionLevel

    public init(resource: GrantResource, username: String, level: PermissionLevel) {
        self.resource = resource
        self.username = username
        self.level = level
    }
}
