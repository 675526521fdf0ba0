import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// `/api/2.0/mlflow/runs/...` and `metrics/get-history`.
@Suite("Run routes")
struct RunRouteTests {
    static let base = "/api/2.0/mlflow/runs"

    /// Workspace team-a with one experiment; returns its id.
    static func seed(_ server: TestServer) async throws -> String {
        try await server.createWorkspace("team-a")
        return try await server.createExperiment("exp", workspace: "team-a")
    }

    static func run(_ server: TestServer, _ runID: String, workspace: String? = "team-a", uuid: Bool = false) async throws -> [String: Any] {
        let response = try await server.get("\(base)/get?\(uuid ? "run_uuid" : "run_id")=\(runID)", workspace: workspace)
        try #require(response.status == .ok, "\(response.text)")
        return try response.json().object("run")
    }

    @Test func createAnswersTheRunInMLflowShape() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let before = try server.ledger.head()
            let body = #"{"experiment_id": "\#(experimentID)", "user_id": "ana", "start_time": 1700000000000, "run_name": "first", "tags": [{"key": "mlflow.user", "value": "ana"}, {"key": "mlflow.source.type", "value": "LOCAL"}]}"#
            let response = try await server.post("\(Self.base)/create", body, workspace: "team-a")
            #expect(response.status == .ok, "\(response.text)")
            let run = try response.json().object("run")
            #expect(run.sortedKeys == ["data", "info", "inputs"])
            let info = try run.object("info")
            #expect(info.sortedKeys == ["artifact_uri", "experiment_id", "lifecycle_stage", "run_id", "run_name", "run_uuid", "start_time", "status", "user_id"],
                    "no end_time before the run ends")
            let runID = try #require(info["run_id"] as? String)
            #expect(info["run_uuid"] as? String == runID)
            #expect(info["experiment_id"] as? String == experimentID)
            #expect(info["run_name"] as? String == "first")
            #expect(info["user_id"] as? String == "ana")
            #expect(info["status"] as? String == "RUNNING")
            #expect(info["start_time"] as? Int64 == 1_700_000_000_000)
            #expect(info["lifecycle_stage"] as? String == "active")
            #expect(info["artifact_uri"] as? String == "/srv/artifacts/workspaces/team-a/\(experimentID)/\(runID)/artifacts")
            let data = try run.object("data")
            #expect(data.sortedKeys == ["tags"], "empty params and metrics are omitted")
            #expect(keyValues(try data.objects("tags")) == ["mlflow.user": "ana", "mlflow.source.type": "LOCAL"])
            #expect(try server.events(after: before).map(\.type) == [.runCreated])
        }
    }

    @Test func createWithoutANameDrawsOne() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let response = try await server.post("/ajax-api/2.0/mlflow/runs/create", #"{"experiment_id": "\#(experimentID)"}"#, workspace: "team-a")
            #expect(response.status == .ok)
            let info = try response.json().object("run").object("info")
            #expect(!(info["run_name"] as? String ?? "").isEmpty)
            #expect(try response.json().object("run").object("data").sortedKeys == [])
        }
    }

    @Test func getByRunIdOrRunUuid() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a", runName: "r")
            for uuid in [false, true] {
                let run = try await Self.run(server, runID, uuid: uuid)
                #expect(try run.object("info")["run_id"] as? String == runID)
                #expect(try run.object("info")["run_name"] as? String == "r")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "run_id") {
                try await $0.get("\(Self.base)/get", workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await $0.get("\(Self.base)/get?run_id=0123456789abcdef0123456789abcdef", workspace: "team-a")
            }
        }
    }

    @Test func updateEndsTheRun() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            let body = #"{"run_id": "\#(runID)", "run_uuid": "\#(runID)", "status": "FINISHED", "end_time": 1700000009999}"#
            let response = try await server.post("\(Self.base)/update", body, workspace: "team-a")
            #expect(response.status == .ok, "\(response.text)")
            let info = try response.json().object("run_info")
            #expect(info["status"] as? String == "FINISHED")
            #expect(info["end_time"] as? Int64 == 1_700_000_009_999)
            #expect(info["run_id"] as? String == runID)
            // By number too, and a new name.
            let renamed = try await server.post("\(Self.base)/update", #"{"run_id": "\#(runID)", "status": 4, "run_name": "renamed"}"#, workspace: "team-a")
            #expect(renamed.status == .ok, "\(renamed.text)")
            let run = try await Self.run(server, runID)
            #expect(try run.object("info")["status"] as? String == "FAILED")
            #expect(try run.object("info")["run_name"] as? String == "renamed")
        }
    }

    @Test(arguments: [
        (#""status": "DONE""#, "status"),
        (#""status": "finished""#, "status"),
        (#""status": 9"#, "status"),
        (#""status": null"#, "status"),
        (#""status": ["FINISHED"]"#, "status"),
        (#""end_time": "later""#, "end_time"),
        (#""end_time": 1.5"#, "end_time"),
        (#""run_name": 3"#, "run_name"),
    ])
    func updateRefusesABadField(_ field: String, _ naming: String) async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.post("\(Self.base)/update", #"{"run_id": "\#(runID)", \#(field)}"#, workspace: "team-a")
            }
        }
    }

    @Test func deleteAndRestore() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            let deleted = try await server.post("\(Self.base)/delete", #"{"run_id": "\#(runID)"}"#, workspace: "team-a")
            #expect(deleted.status == .ok)
            #expect(deleted.text == "{}")
            #expect(try await Self.run(server, runID).object("info")["lifecycle_stage"] as? String == "deleted")
            // A deleted run takes no data.
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "active") {
                try await $0.post("\(Self.base)/log-parameter", #"{"run_id": "\#(runID)", "key": "k", "value": "v"}"#, workspace: "team-a")
            }
            let restored = try await server.post("\(Self.base)/restore", #"{"run_id": "\#(runID)"}"#, workspace: "team-a")
            #expect(restored.status == .ok)
            #expect(try await Self.run(server, runID).object("info")["lifecycle_stage"] as? String == "active")
        }
    }

    @Test func logParameterMetricAndBatch() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            let before = try server.ledger.head()
            let param = try await server.post("\(Self.base)/log-parameter", #"{"run_id": "\#(runID)", "run_uuid": "\#(runID)", "key": "learning_rate", "value": "0.01"}"#, workspace: "team-a")
            #expect(param.status == .ok)
            #expect(param.text == "{}")
            let metric = try await server.post("\(Self.base)/log-metric", #"{"run_id": "\#(runID)", "key": "accuracy", "value": 0.95, "timestamp": 1700000000000, "step": 0}"#, workspace: "team-a")
            #expect(metric.status == .ok)
            #expect(metric.text == "{}")
            let batch = #"""
            {"run_id": "\#(runID)",
             "metrics": [{"key": "accuracy", "value": 0.97, "timestamp": 1700000001000, "step": 1}, {"key": "loss", "value": 3, "timestamp": "1700000001000"}],
             "params": [{"key": "epochs", "value": "10"}],
             "tags": [{"key": "phase", "value": "train"}]}
            """#
            let logged = try await server.post("\(Self.base)/log-batch", batch, workspace: "team-a")
            #expect(logged.status == .ok, "\(logged.text)")
            #expect(try server.events(after: before).map(\.type) == [.runDataLogged, .runDataLogged, .runDataLogged])

            let data = try await Self.run(server, runID).object("data")
            #expect(keyValues(try data.objects("params")) == ["learning_rate": "0.01", "epochs": "10"])
            #expect(keyValues(try data.objects("tags")) == ["phase": "train"])
            let metrics = try data.objects("metrics")
            let accuracy = try #require(metrics.first { $0["key"] as? String == "accuracy" })
            #expect(accuracy["value"] as? Double == 0.97, "the latest value")
            #expect(accuracy["step"] as? Int64 == 1)
            #expect(accuracy["timestamp"] as? Int64 == 1_700_000_001_000)
            let loss = try #require(metrics.first { $0["key"] as? String == "loss" })
            #expect(loss["value"] as? Double == 3)
            #expect(loss["step"] as? Int64 == 0)
        }
    }

    @Test func metricHistory() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            for step in 0..<3 {
                let body = #"{"run_id": "\#(runID)", "key": "loss", "value": \#(1.0 / Double(step + 1)), "timestamp": \#(1_700_000_000_000 + step), "step": \#(step)}"#
                #expect(try await server.post("\(Self.base)/log-metric", body, workspace: "team-a").status == .ok)
            }
            let response = try await server.get("/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=loss", workspace: "team-a")
            #expect(response.status == .ok)
            let history = try response.json().objects("metrics")
            #expect(history.compactMap { $0["step"] as? Int64 } == [0, 1, 2])
            #expect(history.compactMap { $0["value"] as? Double } == [1.0, 0.5, 1.0 / 3.0])
            #expect(history.allSatisfy { $0["key"] as? String == "loss" })
            #expect(history.first?.sortedKeys == ["key", "step", "timestamp", "value"])

            let none = try await server.get("/ajax-api/2.0/mlflow/metrics/get-history?run_uuid=\(runID)&metric_key=nothing", workspace: "team-a")
            #expect(none.status == .ok)
            #expect(none.text == "{}")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "metric_key") {
                try await $0.get("/api/2.0/mlflow/metrics/get-history?run_id=\(runID)", workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await $0.get("/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=loss") // default
            }
        }
    }

    @Test func setAndDeleteTag() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            let set = try await server.post("\(Self.base)/set-tag", #"{"run_id": "\#(runID)", "key": "stage", "value": "dev"}"#, workspace: "team-a")
            #expect(set.status == .ok)
            #expect(set.text == "{}")
            #expect(keyValues(try await Self.run(server, runID).object("data").objects("tags")) == ["stage": "dev"])
            let deleted = try await server.post("\(Self.base)/delete-tag", #"{"run_id": "\#(runID)", "key": "stage"}"#, workspace: "team-a")
            #expect(deleted.status == .ok)
            #expect(try await Self.run(server, runID).object("data")["tags"] == nil)
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "stage") {
                try await $0.post("\(Self.base)/delete-tag", #"{"run_id": "\#(runID)", "key": "stage"}"#, workspace: "team-a")
            }
        }
    }

    @Test func searchRunsOfTheWorkspace() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            var runIDs: [String] = []
            for index in 0..<3 { runIDs.append(try await server.createRun(experimentID: experimentID, workspace: "team-a", startTime: 1_700_000_000_000 + Int64(index))) }
            _ = try await server.post("\(Self.base)/delete", #"{"run_id": "\#(runIDs[0])"}"#, workspace: "team-a")

            func ids(_ response: TestResponse) throws -> [String] {
                let body = try response.json()
                guard body["runs"] != nil else { return [] }
                return try body.objects("runs").compactMap { try $0.object("info")["run_id"] as? String }
            }
            let active = try await server.post("\(Self.base)/search", #"{"experiment_ids": ["\#(experimentID)"]}"#, workspace: "team-a")
            #expect(active.status == .ok)
            #expect(try ids(active) == [runIDs[2], runIDs[1]], "newest first, deleted left out")

            let all = try await server.post("\(Self.base)/search", #"{"experiment_ids": ["\#(experimentID)"], "run_view_type": "ALL"}"#, workspace: "team-a")
            #expect(try ids(all) == [runIDs[2], runIDs[1], runIDs[0]])
            let deleted = try await server.post("\(Self.base)/search", #"{"experiment_ids": ["\#(experimentID)"], "run_view_type": "DELETED_ONLY"}"#, workspace: "team-a")
            #expect(try ids(deleted) == [runIDs[0]])

            // Paging.
            let first = try await server.post("\(Self.base)/search", #"{"experiment_ids": ["\#(experimentID)"], "run_view_type": "ALL", "max_results": 2}"#, workspace: "team-a")
            #expect(try ids(first) == [runIDs[2], runIDs[1]])
            let token = try #require(try first.json()["next_page_token"] as? String)
            let second = try await server.post("\(Self.base)/search", #"{"experiment_ids": ["\#(experimentID)"], "run_view_type": "ALL", "max_results": 2, "page_token": "\#(token)"}"#, workspace: "team-a")
            #expect(try ids(second) == [runIDs[0]])
            #expect(try second.json()["next_page_token"] == nil)

            // Experiments of other workspaces are ignored; nothing found is `{}`.
            let elsewhere = try await server.post("\(Self.base)/search", #"{"experiment_ids": ["\#(experimentID)"]}"#)
            #expect(elsewhere.status == .ok)
            #expect(elsewhere.text == "{}")
        }
    }

    @Test(arguments: [
        (#"{"experiment_ids": ["1"], "filter": "metrics.loss < 1"}"#, "filter"),
        (#"{"experiment_ids": "1", "run_view_type": "SOME"}"#, "run_view_type"),
        (#"{"experiment_ids": [{"id": 1}]}"#, "experiment_ids"),
        (#"{"experiment_ids": 1}"#, "experiment_ids"),
        (#"{"experiment_ids": ["1"], "max_results": 0}"#, "max_results"),
        (#"{"experiment_ids": ["1"], "page_token": "Ag"}"#, "page_token"),
    ])
    func searchRefusesBadParameters(_ body: String, _ naming: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.post("\(Self.base)/search", body)
            }
        }
    }

    /// Each write route with a body that lacks or mistypes a field: 400 naming it, nothing written.
    @Test(arguments: [
        ("create", #"{}"#, "experiment_id"),
        ("create", #"{"experiment_id": "{exp}", "start_time": "soon"}"#, "start_time"),
        ("create", #"{"experiment_id": "{exp}", "user_id": 7}"#, "user_id"),
        ("create", #"{"experiment_id": "{exp}", "run_name": null}"#, "run_name"),
        ("create", #"{"experiment_id": "{exp}", "tags": [{"key": "k", "value": 1}]}"#, "tags[0].value"),
        ("update", #"{"status": "FINISHED"}"#, "run_id"),
        ("update", #"{"run_id": 12, "status": "FINISHED"}"#, "run_id"),
        ("delete", #"{}"#, "run_id"),
        ("restore", #"{"run_id": null}"#, "run_id"),
        ("log-parameter", #"{"run_id": "{run}", "key": "k"}"#, "value"),
        ("log-parameter", #"{"run_id": "{run}", "key": "k", "value": 0.01}"#, "value"),
        ("log-parameter", #"{"run_id": "{run}", "value": "v"}"#, "key"),
        ("log-metric", #"{"run_id": "{run}", "key": "m", "timestamp": 1}"#, "value"),
        ("log-metric", #"{"run_id": "{run}", "key": "m", "value": "high", "timestamp": 1}"#, "value"),
        ("log-metric", #"{"run_id": "{run}", "key": "m", "value": null, "timestamp": 1}"#, "value"),
        ("log-metric", #"{"run_id": "{run}", "key": "m", "value": 1}"#, "timestamp"),
        ("log-metric", #"{"run_id": "{run}", "value": 1, "timestamp": 1}"#, "key"),
        ("log-metric", #"{"run_id": "{run}", "key": "m", "value": 1, "timestamp": 1, "step": 0.5}"#, "step"),
        ("log-batch", #"{"run_id": "{run}", "metrics": [{"key": "m", "value": 1}]}"#, "metrics[0].timestamp"),
        ("log-batch", #"{"run_id": "{run}", "metrics": [{"value": 1, "timestamp": 1}]}"#, "metrics[0].key"),
        ("log-batch", #"{"run_id": "{run}", "metrics": {"key": "m"}}"#, "metrics"),
        ("log-batch", #"{"run_id": "{run}", "params": [{"key": "p", "value": "1"}, {"key": "p", "value": "2"}]}"#, "'p'"),
        ("log-batch", #"{"run_id": "{run}", "params": [{"key": "p"}]}"#, "params[0].value"),
        ("log-batch", #"{"run_id": "{run}", "tags": [7]}"#, "tags[0]"),
        ("set-tag", #"{"run_id": "{run}", "key": "k", "value": null}"#, "value"),
        ("set-tag", #"{"run_id": "{run}", "value": "v"}"#, "key"),
        ("delete-tag", #"{"run_id": "{run}"}"#, "key"),
    ])
    func writeRoutesRefuseABadField(_ route: String, _ template: String, _ naming: String) async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            let body = template.replacingOccurrences(of: "{exp}", with: experimentID).replacingOccurrences(of: "{run}", with: runID)
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.post("\(Self.base)/\(route)", body, workspace: "team-a")
            }
        }
    }

    @Test func changingAParamValueIsRefused() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            #expect(try await server.post("\(Self.base)/log-parameter", #"{"run_id": "\#(runID)", "key": "lr", "value": "0.1"}"#, workspace: "team-a").status == .ok)
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "lr") {
                try await $0.post("\(Self.base)/log-parameter", #"{"run_id": "\#(runID)", "key": "lr", "value": "0.2"}"#, workspace: "team-a")
            }
        }
    }

    @Test func aRunInADeletedExperimentIsRefusedWith409() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            _ = try await server.post("/api/2.0/mlflow/experiments/delete", #"{"experiment_id": "\#(experimentID)"}"#, workspace: "team-a")
            try await server.expectRefusal(.conflict, "INVALID_STATE", naming: "deleted") {
                try await $0.post("\(Self.base)/create", #"{"experiment_id": "\#(experimentID)"}"#, workspace: "team-a")
            }
        }
    }

    @Test func runsOfAnotherWorkspaceAreNotFound() async throws {
        try await withTestServer { server in
            let experimentID = try await Self.seed(server)
            try await server.createWorkspace("team-b")
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            // Experiment 0 is default's; a plain start_run() elsewhere is 404.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "No Experiment with id=0 exists") {
                try await $0.post("\(Self.base)/create", #"{"experiment_id": "0"}"#, workspace: "team-b")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await $0.post("\(Self.base)/create", #"{"experiment_id": "\#(experimentID)"}"#, workspace: "team-b")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await $0.get("\(Self.base)/get?run_id=\(runID)", workspace: "team-b")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await $0.get("/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=m", workspace: "team-b")
            }
            let writes: [(String, String)] = [
                ("update", #"{"run_id": "\#(runID)", "status": "KILLED"}"#),
                ("delete", #"{"run_id": "\#(runID)"}"#),
                ("restore", #"{"run_id": "\#(runID)"}"#),
                ("log-parameter", #"{"run_id": "\#(runID)", "key": "k", "value": "v"}"#),
                ("log-metric", #"{"run_id": "\#(runID)", "key": "k", "value": 1, "timestamp": 1}"#),
                ("log-batch", #"{"run_id": "\#(runID)", "params": [{"key": "k", "value": "v"}]}"#),
                ("set-tag", #"{"run_id": "\#(runID)", "key": "k", "value": "v"}"#),
                ("delete-tag", #"{"run_id": "\#(runID)", "key": "k"}"#),
            ]
            for (route, body) in writes {
                try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                    try await $0.post("\(Self.base)/\(route)", body, workspace: "team-b")
                }
            }
        }
    }
}
