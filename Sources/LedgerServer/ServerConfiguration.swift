import LedgerCore

/// How `ledger serve` runs.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String = "127.0.0.1"
    public var port: Int = 5000
    /// The absolute default artifact root (the ledger's own setting is used when `nil`).
    public var defaultArtifactRoot: String?
    /// HTTP Basic authentication and permission checks (`--auth`).
    public var authentication: Bool = false
    /// `--default-workspace-permission`: every user's floor in `default` (with authentication).
    public var defaultWorkspacePermission: PermissionLevel?
    /// PBKDF2 iterations for passwords set through the API (lower only in tests).
    public var passwordHashRounds: UInt32 = PasswordHash.recommendedRounds

    /// Request bodies above this size are refused with 413.
    public static let maxBodyBytes = 1 << 20

    public init(host: String = "127.0.0.1", port: Int = 5000, defaultArtifactRoot: String? = nil,
                authentication: Bool = false, defaultWorkspacePermission: PermissionLevel? = nil) {
        self.host = host
        self.port = port
        self.defaultArtifactRoot = defaultArtifactRoot
        self.authentication = authentication
        self.defaultWorkspacePermission = defaultWorkspacePermission
    }

    /// Refuses a root whose last or second-to-last path segment is `workspaces`: per-workspace
    /// artifact paths live under `<root>/workspaces/<name>`.
    public static func validateArtifactRoot(_ root: String) throws -> String {
        let segments = root.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if segments.last == "workspaces" || (segments.count >= 2 && segments[segments.count - 2] == "workspaces") {
            throw ServerConfigurationError("Cannot serve with --default-artifact-root '\(root)': its last or second-to-last path segment is 'workspaces', which would collide with the per-workspace artifact paths '<root>/workspaces/<name>'. Choose another root.")
        }
        guard root.hasPrefix("/") || root.contains(":") else {
            throw ServerConfigurationError("--default-artifact-root '\(root)' must be an absolute path or a URI with a scheme (s3://bucket/prefix, file:///path).")
        }
        return root
    }
}

/// A configuration that cannot be served, with the reason.
public struct ServerConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
