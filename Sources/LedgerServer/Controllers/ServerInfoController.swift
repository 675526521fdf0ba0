import Hummingbird

/// `GET /api/3.0/mlflow/server-info`: the capability probe the MLflow client makes before it
/// sends anything in a workspace. It needs no workspace header and no credentials.
struct ServerInfoController {
    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.get("3.0/mlflow/server-info") { _, _ in
            var writer = JSONWriter()
            writer.beginObject()
            writer.key("workspaces_enabled")
            writer.value(true)
            writer.field("store_type", "WorkspaceLedger")
            writer.key("artifact_serving_enabled")
            writer.value(false)
            writer.endObject()
            return Response.json(writer)
        }
    }
}
