import Hummingbird
import LedgerCore

/// `/api/3.0/mlflow/workspaces`: list, create, get, update, delete.
struct WorkspacesController {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.get("3.0/mlflow/workspaces", use: list)
        group.post("3.0/mlflow/workspaces", use: create)
        group.get("3.0/mlflow/workspaces/:name", use: get)
        group.patch("3.0/mlflow/workspaces/:name", use: update)
        group.delete("3.0/mlflow/workspaces/:name", use: delete)
    }

    /// All workspaces in name order; paged when `max_results` or `page_token` is given.
    @Sendable func list(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let maxResults = try call.parameters.optionalInt64("max_results").map { Int(clamping: $0) }
        let pageToken = try call.parameters.optionalString("page_token")
        // Everyone sees the workspaces they may read: admins all, others READ or higher.
        let page = if let user = call.authorization.user, !call.authorization.isAdmin {
            try ledger.visibleWorkspaces(for: user.username, defaultWorkspaceFloor: call.authorization.defaultWorkspaceFloor,
                                         maxResults: maxResults, pageToken: pageToken)
        } else {
            try ledger.listWorkspaces(maxResults: maxResults, pageToken: pageToken)
        }
        var writer = JSONWriter()
        writer.beginObject()
        if !page.items.isEmpty {
            writer.key("workspaces")
            writer.beginArray()
            for workspace in page.items { writer.workspace(workspace) }
            writer.endArray()
        }
        writer.field("next_page_token", page.nextPageToken)
        writer.endObject()
        return Response.json(writer)
    }

    @Sendable func create(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("create workspaces")
        let parameters = call.parameters
        if try parameters.contains("trace_archival_config") {
            throw APIError.invalid("'trace_archival_config' is not supported by this server; leave it out.")
        }
        let workspace = try await ledger.createWorkspace(
            name: try parameters.nonEmptyString("name"), description: try parameters.optionalString("description"),
            defaultArtifactRoot: try parameters.optionalString("default_artifact_root"), context: call.context)
        return Response.json(JSONWriter.wrapped("workspace") { $0.workspace(workspace) }, status: .created)
    }

    @Sendable func get(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        // 400 for a malformed name, 404 for an unknown one, then 403 without READ.
        let workspace = try ledger.workspace(named: try context.parameters.require("name"))
        try call.authorization.require(.read, on: .workspace(workspace.name))
        return Response.json(JSONWriter.wrapped("workspace") { $0.workspace(workspace) })
    }

    @Sendable func update(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("update workspaces")
        let parameters = call.parameters
        if try parameters.contains("trace_archival_config") {
            throw APIError.invalid("'trace_archival_config' is not supported by this server; leave it out.")
        }
        let update = WorkspaceUpdate(
            description: try parameters.optionalString("description"),
            defaultArtifactRoot: try parameters.optionalString("default_artifact_root"))
        let workspace = try await ledger.updateWorkspace(name: try context.parameters.require("name"), update, context: call.context)
        return Response.json(JSONWriter.wrapped("workspace") { $0.workspace(workspace) })
    }

    @Sendable func delete(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("delete workspaces")
        // The mode is in the query string (a form), not the JSON body the other DELETE parameters come in.
        let modeText = try RequestCall.queryParameters(request).optionalString("mode") ?? WorkspaceDeletionMode.restrict.rawValue
        guard let mode = WorkspaceDeletionMode(rawValue: modeText) else {
            throw APIError.invalid("Invalid deletion mode '\(modeText)'. Must be one of: \(WorkspaceDeletionMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try await ledger.deleteWorkspace(name: try context.parameters.require("name"), mode: mode, context: call.context)
        return Response(status: .noContent)
    }
}
