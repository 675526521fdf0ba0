import Hummingbird
import LedgerCore
import Logging

/// Builds the HTTP application serving the MLflow REST API over `ledger`.
///
/// Every route is served under `/api/` and `/ajax-api/`. The caller owns the ledger and closes it
/// after the application has stopped (in-flight requests finish first on SIGINT/SIGTERM).
public func buildApplication(ledger: Ledger, configuration: ServerConfiguration, logger: Logger) -> some ApplicationProtocol {
    let router = buildRouter(ledger: ledger, configuration: configuration)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "workspace-ledger"),
        logger: logger)
}

/// The router with every route; exposed to tests.
func buildRouter(ledger: Ledger, configuration: ServerConfiguration = .init()) -> Router<LedgerRequestContext> {
    let router = Router(context: LedgerRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    let authenticator = Authenticator(ledger: ledger)
    if configuration.authentication {
        router.add(middleware: AuthMiddleware(authenticator: authenticator, ledger: ledger, defaultWorkspaceFloor: configuration.defaultWorkspacePermission))
    }
    router.get("/health") { _, _ in Response.json(JSONWriter.wrapped("status") { $0.value("OK") }) }
    for prefix in ["api", "ajax-api"] {
        let group = router.group(RouterPath(prefix))
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
