import Hummingbird
import LedgerCore

/// A ledger error thrown by a handler answers as MLflow's JSON error with the mapped status.
extension LedgerError: HTTPResponseError {
    public var status: HTTPResponse.Status { APIError(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(self).response(from: request, context: context)
    }
}
