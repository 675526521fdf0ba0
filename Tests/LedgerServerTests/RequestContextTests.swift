import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// Who, from where and under which request id: what every event of a request records. And
/// concurrent requests sharing commits.
@Suite("Request context and concurrency")
struct RequestContextTests {
    static let agent = "ledger-server-tests/1.0 (swift-testing)"

    @Test func anIncomingRequestIdIsEchoedAndRecorded() async throws {
        try await withTestServer { server in
            let before = try server.ledger.head()
            let response = try await server.post(
                "/api/3.0/mlflow/workspaces", #"{"name": "team-a"}"#,
                headers: [requestIDHeader: "abc-123", .userAgent: Self.agent])
            #expect(response.status == .created)
            #expect(response.headers[requestIDHeader] == "abc-123")
            let events = try server.events(after: before)
            try #require(events.count == 1)
            let event = events[0]
            #expect(event.requestID == "abc-123")
            #expect(event.actor == "anonymous")
            // The router test channel has no peer address: the server records "unknown".
            #expect(event.source == .http(remoteAddress: "unknown", userAgent: Self.agent))
        }
    }

    @Test func everyEventOfEveryKindOfRequestRecordsTheContext() async throws {
        try await withTestServer { server in
            let start = try server.ledger.head()
            var index = 0
            func send(_ method: HTTPRequest.Method, _ path: String, _ json: String, workspace: String? = "team-a") async throws -> TestResponse {
                index += 1
                let response = try await server.send(method, path, json: json, workspace: workspace,
                                                     headers: [requestIDHeader: "req-\(index)", .userAgent: "agent-\(index)"])
                #expect(response.status.code < 300, "\(path): \(response.text)")
                #expect(response.headers[requestIDHeader] == "req-\(index)")
                return response
            }
            _ = try await send(.post, "/api/3.0/mlflow/workspaces", #"{"name": "team-a"}"#, workspace: nil)
            _ = try await send(.patch, "/api/3.0/mlflow/workspaces/team-a", #"{"description": "A"}"#, workspace: nil)
            let id = try await send(.post, "/api/2.0/mlflow/experiments/create", #"{"name": "exp"}"#).json()["experiment_id"] as! String
            _ = try await send(.post, "/api/2.0/mlflow/experiments/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k", "value": "v"}"#)
            let run = try await send(.post, "/api/2.0/mlflow/runs/create", #"{"experiment_id": "\#(id)"}"#).json()
            let runID = try run.object("run").object("info")["run_id"] as! String
            _ = try await send(.post, "/api/2.0/mlflow/runs/log-batch", #"{"run_id": "\#(runID)", "params": [{"key": "p", "value": "1"}]}"#)
            _ = try await send(.post, "/api/2.0/mlflow/runs/update", #"{"run_id": "\#(runID)", "status": "FINISHED"}"#)
            _ = try await send(.post, "/api/2.0/mlflow/registered-models/create", #"{"name": "m"}"#)
            _ = try await send(.patch, "/api/2.0/mlflow/registered-models/update", #"{"name": "m", "description": "d"}"#)
            _ = try await send(.delete, "/api/3.0/mlflow/workspaces/team-a?mode=CASCADE", "{}", workspace: nil)

            let events = try server.events(after: start)
            #expect(events.count >= index)
            var seen = Set<String>()
            for event in events {
                #expect(event.actor == "anonymous")
                let number = try #require(event.requestID.split(separator: "-").last.flatMap { Int($0) }, "\(event.requestID)")
                #expect(event.requestID == "req-\(number)")
                #expect(event.source == .http(remoteAddress: "unknown", userAgent: "agent-\(number)"))
                seen.insert(event.requestID)
            }
            #expect(seen.count == index, "every request appended at least one event")
            // CASCADE appends several events, all under the one request.
            #expect(events.filter { $0.requestID == "req-\(index)" }.count > 1)
        }
    }

    @Test func withoutTheHeaderAFreshIdIsMadeAndEchoed() async throws {
        try await withTestServer { server in
            var ids: [String] = []
            for name in ["exp-1", "exp-2"] {
                let before = try server.ledger.head()
                let response = try await server.post("/api/2.0/mlflow/experiments/create", #"{"name": "\#(name)"}"#)
                #expect(response.status == .ok)
                let id = try #require(response.headers[requestIDHeader])
                #expect(!id.isEmpty)
                #expect(try server.events(after: before).map(\.requestID) == [id])
                // Without a User-Agent header the agent is recorded empty.
                #expect(try server.events(after: before).map(\.source) == [.http(remoteAddress: "unknown", userAgent: "")])
                ids.append(id)
            }
            #expect(ids[0] != ids[1])
            #expect(ids.allSatisfy { UUID(uuidString: $0) != nil })
        }
    }

    @Test(arguments: ["", String(repeating: "r", count: 129)])
    func anUnusableIncomingIdIsReplaced(_ incoming: String) async throws {
        try await withTestServer { server in
            let before = try server.ledger.head()
            let response = try await server.post("/api/2.0/mlflow/experiments/create", #"{"name": "exp"}"#, headers: [requestIDHeader: incoming])
            #expect(response.status == .ok)
            let id = try #require(response.headers[requestIDHeader])
            #expect(id != incoming)
            #expect(UUID(uuidString: id) != nil)
            #expect(try server.events(after: before).map(\.requestID) == [id])
        }
    }

    @Test func refusalsAndOtherResponsesEchoTheIdToo() async throws {
        try await withTestServer { server in
            let refused = try await server.post("/api/2.0/mlflow/experiments/create", "{oops", headers: [requestIDHeader: "bad-1"])
            #expect(refused.status == .badRequest)
            #expect(refused.headers[requestIDHeader] == "bad-1")
            let missing = try await server.get("/api/2.0/mlflow/experiments/get?experiment_id=77", headers: [requestIDHeader: "bad-2"])
            #expect(missing.status == .notFound)
            #expect(missing.headers[requestIDHeader] == "bad-2")
            let health = try await server.get("/health", headers: [requestIDHeader: "ok-1"])
            #expect(health.headers[requestIDHeader] == "ok-1")
            let fresh = try await server.get("/api/3.0/mlflow/server-info")
            #expect(fresh.headers[requestIDHeader] != nil)
        }
    }

    // MARK: Concurrency

    @Test func fiftyConcurrentCreatesAllSucceedAndShareCommits() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let before = try server.ledger.head()
            let count = 50
            let results = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status, String?).self) { group in
                for index in 0..<count {
                    group.addTask {
                        let response = try await server.post(
                            "/api/2.0/mlflow/experiments/create", #"{"name": "concurrent-\#(index)"}"#,
                            workspace: "team-a", headers: [requestIDHeader: "concurrent-\(index)"])
                        return (index, response.status, try? response.json()["experiment_id"] as? String)
                    }
                }
                var results: [(Int, HTTPResponse.Status, String?)] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(results.count == count)
            #expect(results.allSatisfy { $0.1 == .ok })
            let ids = Set(results.compactMap(\.2))
            #expect(ids.count == count, "every request got its own experiment id")

            let events = try server.events(after: before)
            #expect(events.count == count, "exactly one event per request")
            #expect(events.allSatisfy { $0.type == .experimentCreated && $0.workspace == "team-a" && $0.actor == "anonymous" })
            #expect(events.map(\.sequence) == Array(before.sequence + 1 ... before.sequence + UInt64(count)), "no gaps")
            #expect(Set(events.map(\.requestID)) == Set((0..<count).map { "concurrent-\($0)" }))
            #expect(try server.ledger.head().sequence == before.sequence + UInt64(count))
            // Every commit stamps its events with one time: fewer distinct times than events
            // means commits were shared. Sharing is likely but not guaranteed, so only bound it.
            let commits = Set(events.map(\.timestamp)).count
            #expect((1...count).contains(commits))

            let search = try await server.post("/api/2.0/mlflow/experiments/search", #"{"max_results": 1000}"#, workspace: "team-a").json()
            #expect(try search.objects("experiments").count == count)
        }
    }

    @Test func concurrentDuplicatesCreateExactlyOne() async throws {
        try await withTestServer { server in
            let before = try server.ledger.head()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await server.post("/api/3.0/mlflow/workspaces", #"{"name": "raced"}"#).status }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.filter { $0 == .created }.count == 1)
            #expect(statuses.filter { $0 == .badRequest }.count == 19)
            #expect(try server.events(after: before).map(\.type) == [.workspaceCreated])
        }
    }
}
