import HTTPTypes
import Hummingbird
import Logging

/// Gives each request an id (the incoming `X-Request-Id`, or a new one), echoes it in the
/// response, and logs one line per request at info: method, path, status, duration, id.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = LedgerRequestContext

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[Self.requestIDHeader].flatMap { $0.count <= 128 && !$0.isEmpty ? $0 : nil }
        context.requestID = incoming ?? RequestID.make()
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            // The framework's own errors (no such route, a body too large) answer as MLflow does.
            response = try APIError(error).response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["request_id": .string(context.requestID), "error": .string("\(error)")])
            response = try APIError(status: .internalServerError, errorCode: "INTERNAL_ERROR", message: "Internal error (request \(context.requestID)); see the server log.")
                .response(from: request, context: context)
        }
        response.headers[Self.requestIDHeader] = context.requestID
        let elapsed = ContinuousClock.now - start
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .string(String(response.status.code)),
            "ms": .string(Self.milliseconds(elapsed)),
            "request_id": .string(context.requestID),
            "remote": .string(context.remoteAddress),
        ])
        return response
    }

    /// `elapsed` in milliseconds with two decimals (`0.42`), without `String(format:)`, which
    /// costs more than the rest of the line on Linux.
    static func milliseconds(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let hundredths = max(0, seconds) * 100_000 + (max(0, attoseconds) + 5_000_000_000_000) / 10_000_000_000_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
