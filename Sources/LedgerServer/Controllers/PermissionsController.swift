import Hummingbird
import LedgerCore

/// Grants: per workspace (`/api/3.0/mlflow/workspaces/{name}/permissions`,
/// `/api/3.0/mlflow/workspace-permissions`) and per experiment and registered model
/// (`/api/2.0/mlflow/{experiments,registered-models}/permissions/...`). Managing a resource's
/// grants needs MANAGE on it (admins always may).
struct PermissionsController {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.get("3.0/mlflow/workspaces/:name/permissions", use: listWorkspaceGrants)
        group.post("3.0/mlflow/workspaces/:name/permissions", use: setWorkspaceGrant)
        group.delete("3.0/mlflow/workspaces/:name/permissions", use: revokeWorkspaceGrant)
        group.get("3.0/mlflow/workspace-permissions", use: workspaceGrantsOfUser)
        for kind in ResourceKind.allCases {
            group.post("2.0/mlflow/\(kind.path)/permissions/create") { request, context in try await create(kind, request, context) }
            group.get("2.0/mlflow/\(kind.path)/permissions/get") { request, context in try await get(kind, request, context) }
            group.patch("2.0/mlflow/\(kind.path)/permissions/update") { request, context in try await update(kind, request, context) }
            group.delete("2.0/mlflow/\(kind.path)/permissions/delete") { request, context in try await delete(kind, request, context) }
        }
    }

    // MARK: Workspace grants

    static func renderWorkspaceGrant(_ workspace: String, _ username: String, _ level: PermissionLevel, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("workspace", workspace)
        writer.field("username", username)
        writer.field("permission", level.rawValue)
        writer.endObject()
    }

    /// Resolves the workspace of the path and requires MANAGE on it.
    func managedWorkspace(_ call: RequestCall, _ context: LedgerRequestContext) throws -> String {
        let name = try context.parameters.require("name")
        _ = try ledger.workspace(named: name)
        try call.authorization.require(.manage, on: .workspace(name))
        return name
    }

    @Sendable func listWorkspaceGrants(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let name = try managedWorkspace(call, context)
        let grants = try ledger.grants(on: .workspace(name))
        var writer = JSONWriter()
        writer.beginObject()
        if !grants.isEmpty {
            writer.key("permissions")
            writer.beginArray()
            for grant in grants { Self.renderWorkspaceGrant(name, grant.username, grant.level, into: &writer) }
            writer.endArray()
        }
        writer.endObject()
        return Response.json(writer)
    }

    @Sendable func setWorkspaceGrant(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let name = try managedWorkspace(call, context)
        let username = try call.parameters.nonEmptyString("username")
        let level = try PermissionLevel(parsing: try call.parameters.nonEmptyString("permission"))
        try await ledger.setPermission(level, for: username, on: .workspace(name), context: call.context)
        return Response.json(JSONWriter.wrapped("permission") { Self.renderWorkspaceGrant(name, username, level, into: &$0) })
    }

    @Sendable func revokeWorkspaceGrant(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let name = try managedWorkspace(call, context)
        // A DELETE's parameters are its JSON body; this one's username is in the query string (a form).
        guard let username = try RequestCall.queryParameters(request).optionalString("username"), !username.isEmpty else {
            throw RequestParameters.missing("username")
        }
        try await ledger.revokePermission(for: username, on: .workspace(name), context: call.context)
        return Response(status: .noContent)
    }

    @Sendable func workspaceGrantsOfUser(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("list another user's workspace permissions")
        let username = try call.parameters.nonEmptyString("username")
        _ = try ledger.user(named: username)
        var writer = JSONWriter()
        writer.beginObject()
        let grants = try ledger.grants(of: username).compactMap { grant -> (String, PermissionLevel)? in
            if case .workspace(let name) = grant.resource { return (name, grant.level) }
            return nil
        }
        if !grants.isEmpty {
            writer.key("permissions")
            writer.beginArray()
            for (name, level) in grants { Self.renderWorkspaceGrant(name, username, level, into: &writer) }
            writer.endArray()
        }
        writer.endObject()
        return Response.json(writer)
    }

    // MARK: Experiment and registered model grants

    enum ResourceKind: CaseIterable {
        case experiment, registeredModel

        var path: String { self == .experiment ? "experiments" : "registered-models" }
        var responseKey: String { self == .experiment ? "experiment_permission" : "registered_model_permission" }
    }

    /// The target named by the parameters (`experiment_id` or `name`), after requiring MANAGE on it.
    func managedTarget(_ kind: ResourceKind, _ call: RequestCall) throws -> PermissionTarget {
        let target: PermissionTarget = kind == .experiment
            ? .experiment(id: try call.parameters.experimentID(), workspace: call.workspace)
            : .registeredModel(name: try call.parameters.nonEmptyString("name"), workspace: call.workspace)
        try call.authorization.require(.manage, on: target)
        return target
    }

    static func render(_ target: PermissionTarget, _ username: String, _ level: PermissionLevel, key: String) -> JSONWriter {
        JSONWriter.wrapped(key) { writer in
            writer.beginObject()
            switch target {
            case .experiment(let id, _): writer.field("experiment_id", String(id))
            case .registeredModel(let name, _): writer.field("name", name)
            case .workspace(let name): writer.field("workspace", name)
            }
            writer.field("username", username)
            writer.field("permission", level.rawValue)
            writer.endObject()
        }
    }

    func create(_ kind: ResourceKind, _ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let target = try managedTarget(kind, call)
        let username = try call.parameters.nonEmptyString("username")
        let level = try PermissionLevel(parsing: try call.parameters.nonEmptyString("permission"))
        _ = try ledger.user(named: username)
        if try ledger.grant(of: username, on: target) != nil {
            throw LedgerError(.resourceAlreadyExists, "User '\(username)' already has a permission on \(Authorization.describe(target)); update it instead.")
        }
        try await ledger.setPermission(level, for: username, on: target, context: call.context)
        return Response.json(Self.render(target, username, level, key: kind.responseKey))
    }

    func get(_ kind: ResourceKind, _ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let target = try managedTarget(kind, call)
        let username = try call.parameters.nonEmptyString("username")
        _ = try ledger.user(named: username)
        guard let level = try ledger.grant(of: username, on: target) else {
            throw LedgerError(.resourceDoesNotExist, "User '\(username)' has no permission on \(Authorization.describe(target))")
        }
        return Response.json(Self.render(target, username, level, key: kind.responseKey))
    }

    func update(_ kind: ResourceKind, _ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let target = try managedTarget(kind, call)
        let username = try call.parameters.nonEmptyString("username")
        let level = try PermissionLevel(parsing: try call.parameters.nonEmptyString("permission"))
        _ = try ledger.user(named: username)
        guard try ledger.grant(of: username, on: target) != nil else {
            throw LedgerError(.resourceDoesNotExist, "User '\(username)' has no permission on \(Authorization.describe(target)) to update; create it first")
        }
        try await ledger.setPermission(level, for: username, on: target, context: call.context)
        return Response.json(Self.render(target, username, level, key: kind.responseKey))
    }

    func delete(_ kind: ResourceKind, _ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let target = try managedTarget(kind, call)
        try await ledger.revokePermission(for: try call.parameters.nonEmptyString("username"), on: target, context: call.context)
        return Response.json(.emptyObject)
    }
}
