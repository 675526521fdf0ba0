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

            With --auth every request but /health and server-info needs HTTP Basic credentials, and \
            each route checks the caller's effective permission. On the first start with --auth the admin \
            is created from $LEDGER_ADMIN_USERNAME and $LEDGER_ADMIN_PASSWORD.

            Examples:
              ledger serve
              ledger serve --data-dir /srv/ledger --host 0.0.0.0 --port 5000 --default-artifact-root s3://bucket/mlflow
              LEDGER_ADMIN_USERNAME=admin LEDGER_ADMIN_PASSWORD=change-me-please ledger serve --auth --default-workspace-permission READ
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

    func validate() throws {
        if let defaultWorkspacePermission {
            guard auth else { throw ValidationError("--default-workspace-permission needs --auth") }
            guard let level = PermissionLevel(rawValue: defaultWorkspacePermission), level != .noPermissions else {
                throw ValidationError("--default-workspace-permission must be one of READ, USE, EDIT, MANAGE, got '\(defaultWorkspacePermission)'")
            }
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
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
            defaultWorkspacePermission: defaultWorkspacePermission.flatMap(PermissionLevel.init(rawValue:)))
        let app = buildApplication(ledger: ledger, configuration: serverConfiguration, logger: logger)
        defer { ledger.close() }
        try await app.runService()
        logger.info("stopped; ledger closed")
    }

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
