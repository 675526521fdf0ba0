import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// The real server (`buildApplication`) on a free port, over a socket.
@Suite("Live server")
struct LiveServerTests {
    @Test func aWorkspaceFlowOverASocket() async throws {
        try await withTestServer(live: true) { server in
            #expect(server.client.port != nil)
            let created = try await server.post("/api/3.0/mlflow/workspaces", #"{"name": "live-ws", "description": "over TCP"}"#,
                                                headers: [requestIDHeader: "live-1", .userAgent: "live-test"])
            #expect(created.status == .created)
            #expect(created.headers[requestIDHeader] == "live-1")
            #expect(created.text == #"{"workspace":{"name":"live-ws","description":"over TCP"}}"#)

            let before = try server.ledger.head()
            let experiment = try await server.post("/api/2.0/mlflow/experiments/create", #"{"name": "live-exp"}"#, workspace: "live-ws",
                                                   headers: [.userAgent: "live-test"])
            #expect(experiment.status == .ok)
            let id = try #require(try experiment.json()["experiment_id"] as? String)
            let event = try #require(try server.events(after: before).first)
            #expect(event.workspace == "live-ws")
            #expect(event.actor == "anonymous")
            guard case .http(let address, let agent) = event.source else {
                Issue.record("not an HTTP source: \(event.source)")
                return
            }
            #expect(agent == "live-test")
            #expect(["127.0.0.1", "::1"].contains(address), "the peer address is recorded: \(address)")

            let fetched = try await server.get("/ajax-api/2.0/mlflow/experiments/get?experiment_id=\(id)", workspace: "live-ws")
            #expect(fetched.status == .ok)
            let body = try fetched.json().object("experiment")
            #expect(body["name"] as? String == "live-exp")
            #expect(body["workspace"] as? String == "live-ws")
            #expect(body["artifact_location"] as? String == "/srv/artifacts/workspaces/live-ws/\(id)")

            // Another workspace does not see it.
            let hidden = try await server.get("/api/2.0/mlflow/experiments/get?experiment_id=\(id)")
            #expect(hidden.status == .notFound)
            #expect(try hidden.json()["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")
            // An unknown workspace header.
            let unknown = try await server.get("/api/2.0/mlflow/experiments/get?experiment_id=\(id)", workspace: "nope-x")
            #expect(unknown.status == .notFound)
            // An unknown route.
            #expect(try await server.get("/api/2.0/mlflow/nothing-here").status == .notFound)
            #expect(try await server.get("/health").status == .ok)
        }
    }
}
