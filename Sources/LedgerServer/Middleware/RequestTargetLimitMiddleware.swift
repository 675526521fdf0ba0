import Hummingbird

/// Refuses a request whose target (path and query string) is longer than
/// ``ServerConfiguration/maxRequestTargetBytes`` with 414, before authentication and routing.
///
/// MLflow's GET requests carry an id or a name; longer parameters belong in a POST body. A target
/// long enough to exceed the whole head's limit never gets here: the HTTP decoder answers 431.
struct RequestTargetLimitMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.uri.string.utf8.count
        guard length <= ServerConfiguration.maxRequestTargetBytes else {
            throw APIError(status: .uriTooLong, errorCode: "INVALID_PARAMETER_VALUE",
                           message: "The request target (path and query string) is \(length) bytes long; the limit is \(ServerConfiguration.maxRequestTargetBytes). Shorten it: searches take long filters in a POST body.")
        }
        return try await next(request, context)
    }
}
