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
        guard let header = request.headers[workspaceHeader] else { return Workspace.defaultName }
        let raw = trimmed(header)
        guard !raw.isEmpty else { return Workspace.defaultName }
        // Validates the name (400) and checks it exists (404).
        return try ledger.workspace(named: raw).name
    }

    /// The query string as a form (`application/x-www-form-urlencoded`), as MLflow's server reads
    /// it: the Python client sends `filter=name+%3D+%27x%27`, so `+` must read as a space (which
    /// Hummingbird's `queryParameters` does not do) before `%XX` escapes are decoded, in keys too.
    /// A parameter named more than once (`experiment_ids=1&experiment_ids=2`) reads as an array.
    static func queryParameters(_ request: Request) -> RequestParameters {
        var fields: [String: JSONValue] = [:]
        guard let query = request.uri.query, !query.isEmpty else { return RequestParameters(queryFields: fields) }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let separator = pair.utf8.firstIndex(of: UInt8(ascii: "="))
            let key = formDecode(pair[..<(separator ?? pair.endIndex)])
            let value = separator.map { formDecode(pair[pair.utf8.index(after: $0)...]) } ?? ""
            switch fields[key] {
            case nil: fields[key] = .string(value)
            case .array(var values)?:
                values.append(.string(value))
                fields[key] = .array(values)
            case let first?: fields[key] = .array([first, .string(value)])
            }
        }
        return RequestParameters(queryFields: fields)
    }

    /// One form-encoded key or value: `+` is a space, then `%XX` escapes; a malformed escape is kept as sent.
    static func formDecode(_ text: Substring) -> String {
        // Most keys and values hold neither; Foundation's replacing and decoding cost microseconds.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The media type of a `Content-Type` value, lowercased, without its parameters.
    static func mediaType(_ contentType: String) -> String {
        contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    /// `text` without leading and trailing white space (Unicode `Zs` and tab, as
    /// `CharacterSet.whitespaces`), without a trip through Foundation for the usual header that has none.
    static func trimmed(_ text: String) -> String {
        func plain(_ byte: UInt8?) -> Bool { byte.map { $0 < 0x80 && $0 != 0x20 && $0 != 0x09 } ?? false }
        if plain(text.utf8.first) && plain(text.utf8.last) { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The JSON object in the body. POST and PATCH must say `application/json`; an empty body
    /// reads as `{}`; anything but an object is refused with a message saying what was wrong.
    static func bodyParameters(_ request: Request, _ context: LedgerRequestContext) async throws -> RequestParameters {
        if request.method == .post || request.method == .patch {
            guard let type = request.headers[.contentType] else {
                throw APIError.invalid("Bad Request. Content-Type header is missing: send 'Content-Type: application/json'.")
            }
            guard type == "application/json" || Self.mediaType(type) == "application/json" else {
                throw APIError.invalid("Bad Request. Content-Type must be 'application/json', got '\(type)'.")
            }
        }
        let tooLarge = APIError(status: .contentTooLarge, errorCode: "INVALID_PARAMETER_VALUE",
                                message: "Request body is larger than the \(context.maxUploadSize / 1024) KiB limit.")
        // A declared length over the limit is refused before a byte of the body is read.
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > context.maxUploadSize {
            throw tooLarge
        }
        let buffer: ByteBuffer
        do {
            // A chunked body is read up to the limit and no further.
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // `collect(upTo:)` throws NIOTooManyBytesError (a 413 with an empty body), not HTTPError.
            throw tooLarge
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
