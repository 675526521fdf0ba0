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
    /// `--idle-timeout`: a connection that completes no request head and no body part for this
    /// long is closed. A request head must therefore arrive within it: one trickled a byte at a
    /// time (slowloris) is cut off, whatever it has sent.
    public var idleTimeout: Duration = Self.defaultIdleTimeout
    /// `--max-connections`: the most connections served at once. Further ones wait in the listen
    /// backlog (256) until one closes, instead of the server running out of open files.
    public var maxConnections: Int = Self.defaultMaxConnections

    public static let defaultIdleTimeout: Duration = .seconds(60)
    public static let defaultMaxConnections = 4096

    // MARK: Request limits
    //
    // Fixed: MLflow's requests need a few KiB of head and far less than 1 MiB of body.

    /// Request bodies above this size are refused with 413, before a byte is read when
    /// `Content-Length` says so; a body still arriving is not read on, the connection ends.
    public static let maxBodyBytes = 1 << 20
    /// A request target (path and query string) above this size is refused with 414.
    public static let maxRequestTargetBytes = 8 << 10
    /// The request target and every header name and value together above this size are refused
    /// with 431, by the HTTP decoder before anything else reads them (so a target above it is 431).
    public static let maxHeaderBytes = 64 << 10
    /// More header fields than this are refused with 431, by the HTTP decoder.
    public static let maxHeaderCount = 100

    public init(host: String = "127.0.0.1", port: Int = 5000, defaultArtifactRoot: String? = nil,
                authentication: Bool = false, defaultWorkspacePermission: PermissionLevel? = nil,
                idleTimeout: Duration = Self.defaultIdleTimeout, maxConnections: Int = Self.defaultMaxConnections) {
        self.host = host
        self.port = port
        self.defaultArtifactRoot = defaultArtifactRoot
        self.authentication = authentication
        self.defaultWorkspacePermission = defaultWorkspacePermission
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
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
