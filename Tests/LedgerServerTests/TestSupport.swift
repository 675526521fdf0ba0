import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Logging
import NIOCore
import ServiceLifecycle
import Testing
@testable import LedgerServer

/// A logger that stays quiet: one info line per request would bury the test output.
let quietLogger: Logger = {
    var logger = Logger(label: "ledger-server-tests")
    logger.logLevel = .critical
    return logger
}()

let workspaceHeader = HTTPField.Name("X-MLFLOW-WORKSPACE")!
let requestIDHeader = HTTPField.Name("X-Request-Id")!

/// A server under test: the ledger behind it and a client that sends requests to it.
struct TestServer: Sendable {
    let ledger: Ledger
    let client: any TestClientProtocol

    /// Sends one request. `json` is sent as the body with `Content-Type: application/json`
    /// unless `contentType` says otherwise (`nil` sends no Content-Type at all).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ path: String, json: String? = nil, bytes: [UInt8]? = nil,
        contentType: String? = "application/json", workspace: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let workspace { headers[workspaceHeader] = workspace }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(string: json) }
        if let bytes { body = ByteBuffer(bytes: bytes) }
        if body != nil, let contentType, headers[.contentType] == nil { headers[.contentType] = contentType }
        return try await client.executeRequest(uri: path, method: method, headers: headers, body: body)
    }

    @discardableResult
    func post(_ path: String, _ json: String, workspace: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(.post, path, json: json, workspace: workspace, headers: headers)
    }

    @discardableResult
    func get(_ path: String, workspace: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(.get, path, workspace: workspace, headers: headers)
    }

    @discardableResult
    func patch(_ path: String, _ json: String, workspace: String? = nil) async throws -> TestResponse {
        try await send(.patch, path, json: json, workspace: workspace)
    }

    @discardableResult
    func delete(_ path: String, _ json: String? = nil, workspace: String? = nil) async throws -> TestResponse {
        try await send(.delete, path, json: json, workspace: workspace)
    }

    // MARK: Fixtures made through the API

    /// Creates workspace `name` (expects 201).
    func createWorkspace(_ name: String, description: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var body: [String: Any] = ["name": name]
        if let description { body["description"] = description }
        let response = try await post("/api/3.0/mlflow/workspaces", jsonText(body))
        try #require(response.status == .created, "create workspace \(name): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }

    /// Creates experiment `name` in `workspace` and returns its id (expects 200).
    func createExperiment(_ name: String, workspace: String? = nil, tags: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        var body: [String: Any] = ["name": name]
        if !tags.isEmpty { body["tags"] = tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] } }
        let response = try await post("/api/2.0/mlflow/experiments/create", jsonText(body), workspace: workspace)
        try #require(response.status == .ok, "create experiment \(name): \(response.status) \(response.text)", sourceLocation: sourceLocation)
        return try #require(try response.json()["experiment_id"] as? String, sourceLocation: sourceLocation)
    }

    /// Starts a run in experiment `experimentID` and returns its id (expects 200).
    func createRun(experimentID: String, workspace: String? = nil, runName: String? = nil, startTime: Int64? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        var body: [String: Any] = ["experiment_id": experimentID, "user_id": "tester"]
        if let runName { body["run_name"] = runName }
        if let startTime { body["start_time"] = startTime }
        let response = try await post("/api/2.0/mlflow/runs/create", jsonText(body), workspace: workspace)
        try #require(response.status == .ok, "create run: \(response.status) \(response.text)", sourceLocation: sourceLocation)
        let run = try #require(try response.json()["run"] as? [String: Any], sourceLocation: sourceLocation)
        let info = try #require(run["info"] as? [String: Any], sourceLocation: sourceLocation)
        return try #require(info["run_id"] as? String, sourceLocation: sourceLocation)
    }

    /// Creates registered model `name` in `workspace` (expects 200).
    func createModel(_ name: String, workspace: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await post("/api/2.0/mlflow/registered-models/create", jsonText(["name": name]), workspace: workspace)
        try #require(response.status == .ok, "create model \(name): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }

    // MARK: The log

    /// The events appended after `head`.
    func events(after head: LogHead) throws -> [RecordedEvent] {
        try ledger.events(from: head.sequence + 1, limit: 100_000)
    }

    /// The last event of the log.
    func lastEvent() throws -> RecordedEvent {
        let head = try ledger.head()
        return try #require(try ledger.events(from: head.sequence, limit: 1).first)
    }

    // MARK: Refusals

    /// Sends a request that must be refused with `status` and `errorCode`, the log head
    /// (sequence, time and hash) unchanged, and a message containing `naming` when given.
    /// Returns the error body.
    @discardableResult
    func expectRefusal(
        _ status: HTTPResponse.Status, _ errorCode: String, naming: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ send: (TestServer) async throws -> TestResponse
    ) async throws -> [String: Any] {
        let before = try ledger.head()
        let response = try await send(self)
        let after = try ledger.head()
        #expect(after == before, "a refused request moved the head from \(before) to \(after)", sourceLocation: sourceLocation)
        #expect(response.status == status, "expected \(status), got \(response.status): \(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
        let body = try response.json(sourceLocation: sourceLocation)
        #expect(body["error_code"] as? String == errorCode, "expected \(errorCode): \(response.text)", sourceLocation: sourceLocation)
        let message = body["message"] as? String ?? ""
        #expect(!message.isEmpty, "no message: \(response.text)", sourceLocation: sourceLocation)
        if let naming {
            #expect(message.contains(naming), "the message does not name \(naming): \(message)", sourceLocation: sourceLocation)
        }
        return body
    }
}

