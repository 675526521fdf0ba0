import LedgerLMDB

/// The effective permission of SPEC §2.5, read inside the caller's transaction.
extension StateReader {
    /// Admin → MANAGE; an explicit grant on the resource → that grant, even if lower; otherwise
    /// the user's permission on `workspace`. An unknown user has NO_PERMISSIONS.
    @inline(__always)
    func effectivePermission(of username: String, on resource: GrantResource, in workspace: String,
                             defaultWorkspaceFloor: PermissionLevel?, _ txn: borrowing Transaction) throws -> PermissionLevel {
        guard let isAdmin = try userIsAdmin(username, txn) else { return .noPermissions }
        if isAdmin { return .manage }
        if case .workspace = resource {} else if let explicit = try grant(resource, username, txn) {
            return explicit
        }
        return try workspacePermission(of: username, in: workspace, defaultWorkspaceFloor: defaultWorkspaceFloor, txn)
    }

    /// The grant of `username` on `workspace` itself, else the floor in `default`, else NO_PERMISSIONS.
    @inline(__always)
    func workspacePermission(of username: String, in workspace: String, defaultWorkspaceFloor: PermissionLevel?,
                             _ txn: borrowing Transaction) throws -> PermissionLevel {
        if let level = try grant(.workspace(workspace), username, txn) { return level }
        if workspace == Workspace.defaultName, let floor = defaultWorkspaceFloor { return floor }
        return .noPermissions
    }

    /// Which resources of `workspace` a search for `visibility` may list.
    func readFilter(_ visibility: SearchVisibility, in workspace: String, _ txn: borrowing Transaction) throws -> ReadFilter {
        guard case .readable(let username, let floor) = visibility else { return .everything }
        guard let isAdmin = try userIsAdmin(username, txn) else { return .nothing }
        if isAdmin { return .everything }
        return .byGrants(username: username, workspaceLevel: try workspacePermission(of: username, in: workspace, defaultWorkspaceFloor: floor, txn))
    }
}

/// Which resources of one workspace a search may list: it reads the user and their workspace
/// grant once, then only each resource's explicit grant.
enum ReadFilter {
    case everything
    case nothing
    /// The explicit grant on the resource, else `workspaceLevel`, must be READ or higher.
    case byGrants(username: String, workspaceLevel: PermissionLevel)

    func allows(_ resource: GrantResource, _ reader: StateReader, _ txn: borrowing Transaction) throws -> Bool {
        switch self {
        case .everything: true
        case .nothing: false
        case .byGrants(let username, let workspaceLevel): (try reader.grant(resource, username, txn) ?? workspaceLevel) >= .read
        }
    }
}
