import ArgumentParser
import Foundation
import LedgerCore
import LedgerServer
import Logging

/// `ledger serve`: the MLflow REST API over the ledger, on the embedded default.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the MLflow REST API (workspaces, experiments, runs, registered models) over the ledger.",
        discussion: """
            Opens (or creates) the ledger in --data-dir and serves it; no other service is needed. \
            SIGINT or SIGTERM stop it cleanly: requests in flight finish and their commits land.

            With --auth every request but /health, server-info and openapi.json needs HTTP Basic credentials, and \
            each route checks the caller's effective permission. On the first start with --auth the admin \
            is created from $LEDGER_ADMIN_USERNAME and $LEDGER_ADMIN_PASSWORD.

            Examples:
              ledger serve
              ledger serve --data-dir /srv/ledger --host 0.0.0.0 --port 5000 --default-artifact-root s3://bucket/mlflow
              LEDGER_ADMIN_USERNAME=admin LEDGER_ADMIN_PASSWORD=change-me-please ledger serve --auth --default-workspace-permission READ
              ledger serve --idle-timeout 30 --max-connections 10000

            Requests are bounded: a body of at most 1 MiB (413), a request target of at most 8 KiB \
            (414), a head of at most 64 KiB and 100 header fields (431).
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 5000

    @Option(help: ArgumentHelp("Where experiments of workspaces without a root keep artifacts (default: <data-dir>/artifacts).", valueName: "URI"))
    var defaultArtifactRoot: String?

    @Flag(help: "Require HTTP Basic authentication and enforce permissions.")
    var auth = false

    @Option(help: ArgumentHelp("With --auth: every user's permission floor in the workspace 'default' (READ, USE, EDIT, MANAGE).", valueName: "LEVEL"))
    var defaultWorkspacePermission: String?

    @Option(help: ArgumentHelp("Close a connection that sends no complete request head or body part for this long; a request head must arrive within it.", valueName: "SECONDS"))
    var idleTimeout: Double = Double(ServerConfiguration.defaultIdleTimeout.components.seconds)

    @Option(help: ArgumentHelp("Serve at most this many connections at once; more wait until one closes.", valueName: "N"))
    var maxConnections = ServerConfiguration.defaultMaxConnections

    func validate() throws {
        if let defaultWorkspacePermission {
            guard auth else { throw ValidationError("--default-workspace-permission needs --auth") }
            guard let level = PermissionLevel(rawValue: defaultWorkspacePermission), level != .noPermissions else {
                throw ValidationError("--default-workspace-permission must be one of READ, USE, EDIT, MANAGE, got '\(defaultWorkspacePermission)'")
            }
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard idleTimeout.isFinite, (0.001...86_400).contains(idleTimeout) else {
            throw ValidationError("--idle-timeout must be between 0.001 and 86400 seconds, got \(idleTimeout)")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, got \(maxConnections)") }
        if let defaultArtifactRoot {
            do { _ = try ServerConfiguration.validateArtifactRoot(defaultArtifactRoot) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        // StreamLogHandler's lines on standard error, cheaply enough for one line per request.
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, logLevel: .info) }
        let logger = Logger(label: "ledger.serve")
        let directory = URL(fileURLWithPath: data.resolved).standardizedFileURL.path
        var configuration = Ledger.Configuration(directory: directory)
        let root = defaultArtifactRoot ?? URL(fileURLWithPath: directory).appendingPathComponent("artifacts").path
        do { configuration.defaultArtifactRoot = try ServerConfiguration.validateArtifactRoot(root) } catch {
            throw ValidationError("\(error)")
        }
        let ledger = try await Ledger(configuration: configuration)
        if auth { try await bootstrapAdmin(ledger, logger) }
        let head = try ledger.head()
        logger.info("ledger open", metadata: ["data_dir": .string(directory), "head": .stringConvertible(head.sequence), "artifact_root": .string(ledger.defaultArtifactRoot)])
        let serverConfiguration = ServerConfiguration(
            host: host, port: port, defaultArtifactRoot: root, authentication: auth,
            defaultWorkspacePermission: defaultWorkspacePermission.flatMap(PermissionLevel.init(rawValue:)),
            idleTimeout: .milliseconds(Int64((idleTimeout * 1000).rounded())), maxConnections: maxConnections)
        // Each connection holds an open file; the ledger and the listener need a few more.
        let openFiles = OpenFileLimit.raise(toAtLeast: maxConnections + Self.filesBesideConnections)
        if openFiles < maxConnections + Self.filesBesideConnections {
            logger.warning("the open file limit is below --max-connections: connections beyond it wait until others close", metadata: [
                "open_file_limit": .stringConvertible(openFiles), "max_connections": .stringConvertible(maxConnections),
            ])
        }
        let app = buildApplication(ledger: ledger, configuration: serverConfiguration, logger: logger)
        defer { ledger.close() }
        try await app.runService()
        logger.info("stopped; ledger closed")
    }

    /// Open files the server needs besides its connections: the ledger, the listener, standard streams.
    static let filesBesideConnections = 64

    /// With authentication and no user yet, creates the admin from the environment (an event by
    /// `system`); refuses to start without one.
    private func bootstrapAdmin(_ ledger: Ledger, _ logger: Logger) async throws {
        guard try ledger.users().isEmpty else { return }
        let environment = ProcessInfo.processInfo.environment
        guard let username = environment["LEDGER_ADMIN_USERNAME"], !username.isEmpty,
              let password = environment["LEDGER_ADMIN_PASSWORD"], !password.isEmpty else {
            ExitStatus.printError("--auth needs a user, and this ledger has none: set LEDGER_ADMIN_USERNAME and LEDGER_ADMIN_PASSWORD for the first start, to create the admin")
            throw ExitCode(ExitStatus.badInput)
        }
        _ = try await ledger.createUser(username: username, password: password, isAdmin: true, context: .system(requestID: "bootstrap"))
        logger.info("admin created from LEDGER_ADMIN_USERNAME", metadata: ["username": .string(username)])
    }
}
