/// Where artifacts go: computed by the ledger, never given by a caller.
enum ArtifactLocation {
    /// `<workspace root>/<id>` when the workspace has a root, else
    /// `<server root>/workspaces/<workspace>/<id>`.
    static func experiment(_ id: Int64, workspace: Workspace?, workspaceName: String, serverRoot: String) -> String {
        if let root = workspace?.defaultArtifactRoot, !root.isEmpty {
            return join(root, String(id))
        }
        return join(serverRoot, "workspaces/\(workspaceName)/\(id)")
    }

    /// `<experiment location>/<run id>/artifacts`.
    static func run(_ runID: String, experimentLocation: String) -> String {
        join(experimentLocation, "\(runID)/artifacts")
    }

    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.count > 1 && base.hasSuffix("/") && !base.hasSuffix(":/") && !base.hasSuffix("://") { base.removeLast() }
        if base.hasSuffix("/") { return base + path }
        return base + "/" + path
    }
}
