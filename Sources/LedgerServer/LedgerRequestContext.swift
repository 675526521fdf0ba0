import Hummingbird
import LedgerCore
import Logging
import NIOCore

/// The per-request context: who is calling, from where, under which request id.
struct LedgerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The peer's address, as the event's source records it.
    let remoteAddress: String
    /// Echoed from `X-Request-Id`, or made by ``RequestLogMiddleware``.
    var requestID: String = ""
    /// The authenticated user and what they may do; set by ``AuthMiddleware`` with `--auth`.
    var authorization: Authorization?
    var user: User? { authorization?.user }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Bodies larger than this are refused before they are parsed.
    var maxUploadSize: Int { ServerConfiguration.maxBodyBytes }
}
