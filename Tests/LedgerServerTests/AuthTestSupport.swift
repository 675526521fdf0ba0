import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Logging
import NIOCore
import Testing
@testable import LedgerServer

/// PBKDF2 iterations for every password of the auth tests (the real default is 600,000).
let testHashRounds: UInt32 = 1_000

/// `Authorization: Basic base64(username:password)`.
func basicAuthorization(_ username: String, _ password: String) -> String {
    "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
}

/// One caller of an auth-enabled server: every request carries its HTTP Basic credentials
/// (or none, for `anonymous`).
struct AuthClient: Sendable {
    let server: TestServer
    let username: String
    /// `nil` sends no `Authorization` header at all.
    let authorization: String?

    init(server: TestServer, username: String, password: String?) {
        self.server = server
        self.username = username
        self.authorization = password.map { basicAuthorization(username, $0) }
    }

    init(server: TestServer, username: String, rawAuthorization: String?) {
        self.server = server
        self.username = username
        self.authorization = rawAuthorization
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, workspace: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        return try await server.send(method, path, json: json, workspace: workspace, headers: headers)
    }

    @discardableResult
    func get(_ path: String, workspace: String? = nil) async throws -> TestResponse {
        try await send(.get, path, workspace: workspace)
    }

    @discardableResult
    func post(_ path: String, _ json: String, workspace: String? = nil) async throws -> TestResponse {
        try await send(.post, path, json: json, workspace: workspace)
    }

    @discardableResult
    func patch(_ path: String, _ json: String, workspace: String? = nil) async throws -> TestResponse {
        try await send(.patch, path, json: json, workspace: workspace)
    }

    @discardableResult
    func delete(_ path: String, _ json: String? = nil, workspace: String? = nil) async throws -> TestResponse {
        try await send(.delete, path, json: json, workspace: workspace)
    }

    // MARK: Fixtures (expecting success)

    func createWorkspace(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await post("/api/3.0/mlflow/workspaces", jsonText(["name": name]))
        try #require(response.status == .created, "create workspace \(name): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }

    func createExperiment(_ name: String, workspace: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let response = try await post("/api/2.0/mlflow/experiments/create", jsonText(["name": name]), workspace: workspace)
        try #require(response.status == .ok, "create experiment \(name): \(response.status) \(response.text)", sourceLocation: sourceLocation)
        return try #require(try response.json()["experiment_id"] as? String, sourceLocation: sourceLocation)
    }

    func createRun(experimentID: String, workspace: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let response = try await post("/api/2.0/mlflow/runs/create", jsonText(["experiment_id": experimentID]), workspace: workspace)
        try #require(response.status == .ok, "create run: \(response.status) \(response.text)", sourceLocation: sourceLocation)
        let info = try response.json().object("run").object("info")
        return try #require(info["run_id"] as? String, sourceLocation: sourceLocation)
    }

    func createModel(_ name: String, workspace: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await post("/api/2.0/mlflow/registered-models/create", jsonText(["name": name]), workspace: workspace)
        try #require(response.status == .ok, "create model \(name): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }

    /// Grants `level` on workspace `name` to `username` (through the workspace permissions endpoint).
    func grantWorkspace(_ name: String, _ username: String, _ level: PermissionLevel, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await post("/api/3.0/mlflow/workspaces/\(name)/permissions", jsonText(["username": username, "permission": level.rawValue]))
        try #require(response.status == .ok, "grant \(level) on \(name) to \(username): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }

    /// Grants `level` on experiment `id` to `username`.
    func grantExperiment(_ id: String, _ username: String, _ level: PermissionLevel, workspace: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await post("/api/2.0/mlflow/experiments/permissions/create",
                                      jsonText(["experiment_id": id, "username": username, "permission": level.rawValue]), workspace: workspace)
        try #require(response.status == .ok, "grant \(level) on experiment \(id) to \(username): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }

    /// Grants `level` on registered model `name` to `username`.
    func grantModel(_ name: String, _ username: String, _ level: PermissionLevel, workspace: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await post("/api/2.0/mlflow/registered-models/permissions/create",
                                      jsonText(["name": name, "username": username, "permission": level.rawValue]), workspace: workspace)
        try #require(response.status == .ok, "grant \(level) on model \(name) to \(username): \(response.status) \(response.text)", sourceLocation: sourceLocation)
    }
}

/// A server with `--auth` over a fresh ledger holding one admin (`admin` / `admin-password`).
struct AuthServer: Sendable {
    static let adminName = "admin"
    static let adminPassword = "admin-password"

    let base: TestServer
    var ledger: Ledger { base.ledger }
    var admin: AuthClient { client(Self.adminName, Self.adminPassword) }
    /// Requests without any `Authorization` header.
    var anonymous: AuthClient { AuthClient(server: base, username: "", password: nil) }

    /// A client sending `username`'s credentials (`password` defaults to the one ``makeUser`` gives).
    func client(_ username: String, _ password: String? = nil) -> AuthClient {
        AuthClient(server: base, username: username, password: password ?? Self.password(of: username))
    }

    static func password(of username: String) -> String { "pw-\(username)-secret" }

    /// Creates a user through the library (fast hash) and returns a client for them.
    @discardableResult
    func makeUser(_ username: String, isAdmin: Bool = false) async throws -> AuthClient {
        _ = try await ledger.createUser(username: username, password: Self.password(of: username), isAdmin: isAdmin,
                                        hashRounds: testHashRounds, context: .system())
        return self.client(username)
    }

    /// See ``TestServer/expectRefusal(_:_:naming:sourceLocation:_:)``.
    @discardableResult
    func expectRefusal(
        _ status: HTTPResponse.Status, _ errorCode: String, naming: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ send: () async throws -> TestResponse
    ) async throws -> [String: Any] {
        try await base.expectRefusal(status, errorCode, naming: naming, sourceLocation: sourceLocation) { _ in try await send() }
    }
}

/// Like ``withTestServer(live:_:)`` with authentication on (`passwordHashRounds` 1,000) and an
/// admin created through the library. `logger` replaces the quiet logger (to capture log lines).
func withAuthServer(
    live: Bool = false, defaultWorkspacePermission: PermissionLevel? = nil, logger: Logger? = nil,
    _ body: @escaping @Sendable (AuthServer) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-auth-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var ledgerConfiguration = Ledger.Configuration(directory: directory)
    ledgerConfiguration.durable = false
    ledgerConfiguration.defaultArtifactRoot = "/srv/artifacts"
    let ledger = try await Ledger(configuration: ledgerConfiguration)
    defer { ledger.close() }
    _ = try await ledger.createUser(username: AuthServer.adminName, password: AuthServer.adminPassword, isAdmin: true,
                                    hashRounds: testHashRounds, context: .system())
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, authentication: true,
                                            defaultWorkspacePermission: defaultWorkspacePermission)
    configuration.passwordHashRounds = testHashRounds
    let logger = logger ?? quietLogger
    if live {
        let app = buildApplication(ledger: ledger, configuration: configuration, logger: logger)
        try await app.test(.live) { client in try await body(AuthServer(base: TestServer(ledger: ledger, client: client))) }
    } else {
        let app = Application(router: buildRouter(ledger: ledger, configuration: configuration), logger: logger)
        try await app.test(.router) { client in try await body(AuthServer(base: TestServer(ledger: ledger, client: client))) }
    }
}
