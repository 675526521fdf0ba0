import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Sits on each connection between the HTTP/1 codec and the application, for requests the server
/// refuses before it has read them whole.
///
/// - A request the HTTP decoder refuses is answered with MLflow's JSON error instead of
///   Hummingbird's empty 400: 431 for a head over ``ServerConfiguration/maxHeaderBytes`` or
///   ``ServerConfiguration/maxHeaderCount``, 400 for bytes that are not an HTTP/1 request.
/// - A response written before its request's body was read to the end (a body over the limit,
///   413; a 401 or a GET that never reads the body) says `Connection: close` and ends the
///   connection: Hummingbird would otherwise read the rest of the body, however long, to find the
///   next request. So do the refusals above.
/// - A connection ends in two steps, as RFC 9112 §9.6 advises: output closes once the response is
///   written, so the client reads all of it; input is still read, and dropped, until the client
///   closes or ``lingerTime`` is over. A client still sending its body reads the answer instead of
///   a reset, and cannot hold the connection by sending forever.
final class HTTPRefusalHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long an ending connection still reads what the client sends.
    static let lingerTime: TimeAmount = .seconds(2)

    private let logger: Logger
    /// For each request whose head was read and whose response is not written yet, oldest first:
    /// whether it was read to its end.
    private var unanswered: [Bool] = []
    /// The response being written says `Connection: close`.
    private var closesAfterResponse = false
    /// Output is closed; input is drained until the client closes or the linger time is over.
    private var isEnding = false
    private var lingerTimeout: Scheduled<Void>?

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: unanswered.append(false)
        case .body: break
        case .end: if !unanswered.isEmpty { unanswered[unanswered.count - 1] = true }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            if unanswered.first == false { response.headerFields[.connection] = "close" }
            closesAfterResponse = response.headerFields[.connection] == "close"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            if !unanswered.isEmpty { unanswered.removeFirst() }
            if closesAfterResponse { end(context) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Once ending, the decoder only complains about bytes that arrived after the refusal.
        if isEnding { return }
        // An error inside a body, or with a request still unanswered, cannot get an answer of its
        // own: Hummingbird ends the connection.
        guard unanswered.isEmpty, let refusal = Self.refusal(for: error) else {
            context.fireErrorCaught(error)
            return
        }
        logger.info("request refused", metadata: [
            "status": .string(String(refusal.status.code)),
            "reason": .string(String(describing: error)),
            "remote": .string(context.channel.remoteAddress?.ipAddress ?? "unknown"),
        ])
        let body = ByteBuffer(bytes: refusal.json.bytes)
        let headers: HTTPFields = [.contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close"]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: refusal.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        end(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if isEnding, case ChannelEvent.inputClosed? = event as? ChannelEvent {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lingerTimeout?.cancel()
        lingerTimeout = nil
        context.fireChannelInactive()
    }

    /// Closes output once what was written is sent, and the whole connection after the linger time.
    private func end(_ context: ChannelHandlerContext) {
        guard !isEnding else { return }
        isEnding = true
        context.flush()
        context.close(mode: .output, promise: nil)
        lingerTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerTime) {
            context.close(promise: nil)
        }
    }

    /// The answer to an error of the HTTP decoder, or `nil` for any other error.
    static func refusal(for error: any Error) -> APIError? {
        switch error {
        case HTTPParserError.headerOverflow:
            APIError(status: .requestHeaderFieldsTooLarge, errorCode: "INVALID_PARAMETER_VALUE",
                     message: "The request head is too large: the server takes at most \(ServerConfiguration.maxHeaderCount) header fields, and \(ServerConfiguration.maxHeaderBytes / 1024) KiB for the request target and every header name and value together.")
        case is HTTPParserError, is HTTP1TypeConversionError:
            APIError.invalid("Malformed HTTP/1 request (\(error)): send a request line, header fields and a body as HTTP/1.1 defines them.")
        default:
            nil
        }
    }
}
