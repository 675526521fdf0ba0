import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// The real server over sockets under hostile clients: bodies and heads over the limits, heavy
/// JSON, idle and trickling connections, more connections than it serves. Each is refused cleanly
/// (a status and MLflow's JSON error wherever HTTP lets the server answer), writes nothing, and
/// other clients are served during and after.
@Suite("Bounded resources over a socket", .serialized)
struct BoundedResourceTests {
    static let createExperiment = "/api/2.0/mlflow/experiments/create"

    /// A well-behaved client on a new connection is answered correctly.
    static func expectServing(_ port: Int, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await RawConnection.exchange(port: port, RawConnection.request("GET", "/api/2.0/mlflow/experiments/get?experiment_id=0"))
        #expect(response?.status == 200, "\(label): \(response.map { "\($0.status) \($0.text)" } ?? "closed without an answer")", sourceLocation: sourceLocation)
        let experiment = try response?.json(sourceLocation: sourceLocation)["experiment"] as? [String: Any]
        #expect(experiment?["name"] as? String == "Default", "\(label)", sourceLocation: sourceLocation)
    }

    /// Expects MLflow's JSON error with `status`, a message containing `naming`.
    @discardableResult
    static func expectError(_ response: RawResponse?, _ status: Int, naming: String, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws -> RawResponse {
        let response = try #require(response, "\(label): the connection closed without an answer", sourceLocation: sourceLocation)
        #expect(response.status == status, "\(label): \(response.status) \(response.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(response.headers["content-type"] == "application/json", "\(label)", sourceLocation: sourceLocation)
        let body = try response.json(sourceLocation: sourceLocation)
        #expect(body["error_code"] as? String == "INVALID_PARAMETER_VALUE", "\(label): \(response.text)", sourceLocation: sourceLocation)
        #expect((body["message"] as? String)?.contains(naming) == true, "\(label): the message does not name \(naming): \(response.text)", sourceLocation: sourceLocation)
        return response
    }

    /// How long an ending connection may take to close: the linger time, and slack for a busy machine.
    static let closeWithin: Duration = .seconds(Int64(HTTPRefusalHandler.lingerTime.nanoseconds / 1_000_000_000) + 8)

    // MARK: Bodies

    /// A body the server must not read to its end.
    enum EndlessBody: String, CaseIterable, Sendable {
        /// `Content-Length` of 1 TiB: refused (413) before a byte of the body is read.
        case declaredOverTheLimit
        /// A chunked body that never ends: read up to the limit, then refused (413).
        case chunkedOverTheLimit
        /// A chunked body that never ends, sent with a GET, which reads no body: answered (200).
        case chunkedUnread

        var head: String {
            switch self {
            case .declaredOverTheLimit:
                "POST \(createExperiment) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(1 << 40)\r\n\r\n"
            case .chunkedOverTheLimit:
                "POST \(createExperiment) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            case .chunkedUnread:
                "GET /api/2.0/mlflow/experiments/get?experiment_id=0 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            }
        }
    }

    @Test("a body that never ends is answered, and its connection ends while the client still sends", arguments: EndlessBody.allCases)
    func endlessBody(_ kind: EndlessBody) async throws {
        try await withRunningServer { port, ledger in
            let before = try ledger.head()
            let connection = try await RawConnection.open(port: port)
            try await connection.send(kind.head)
            // The client sends 64 KiB every 10 ms, for at most 60 s, until the connection goes down.
            let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 64 << 10)
            let piece = kind == .declaredOverTheLimit ? chunk : Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8)
            let cap = 6000
            let sender = Task {
                var pieces = 0
                while pieces < cap, !connection.isDown {
                    do { try await connection.send(piece) } catch { break }
                    pieces += 1
                    try? await Task.sleep(for: .milliseconds(10))
                }
                return pieces
            }
            let response = try #require(try await connection.response(within: .seconds(30)), "\(kind): no answer")
            if kind == .chunkedUnread {
                #expect(response.status == 200, "\(kind): \(response.status) \(response.text)")
            } else {
                try Self.expectError(response, 413, naming: "1024 KiB", "\(kind)")
            }
            #expect(response.headers["connection"] == "close", "\(kind)")
            #expect(try await connection.closedByServer(within: .seconds(5)), "\(kind): the server did not close its side after the answer")
            try await Self.expectServing(port, "while an endless body is still sent")
            #expect(try await connection.down(within: Self.closeWithin), "\(kind): the server kept reading the body")
            let pieces = await sender.value
            #expect(pieces < cap, "\(kind): the client sent \(pieces) pieces of 64 KiB without the connection ending")
            await connection.close()
            #expect(try ledger.head() == before, "\(kind) wrote")
            try await Self.expectServing(port, "after an endless body")
        }
    }

