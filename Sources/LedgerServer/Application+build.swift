import Hummingbird
import HummingbirdCore
import LedgerCore
import Logging
import NIOCore

/// Builds the HTTP application serving the MLflow REST API over `ledger`.
///
/// Every route but `/health` is served under `/api/` and `/ajax-api/`; ``OpenAPIDocument``
/// describes them all. The caller owns the ledger and closes it after the application has stopped
/// (in-flight requests finish first on SIGINT/SIGTERM). `onServerRunning` is called with the
/// listening channel once the server accepts connections (its local address tells the port when
/// `configuration.port` is 0).
public func buildApplication(ledger: Ledger, configuration: ServerConfiguration, logger: Logger,
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = buildRouter(ledger: ledger, configuration: configuration)
    return Application(
        router: router,
        server: .http1(configuration: http1Configuration(configuration, logger: logger)),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "workspace-ledger",
            availableConnectionsDelegate: .maximum(configuration.maxConnections, logger: logger)),
        onServerRunning: onServerRunning,
        logger: logger)
}

/// The HTTP/1 connection: the head limits for the decoder, the idle timeout, and the handler that
/// answers what the decoder refuses and ends connections after a refusal.
func http1Configuration(_ configuration: ServerConfiguration, logger: Logger) -> HTTP1Channel.Configuration {
    let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
        // The request target counts as one field: with both sizes equal, the whole head is the limit.
        maxHeaderFieldSize: ServerConfiguration.maxHeaderBytes,
        maxHeaderListSize: ServerConfiguration.maxHeaderBytes,
        maxHeaderFieldCount: ServerConfiguration.maxHeaderCount)
    return HTTP1Channel.Configuration(
        additionalChannelHandlers: [HTTPRefusalHandler(logger: logger)],
        idleTimeout: TimeAmount(configuration.idleTimeout),
        httpDecoderConfiguration: decoder)
}

/// The router with every route; exposed to tests.
func buildRouter(ledger: Ledger, configuration: ServerConfiguration = .init()) -> Router<LedgerRequestContext> {
    let router = Router(context: LedgerRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: RequestTargetLimitMiddleware())
    let authenticator = Authenticator(ledger: ledger)
    if configuration.authentication {
        router.add(middleware: AuthMiddleware(authenticator: authenticator, ledger: ledger, defaultWorkspaceFloor: configuration.defaultWorkspacePermission))
    }
    router.get("/health") { _, _ in Response.json(JSONWriter.wrapped("status") { $0.value("OK") }) }
    for prefix in ["api", "ajax-api"] {
        let group = router.group(RouterPath(prefix))
        OpenAPIController(authentication: configuration.authentication).addRoutes(to: group)
        ServerInfoController().addRoutes(to: group)
        WorkspacesController(ledger: ledger).addRoutes(to: group)
        ExperimentsController(ledger: ledger).addRoutes(to: group)
        RunsController(ledger: ledger).addRoutes(to: group)
        RegisteredModelsController(ledger: ledger).addRoutes(to: group)
        UsersController(ledger: ledger, authenticator: authenticator, hashRounds: configuration.passwordHashRounds).addRoutes(to: group)
        PermissionsController(ledger: ledger).addRoutes(to: group)
    }
    return router
}
