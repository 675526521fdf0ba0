import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A response read from a ``RawConnection``.
struct RawResponse: Sendable {
    var status: Int
    /// Header names in lowercase.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        return try #require(object as? [String: Any], "not a JSON object: \(text)", sourceLocation: sourceLocation)
    }
}

/// A plain TCP connection to a server under test, for what an HTTP client library does not send:
/// heads over the limits, bodies that never end, a head a byte at a time, connections held idle.
final class RawConnection: Sendable {
    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// What the server sent, and whether it closed the connection; filled on the event loop.
    private final class Inbox: Sendable {
        struct State {
            var bytes: [UInt8] = []
            /// The server sent all it will (end of stream, or the connection is down).
            var isClosed = false
            /// The connection is closed or reset: writes no longer reach the server.
            var isDown = false
        }
        let state = Mutex(State())
    }

    private final class InboxHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox

        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            inbox.state.withLock { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed? = event as? ChannelEvent { inbox.state.withLock { $0.isClosed = true } }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.state.withLock { $0.isClosed = true; $0.isDown = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A reset from the server: the connection is over.
            inbox.state.withLock { $0.isClosed = true; $0.isDown = true }
            context.close(promise: nil)
        }
    }

    private let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static func open(port: Int) async throws -> RawConnection {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, inbox: inbox)
    }

    /// Whether the server has sent all it will: it closed its side (or the whole connection).
    var isClosedByServer: Bool { inbox.state.withLock { $0.isClosed } }

    /// Whether the connection is closed or reset, so that what the client sends is lost.
    var isDown: Bool { inbox.state.withLock { $0.isDown } }

    func send(_ bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
        } catch {
            inbox.state.withLock { $0.isDown = true }
            throw error
        }
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// The next complete response; `nil` when the server closed the connection without one.
    func response(within timeout: Duration = .seconds(10)) async throws -> RawResponse? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (response, isClosed) = inbox.state.withLock { state -> (RawResponse?, Bool) in
                guard let (response, length) = Self.parse(state.bytes) else { return (nil, state.isClosed) }
                state.bytes.removeFirst(length)
                return (response, state.isClosed)
            }
            if let response { return response }
            if isClosed { return nil }
            guard ContinuousClock.now < deadline else { throw Timeout(what: "a response") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Whether the server closed its side of the connection within `timeout`.
    func closedByServer(within timeout: Duration) async throws -> Bool {
        try await wait(until: \.isClosedByServer, within: timeout)
    }

    /// Whether the connection went down (closed or reset) within `timeout`.
    func down(within timeout: Duration) async throws -> Bool {
        try await wait(until: \.isDown, within: timeout)
    }

    private func wait(until condition: KeyPath<RawConnection, Bool>, within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !self[keyPath: condition] {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    func close() async {
        try? await channel.close()
    }

    /// A response at the start of `bytes` and its length, once it is complete (by `Content-Length`).
    private static func parse(_ bytes: [UInt8]) -> (RawResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = headEnd + separator.count
        let length = headers["content-length"].flatMap(Int.init) ?? 0
        guard bytes.count >= bodyStart + length else { return nil }
        return (RawResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length])), bodyStart + length)
    }
}

extension RawConnection {
    /// Sends one request on a new connection and returns the response (`nil` if the server closed
    /// the connection without one).
    static func exchange(port: Int, _ request: String, within timeout: Duration = .seconds(10)) async throws -> RawResponse? {
        let connection = try await open(port: port)
        do {
            try await connection.send(request)
            let response = try await connection.response(within: timeout)
            await connection.close()
            return response
        } catch {
            await connection.close()
            throw error
        }
    }

    /// A complete HTTP/1.1 request.
    static func request(_ method: String, _ target: String, json: String? = nil, headers: [(String, String)] = []) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let json { text += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n" }
        text += "\r\n"
        return text + (json ?? "")
    }
}
