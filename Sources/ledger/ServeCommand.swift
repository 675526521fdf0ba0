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

            Examples:
              ledger serve
              ledger serve --data-dir /srv/ledger --host 0.0.0.0 --port 5000 --default-artifact-root s3://bucket/mlflow
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 5000

    @Option(help: ArgumentHelp("Where experiments of workspaces without a root keep artifacts (default: <data-dir>/artifacts).", valueName: "URI"))
    var defaultArtifactRoot: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        if let defaultArtifactRoot {
            do { _ = try ServerConfiguration.validateArtifactRoot(defaultArtifactRoot) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "ledger.serve")
        let directory = URL(fileURLWithPath: data.resolved).standardizedFileURL.path
        var configuration = Ledger.Configuration(directory: directory)
        let root = defaultArtifactRoot ?? URL(fileURLWithPath: directory).appendingPathComponent("artifacts").path
        do { configuration.defaultArtifactRoot = try ServerConfiguration.validateArtifactRoot(root) } catch {
            throw ValidationError("\(error)")
        }
        let ledger = try await Ledger(configuration: configuration)
        let head = try ledger.head()
        logger.info("ledger open", metadata: ["data_dir": .string(directory), "head": .stringConvertible(head.sequence), "artifact_root": .string(ledger.defaultArtifactRoot)])
        let app = buildApplication(ledger: ledger, configuration: ServerConfiguration(host: host, port: port, defaultArtifactRoot: root), logger: logger)
        defer { ledger.close() }
        try await app.runService()
        logger.info("stopped; ledger closed")
    }
}