/// Runs `body` against a server over a new, non-durable ledger in a temporary directory
/// (default artifact root `/srv/artifacts`), removed afterwards. By default requests go straight
/// to the router (`.router`); `live` starts the real server on a free port (`buildApplication`).
func withTestServer(live: Bool = false, _ body: @escaping @Sendable (TestServer) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-server-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = Ledger.Configuration(directory: directory)
    configuration.durable = false
    configuration.defaultArtifactRoot = "/srv/artifacts"
    let ledger = try await Ledger(configuration: configuration)
    defer { ledger.close() }
    if live {
        let app = buildApplication(ledger: ledger, configuration: ServerConfiguration(host: "127.0.0.1", port: 0), logger: quietLogger)
        try await app.test(.live) { client in try await body(TestServer(ledger: ledger, client: client)) }
    } else {
        let app = Application(router: buildRouter(ledger: ledger), logger: quietLogger)
        try await app.test(.router) { client in try await body(TestServer(ledger: ledger, client: client)) }
    }
}

/// Runs `body` against the server as `ledger serve` runs it (`buildApplication`, on 127.0.0.1 and a
/// free port), over a new, non-durable ledger; `configure` changes the server's configuration.
///
/// Not HummingbirdTesting's `.live`: it rebuilds the application's configuration with
/// `ApplicationConfiguration.with(address:)`, which drops the connection limit, and it holds a
/// connection of its own.
func withRunningServer(configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
                       _ body: @escaping @Sendable (_ port: Int, _ ledger: Ledger) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-server-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var ledgerConfiguration = Ledger.Configuration(directory: directory)
    ledgerConfiguration.durable = false
    ledgerConfiguration.defaultArtifactRoot = "/srv/artifacts"
    let ledger = try await Ledger(configuration: ledgerConfiguration)
    defer { ledger.close() }
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = buildApplication(ledger: ledger, configuration: configuration, logger: quietLogger) { channel in
        portContinuation.yield(channel.localAddress?.port ?? 0)
        portContinuation.finish()
    }
    let services = ServiceGroup(configuration: .init(services: [app], logger: quietLogger))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { portContinuation.finish() } // a server that fails to start yields no port
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next(), "the server did not start")
        do {
            try await body(port, ledger)
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}

// MARK: JSON

/// JSON text of `object` (keys sorted, so that requests are reproducible).
func jsonText(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
    return String(decoding: data, as: UTF8.self)
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed])
        return try #require(object as? [String: Any], "not a JSON object: \(text)", sourceLocation: sourceLocation)
    }
}

extension Dictionary where Key == String, Value == Any {
    func object(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try #require(self[key] as? [String: Any], "no object '\(key)' in \(self)", sourceLocation: sourceLocation)
    }

    func objects(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(self[key] as? [[String: Any]], "no array of objects '\(key)' in \(self)", sourceLocation: sourceLocation)
    }

    /// The keys, sorted: to check exactly which fields a JSON object has.
    var sortedKeys: [String] { keys.sorted() }
}

/// `{"key": k, "value": v}` pairs as a dictionary.
func keyValues(_ items: [[String: Any]]) -> [String: String] {
    var result: [String: String] = [:]
    for item in items { if let key = item["key"] as? String, let value = item["value"] as? String { result[key] = value } }
    return result
}

/// Percent-encodes a query value.
func query(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}
