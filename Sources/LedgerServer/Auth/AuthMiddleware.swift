import HTTPTypes
import Hummingbird
import LedgerCore

/// With `--auth`: every request but `/health`, `server-info` and the OpenAPI document must carry
/// valid HTTP Basic credentials; without them, 401 with `WWW-Authenticate: Basic realm="mlflow"`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext
    let authenticator: Authenticator
    let ledger: Ledger
    let defaultWorkspaceFloor: PermissionLevel?

    static let challenge = #"Basic realm="mlflow""#

    /// Whether `path` is served without credentials (the document marks these with `security: []`).
    static func isPublic(_ path: String) -> Bool {
        path == "/health" || path.hasSuffix("/mlflow/server-info") || path == "/api/openapi.json" || path == "/ajax-api/openapi.json"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isPublic(request.uri.path) {
            return try await next(request, context)
        }
        let outcome: Authenticator.Outcome
        if let credentials = Authenticator.basicCredentials(request.headers[.authorization]) {
            outcome = await authenticator.authenticate(username: credentials.username, password: credentials.password)
        } else {
            outcome = .refused
        }
        let user: User
        switch outcome {
        case .authenticated(let authenticated):
            user = authenticated
        case .refused:
            var response = try APIError(status: .unauthorized, errorCode: "UNAUTHENTICATED",
                                        message: "You are not authenticated. Send HTTP Basic credentials of a user of this server.")
                .response(from: request, context: context)
            response.headers[.wwwAuthenticate] = Self.challenge
            return response
        case .busy:
            var response = try APIError(status: .serviceUnavailable, errorCode: "TEMPORARILY_UNAVAILABLE",
                                        message: "Too many password checks are waiting; retry in a moment.")
                .response(from: request, context: context)
            response.headers[.retryAfter] = "1"
            return response
        }
        var context = context
        context.authorization = Authorization(user: user, ledger: ledger, defaultWorkspaceFloor: defaultWorkspaceFloor, isEnabled: true)
        return try await next(request, context)
    }
}
