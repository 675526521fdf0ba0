import Foundation
import HTTPTypes
import Hummingbird
import LedgerCore

/// Everything a handler needs about one request: the ledger, the workspace the request is
/// scoped to, who is acting, and its parameters.
struct RequestCall: Sendable {
    let ledger: Ledger
    /// The request's workspace: `X-MLFLOW-WORKSPACE` (trimmed), `default` when absent.
    let workspace: String
    /// Actor, request id and source (remote address and user agent) for the events it appends.
    let context: CommandContext
    let parameters: RequestParameters
    /// What the caller may do (everything without `--auth`).
    let authorization: Authorization

    static let workspaceHeader = HTTPField.Name("X-MLFLOW-WORKSPACE")!

    /// Reads the request: its workspace (400 if invalid, 404 if unknown) and its parameters —
    /// the JSON body for POST, PATCH and DELETE, the query string for GET.
    static func make(_ request: Request, _ context: LedgerRequestContext, _ ledger: Ledger) async throws -> RequestCall {
        let workspace = try resolveWorkspace(request, ledger)
        let parameters: RequestParameters
        if request.method == .get || request.method == .head {
            parameters = queryParameters(request)
        } else {
            parameters = try await bodyParameters(request, context)
        }
        let agent = request.headers[.userAgent] ?? ""
        let authorization = context.authorization ?? Authorization(user: nil, ledger: ledger, defaultWorkspaceFloor: nil, isEnabled: false)
        let actor = CommandContext(actor: authorization.user?.username ?? "anonymous", requestID: context.requestID,
                                   source: .http(remoteAddress: context.remoteAddress, userAgent: agent))
        return RequestCall(ledger: ledger, workspace: workspace, context: actor, parameters: parameters, authorization: authorization)
    }

    static func resolveWorkspace(_ request: Request, _ ledger: Ledger) throws -> String {
        guard let raw = request.headers[workspaceHeader]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return Workspace.defaultName
        }
        // Validates the name (400) and checks it exists (404).
        return try ledger.workspace(named: raw).name
    }

    /// The query string as a form (`application/x-www-form-urlencoded`), as MLflow's server reads
    /// it: the Python client sends `filter=name+%3D+%27x%27`, so `+` must read as a space (which
    /// Hummingbird's `queryParameters` does not do) before `%XX` escapes are decoded, in keys too.
    static func queryParameters(_ request: Request) -> RequestParameters {
        var fields: [String: String] = [:]
        var repeated: [String: [String]] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = formDecode(parts[0])
            let value = parts.count > 1 ? formDecode(parts[1]) : ""
            repeated[key, default: []].append(value)
            fields[key] = value
        }
        return RequestParameters(query: fields, repeated: repeated)
    }

    /// One form-encoded key or value: `+` is a space, then `%XX` escapes; a malformed escape is kept as sent.
    static func formDecode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The JSON object in the body. POST and PATCH must say `application/json`; an empty body
    /// reads as `{}`; anything but an object is refused with a message saying what was wrong.
    static func bodyParameters(_ request: Request, _ context: LedgerRequestContext) async throws -> RequestParameters {
        if request.method == .post || request.method == .patch {
            guard let type = request.headers[.contentType] else {
                throw APIError.invalid("Bad Request. Content-Type header is missing: send 'Content-Type: application/json'.")
            }
            let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" else {
                throw APIError.invalid("Bad Request. Content-Type must be 'application/json', got '\(type)'.")
            }
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // `collect(upTo:)` throws NIOTooManyBytesError (a 413 with an empty body), not HTTPError.
            throw APIError(status: .contentTooLarge, errorCode: "INVALID_PARAMETER_VALUE",
                           message: "Request body is larger than the \(context.maxUploadSize / 1024) KiB limit.")
        }
        guard buffer.readableBytes > 0 else { return RequestParameters(body: [:]) }
        var value: JSONValue
        do {
            value = try JSONValue.parse(Array(buffer.readableBytesView))
            // A JSON document encoded twice (a JSON string holding JSON) is decoded again, as MLflow does.
            if case .string(let inner) = value, let decoded = try? JSONValue.parse(Array(inner.utf8)) {
                value = decoded
            }
        } catch {
            throw APIError.invalid("Malformed JSON in the request body (\(error.reason)): send a JSON object such as {\"name\": \"...\"}.")
        }
        guard case .object(let object) = value else {
            throw APIError.invalid("The request body must be a JSON object, got \(value.typeName).")
        }
        return RequestParameters(body: object)
    }
}