    /// Heavy JSON within the limit (500,000 array elements) on four connections at once: each is
    /// refused naming the field, and a well-behaved client is served meanwhile.
    @Test func heavyBodiesDoNotStopOtherClients() async throws {
        try await withRunningServer { port, ledger in
            let before = try ledger.head()
            let body = #"{"name": "heavy", "tags": ["# + Array(repeating: "0", count: 500_000).joined(separator: ",") + "]}"
            #expect(body.utf8.count < ServerConfiguration.maxBodyBytes)
            let request = RawConnection.request("POST", Self.createExperiment, json: body)
            try await withThrowingTaskGroup(of: RawResponse?.self) { group in
                for _ in 0..<4 { group.addTask { try await RawConnection.exchange(port: port, request, within: .seconds(60)) } }
                try await Self.expectServing(port, "while heavy bodies are read")
                for try await response in group { try Self.expectError(response, 400, naming: "tags[0]", "500,000 elements") }
            }
            #expect(try ledger.head() == before)
            try await Self.expectServing(port, "after heavy bodies")
        }
    }

    // MARK: Heads

    struct OversizedHead: Sendable, CustomTestStringConvertible {
        var label: String
        var request: String
        var status: Int
        var naming: String
        /// Refused by the HTTP decoder: answered, then the connection ends. Otherwise refused by the
        /// application, and the connection goes on.
        var endsConnection: Bool

        var testDescription: String { label }
    }

