import Hummingbird
import LedgerCore

/// An error answered as MLflow does: `{"error_code": "...", "message": "..."}` with its status.
struct APIError: HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let errorCode: String
    let message: String

    init(status: HTTPResponse.Status, errorCode: String, message: String) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
    }

    /// 507: the server cannot store what the request needs (RFC 4918 §11.5).
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// The MLflow status and code of a ledger error. A non-empty workspace delete and a
    /// SET_DEFAULT clash (`invalidState`) answer 409, not MLflow's 500, so clients do not retry.
    /// A full disk answers 507, not 503: the MLflow client retries 503 for about four minutes and
    /// then reports "too many 503 error responses" without the message that says to free space.
    init(_ error: LedgerError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .invalidParameterValue, .resourceAlreadyExists: status = .badRequest
        case .resourceDoesNotExist: status = .notFound
        case .invalidState: status = .conflict
        case .permissionDenied: status = .forbidden
        case .storageFull: status = Self.insufficientStorage
        case .readOnly: status = .serviceUnavailable
        default: status = .internalServerError
        }
        self.init(status: status, errorCode: error.code.mlflowErrorCode, message: error.message)
    }

    /// A framework error (an unknown route, a wrong method) as MLflow's JSON.
    init(_ error: HTTPError) {
        switch error.status {
        case .notFound:
            self.init(status: .notFound, errorCode: "ENDPOINT_NOT_FOUND", message: error.body ?? "No such endpoint: check the path and the HTTP method.")
        case .contentTooLarge:
            self.init(status: .contentTooLarge, errorCode: "INVALID_PARAMETER_VALUE", message: "Request body is larger than the limit.")
        default:
            self.init(status: error.status, errorCode: error.status.code >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST", message: error.body ?? error.status.reasonPhrase)
        }
    }

    static func invalid(_ message: String) -> APIError {
        APIError(status: .badRequest, errorCode: "INVALID_PARAMETER_VALUE", message: message)
    }

    /// `{"error_code": "...", "message": "..."}`.
    var json: JSONWriter {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("error_code", errorCode)
        writer.field("message", message)
        writer.endObject()
        return writer
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(json, status: status)
    }
}

extension Response {
    /// A JSON response with the bytes of `writer`.
    static func json(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