    /// Each would create an experiment if it were read.
    static func create(target: String = createExperiment, headers: [(String, String)] = []) -> String {
        RawConnection.request("POST", target, json: #"{"name": "never-created"}"#, headers: headers)
    }

    static let oversizedHeads: [OversizedHead] = [
        OversizedHead(label: "one header of 70 KiB", request: create(headers: [("X-Padding", String(repeating: "h", count: 70 << 10))]),
                      status: 431, naming: "64 KiB", endsConnection: true),
        OversizedHead(label: "20 headers of 3.5 KiB (70 KiB in all)", request: create(headers: (0..<20).map { ("X-Padding-\($0)", String(repeating: "h", count: 3584)) }),
                      status: 431, naming: "64 KiB", endsConnection: true),
        OversizedHead(label: "101 header fields", request: create(headers: (0..<101).map { ("X-Field-\($0)", "v") }),
                      status: 431, naming: "\(ServerConfiguration.maxHeaderCount) header fields", endsConnection: true),
        OversizedHead(label: "a query string of 9 KiB", request: create(target: "\(createExperiment)?pad=" + String(repeating: "q", count: 9 << 10)),
                      status: 414, naming: "the limit is \(ServerConfiguration.maxRequestTargetBytes)", endsConnection: false),
        OversizedHead(label: "a path of 9 KiB", request: create(target: "/api/2.0/mlflow/" + String(repeating: "p", count: 9 << 10)),
                      status: 414, naming: "the limit is \(ServerConfiguration.maxRequestTargetBytes)", endsConnection: false),
        OversizedHead(label: "a query string of 70 KiB", request: create(target: "\(createExperiment)?pad=" + String(repeating: "q", count: 70 << 10)),
                      status: 431, naming: "64 KiB", endsConnection: true),
        OversizedHead(label: "a request line that is not HTTP", request: "NOT-HTTP AT ALL\r\n\r\n",
                      status: 400, naming: "Malformed HTTP/1 request", endsConnection: true),
        OversizedHead(label: "a header name with a space", request: create(headers: [("X Bad", "v")]),
                      status: 400, naming: "Malformed HTTP/1 request", endsConnection: true),
    ]

    @Test("a head over the limits is refused with JSON", arguments: oversizedHeads)
    func headOverTheLimits(_ head: OversizedHead) async throws {
        try await withRunningServer { port, ledger in
            let before = try ledger.head()
            let connection = try await RawConnection.open(port: port)
            try await connection.send(head.request)
            let response = try Self.expectError(try await connection.response(), head.status, naming: head.naming, head.label)
            if head.endsConnection {
                #expect(response.headers["connection"] == "close", "\(head.label)")
                #expect(try await connection.closedByServer(within: Self.closeWithin), "\(head.label): the connection stays open")
            } else {
                // The connection goes on: the next request on it is served.
                try await connection.send(RawConnection.request("GET", "/health"))
                #expect(try await connection.response()?.status == 200, "\(head.label): the connection did not go on")
            }
            await connection.close()
            #expect(try ledger.head() == before, "\(head.label) wrote")
            try await Self.expectServing(port, "after \(head.label)")
        }
    }

    // MARK: Connections

    /// 1,200 connections held open (a tenth of them stopped inside a request head) do not keep a
    /// new client out, and each of them is still served when it finally sends a request.
    @Test func idleConnectionsDoNotStopOtherClients() async throws {
        let idle = 1200
        let needed = 2 * idle + 512 // both ends of each connection live in this process
        try #require(OpenFileLimit.raise(toAtLeast: needed) >= needed, "the open file limit is below \(needed)")
        try await withRunningServer { port, ledger in
            let before = try ledger.head()
            var connections: [RawConnection] = []
            for _ in 0..<(idle / 100) {
                try await withThrowingTaskGroup(of: RawConnection.self) { group in
                    for _ in 0..<100 { group.addTask { try await RawConnection.open(port: port) } }
                    for try await connection in group { connections.append(connection) }
                }
            }
            for connection in connections.prefix(idle / 10) {
                try await connection.send("POST \(Self.createExperiment) HTTP/1.1\r\nHost: localhost\r\nContent-")
            }
            try await Self.expectServing(port, "with \(idle) connections held open")
            #expect(connections.filter(\.isClosedByServer).isEmpty, "the default idle timeout closed connections early")
            // Every 50th idle connection asks for something: it was accepted and is served.
            for connection in stride(from: idle / 10, to: idle, by: 50).map({ connections[$0] }) {
                try await connection.send(RawConnection.request("GET", "/health"))
                #expect(try await connection.response()?.status == 200)
            }
            for connection in connections { await connection.close() }
            #expect(try ledger.head() == before)
            try await Self.expectServing(port, "after \(idle) connections closed")
        }
    }

    /// With `idleTimeout` 1 s: silent connections, a connection idle after a request, and heads
    /// trickled a byte every 100 ms (slowloris) are all closed, while other clients are served.
    @Test func idleAndTricklingConnectionsAreClosedAfterTheIdleTimeout() async throws {
        try await withRunningServer(configure: { $0.idleTimeout = .seconds(1) }) { port, ledger in
            let before = try ledger.head()
            var silent: [RawConnection] = []
            for _ in 0..<20 { silent.append(try await RawConnection.open(port: port)) }
            let afterRequest = try await RawConnection.open(port: port)
            try await afterRequest.send(RawConnection.request("GET", "/health"))
            #expect(try await afterRequest.response()?.status == 200)

            let head = Array(Self.create(headers: [("User-Agent", String(repeating: "slow", count: 50))]).utf8)
            let trickling = try await (0..<3).asyncMap { _ in try await RawConnection.open(port: port) }
            let tricklers = trickling.map { connection in
                Task {
                    var sent = 0
                    while sent < head.count, !connection.isClosedByServer {
                        do { try await connection.send([head[sent]]) } catch { break }
                        sent += 1
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    return sent
                }
            }
            try await Self.expectServing(port, "while connections trickle")
            for connection in silent + [afterRequest] + trickling {
                #expect(try await connection.closedByServer(within: .seconds(10)), "a connection outlived the idle timeout")
            }
            for trickler in tricklers {
                let sent = await trickler.value
                #expect(sent < head.count, "a trickled head of \(head.count) bytes was sent whole (\(sent)) before the server closed")
            }
            for connection in silent + [afterRequest] + trickling { await connection.close() }
            #expect(try ledger.head() == before)
            try await Self.expectServing(port, "after the idle timeout")
        }
    }

    /// With `maxConnections` 8, a ninth connection waits (in the listen backlog) until one of the
    /// others closes, and is then served; connections already served go on being served.
    @Test func connectionsOverTheLimitWaitUntilOneCloses() async throws {
        let limit = 8
        try await withRunningServer(configure: { $0.maxConnections = limit }) { port, _ in
            var held: [RawConnection] = []
            for _ in 0..<limit {
                let connection = try await RawConnection.open(port: port)
                try await connection.send(RawConnection.request("GET", "/health"))
                #expect(try await connection.response()?.status == 200)
                held.append(connection)
            }
            let waiting = try await RawConnection.open(port: port)
            try await waiting.send(RawConnection.request("GET", "/health"))
            await #expect(throws: RawConnection.Timeout.self, "served over the limit") { try await waiting.response(within: .seconds(1)) }
            try await held[0].send(RawConnection.request("GET", "/health"))
            #expect(try await held[0].response()?.status == 200, "a held connection is no longer served")
            await held.removeLast().close()
            #expect(try await waiting.response(within: .seconds(10))?.status == 200, "not served after a connection closed")
            for connection in held + [waiting] { await connection.close() }
        }
    }
}

extension Sequence {
    /// `map` with an asynchronous transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
