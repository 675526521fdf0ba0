import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// No client input may yield a 5xx: a batch of odd requests, every answer below 500, and the
/// server still serving afterwards.
@Suite("No 5xx for client input")
struct NoServerErrorTests {
    /// An unknown path or a wrong method answers MLflow's JSON, not an empty body.
    @Test(arguments: [
        (HTTPRequest.Method.get, "/api/2.0/mlflow/no-such-route"),
        (.put, "/api/3.0/mlflow/workspaces"),
        (.post, "/api/2.0/mlflow/experiments/get"),
    ])
    func unknownEndpointsAnswerEndpointNotFound(_ method: HTTPRequest.Method, _ path: String) async throws {
        try await withTestServer { server in
            let response = try await server.send(method, path, json: method == .get ? nil : "{}")
            #expect(response.status == .notFound)
            #expect(try response.json()["error_code"] as? String == "ENDPOINT_NOT_FOUND")
        }
    }

    struct Odd: Sendable {
        var label: String
        var method: HTTPRequest.Method
        var path: String
        var body: [UInt8]?
        var contentType: String? = "application/json"
        var workspace: String?
        var headers: HTTPFields = [:]
    }

    static func odd(_ label: String, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil,
                    contentType: String? = "application/json", workspace: String? = nil, headers: HTTPFields = [:]) -> Odd {
        Odd(label: label, method: method, path: path, body: body.map { Array($0.utf8) }, contentType: contentType, workspace: workspace, headers: headers)
    }

    static func odd(_ label: String, _ path: String, bytes: [UInt8]) -> Odd {
        Odd(label: label, method: .post, path: path, body: bytes)
    }

    /// Requests aimed at the workspace, experiment, run and model routes; `{exp}` and `{run}`
    /// stand for an experiment and a run of team-a.
    static func oddRequests() -> [Odd] {
        let deepArrays = String(repeating: "[", count: 10_000)
        let deepClosedArrays = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepObjects = String(repeating: #"{"a":"#, count: 10_000)
        let nestedField = #"{"name": "n", "tags": "# + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + "}"
        let nestedObjectField = #"{"name": "n", "description": "# + String(repeating: #"{"a":"#, count: 400) + "1" + String(repeating: "}", count: 400) + "}"
        let routes = ["/api/3.0/mlflow/workspaces", "/api/2.0/mlflow/experiments/create", "/api/2.0/mlflow/runs/log-batch",
                      "/api/2.0/mlflow/registered-models/create", "/api/2.0/mlflow/experiments/search"]
        var odds: [Odd] = []
        for route in routes {
            odds += [
                odd("10,000 [ at \(route)", .post, route, deepArrays),
                odd("10,000 closed [] at \(route)", .post, route, deepClosedArrays),
                odd("10,000 {\"a\": at \(route)", .post, route, deepObjects),
                odd("400-deep array field at \(route)", .post, route, nestedField),
                odd("400-deep object field at \(route)", .post, route, nestedObjectField),
                odd("double-encoded deep nesting at \(route)", .post, route, "\"" + String(repeating: "[", count: 10_000) + "\""),
                odd("invalid UTF-8 at \(route)", route, bytes: [0xFF, 0xFE, 0x7B, 0x7D]),
                odd("invalid UTF-8 inside a string at \(route)", route, bytes: Array(#"{"name": ""#.utf8) + [0xED, 0xA0, 0x80, 0xC0, 0xAF] + Array(#""}"#.utf8)),
                odd("NUL bytes at \(route)", route, bytes: [0x7B, 0x00, 0x7D]),
                odd("empty body with a content type at \(route)", .post, route, ""),
                odd("whitespace body at \(route)", .post, route, "   \n\t "),
                odd("huge number body at \(route)", .post, route, "1" + String(repeating: "0", count: 5000)),
                odd("wrong method PUT at \(route)", .put, route, "{}"),
                odd("wrong method OPTIONS at \(route)", .options, route),
                odd("wrong method HEAD at \(route)", .head, route),
                odd("BOM then JSON at \(route)", route, bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"name": "bom"}"#.utf8)),
                odd("a JSON number key at \(route)", .post, route, #"{1: 2}"#),
                odd("unicode escapes and lone surrogates at \(route)", .post, route, #"{"name": "\ud800\u0000x"}"#),
            ]
        }
        let experiments = "/api/2.0/mlflow/experiments"
        let runs = "/api/2.0/mlflow/runs"
        odds += [
            // Huge and odd numbers.
            odd("max_results 1e400", .post, "\(experiments)/search", #"{"max_results": 1e400}"#),
            odd("max_results -1", .post, "\(experiments)/search", #"{"max_results": -1}"#),
            odd("max_results Int64.max", .post, "\(experiments)/search", #"{"max_results": 9223372036854775807}"#),
            odd("max_results Int64.min", .post, "\(experiments)/search", #"{"max_results": -9223372036854775808}"#),
            odd("max_results past Int64", .post, "\(experiments)/search", #"{"max_results": 99999999999999999999999999}"#),
            odd("max_results query huge", .get, "\(experiments)/search?max_results=99999999999999999999999999"),
            odd("max_results query negative", .get, "/api/3.0/mlflow/workspaces?max_results=-9223372036854775808"),
            odd("models max_results Int64.max", .get, "/api/2.0/mlflow/registered-models/search?max_results=9223372036854775807"),
            odd("runs max_results -5", .post, "\(runs)/search", #"{"experiment_ids": ["{exp}"], "max_results": -5}"#),
            odd("experiment_id 1e30", .post, "\(experiments)/delete", #"{"experiment_id": 1e30}"#),
            odd("experiment_id past Int64", .post, "\(experiments)/delete", #"{"experiment_id": 99999999999999999999999999}"#),
            odd("experiment_id Int64.max", .get, "\(experiments)/get?experiment_id=9223372036854775807"),
            odd("experiment_id Int64.min", .get, "\(experiments)/get?experiment_id=-9223372036854775808"),
            odd("run create at Int64.min", .post, "\(runs)/create", #"{"experiment_id": "{exp}", "start_time": -9223372036854775808}"#),
            odd("run update end Int64.max", .post, "\(runs)/update", #"{"run_id": "{run}", "end_time": 9223372036854775807}"#),
            odd("metric at the extremes", .post, "\(runs)/log-metric", #"{"run_id": "{run}", "key": "m", "value": 1.7976931348623157e308, "timestamp": 9223372036854775807, "step": -9223372036854775808}"#),
            odd("metric at the other extremes", .post, "\(runs)/log-metric", #"{"run_id": "{run}", "key": "m", "value": -1.7976931348623157e308, "timestamp": -9223372036854775808, "step": 9223372036854775807}"#),
            odd("metric NaN and infinity", .post, "\(runs)/log-batch", #"{"run_id": "{run}", "metrics": [{"key": "n", "value": "NaN", "timestamp": 1}, {"key": "i", "value": "-Infinity", "timestamp": 2}, {"key": "t", "value": 5e-324, "timestamp": 3}]}"#),
            odd("metric value 1e400", .post, "\(runs)/log-metric", #"{"run_id": "{run}", "key": "m", "value": 1e400, "timestamp": 1}"#),
            odd("metric history after extremes", .get, "/api/2.0/mlflow/metrics/get-history?run_id={run}&metric_key=m"),
            odd("the run after extremes", .get, "\(runs)/get?run_id={run}"),
            odd("too many metrics in a batch", .post, "\(runs)/log-batch", #"{"run_id": "{run}", "metrics": ["# + (0..<1001).map { #"{"key": "k\#($0)", "value": 1, "timestamp": 1}"# }.joined(separator: ",") + "]}"),
            // Page tokens.
            odd("experiment page token of 3 bytes", .post, "\(experiments)/search", #"{"page_token": "AgEC"}"#),
            odd("experiment offset token past the end", .post, "\(experiments)/search", #"{"page_token": "Bf_______________w", "order_by": ["name"]}"#),
            odd("experiment offset token of Int.max", .post, "\(experiments)/search", #"{"page_token": "BX__________8", "order_by": ["name"]}"#),
            odd("runs token of another listing", .post, "\(runs)/search", #"{"experiment_ids": ["{exp}"], "page_token": "AQ"}"#),
            odd("runs offset token huge", .post, "\(runs)/search", #"{"experiment_ids": ["{exp}"], "page_token": "BX__________8"}"#),
            odd("model token with invalid UTF-8 position", .get, "/api/2.0/mlflow/registered-models/search?page_token=BP_-"),
            odd("workspace token with invalid UTF-8 position", .get, "/api/3.0/mlflow/workspaces?page_token=Af_-"),
            odd("page token of unicode", .get, "/api/3.0/mlflow/workspaces?page_token=%E2%98%83"),
            // Query strings.
            odd("invalid percent-encoding", .get, "\(experiments)/get-by-name?experiment_name=%FF%FE%"),
            odd("percent-encoded NUL", .get, "\(experiments)/get-by-name?experiment_name=a%00b"),
            odd("repeated max_results", .get, "\(experiments)/search?max_results=1&max_results=2"),
            odd("repeated view_type", .get, "\(experiments)/search?view_type=ALL&view_type=ALL"),
            odd("repeated experiment_id", .get, "\(experiments)/get?experiment_id=1&experiment_id=2"),
            odd("query without values", .get, "\(experiments)/search?&&=&max_results&filter"),
            odd("filter of quotes", .get, "\(experiments)/search?filter=\(query("name = ''''"))"),
            odd("filter of backticks", .get, "\(experiments)/search?filter=\(query("tags.`a = 'b'"))"),
            odd("filter with only AND", .post, "\(experiments)/search", #"{"filter": "AND"}"#),
            odd("filter of a lone scalar", .post, "\(experiments)/search", #"{"filter": "\u00e9"}"#),
            odd("filter of 100k characters", .post, "\(experiments)/search", #"{"filter": "name = '"# + String(repeating: "x", count: 100_000) + #"'"}"#),
            odd("order_by empty clause", .post, "\(experiments)/search", #"{"order_by": [""]}"#),
            odd("order_by of 3 parts", .post, "\(experiments)/search", #"{"order_by": ["name ASC DESC"]}"#),
            // Long and odd strings.
            odd("experiment name of 10k characters", .post, "\(experiments)/create", #"{"name": ""# + String(repeating: "e", count: 10_000) + #""}"#),
            odd("workspace description of 500k characters", .post, "/api/3.0/mlflow/workspaces", #"{"name": "long-desc", "description": ""# + String(repeating: "d", count: 500_000) + #""}"#),
            odd("artifact root of 5k characters", .post, "/api/3.0/mlflow/workspaces", #"{"name": "long-root", "default_artifact_root": "/"# + String(repeating: "r", count: 5000) + #""}"#),
            odd("run name of 10k characters", .post, "\(runs)/create", #"{"experiment_id": "{exp}", "run_name": ""# + String(repeating: "n", count: 10_000) + #""}"#),
            odd("tag value of 100k characters", .post, "\(runs)/set-tag", #"{"run_id": "{run}", "key": "k", "value": ""# + String(repeating: "v", count: 100_000) + #""}"#),
            odd("param key with a slash and NUL", .post, "\(runs)/log-parameter", #"{"run_id": "{run}", "key": "a/\u0000", "value": "v"}"#),
            odd("run id of 10k characters", .get, "\(runs)/get?run_id=" + String(repeating: "r", count: 10_000)),
            odd("run id with a NUL", .post, "\(runs)/delete", #"{"run_id": "\u0000"}"#),
            odd("model name with control characters", .post, "/api/2.0/mlflow/registered-models/create", #"{"name": "a\u0007b"}"#),
            // Paths.
            odd("workspace path of 2000 characters", .get, "/api/3.0/mlflow/workspaces/" + String(repeating: "w", count: 2000)),
            odd("workspace path with an encoded slash", .get, "/api/3.0/mlflow/workspaces/a%2Fb"),
            odd("workspace path with encoded non-ASCII", .delete, "/api/3.0/mlflow/workspaces/%C3%A9t%C3%A9"),
            odd("workspace path with invalid encoding", .patch, "/api/3.0/mlflow/workspaces/%FF", #"{"description": "x"}"#),
            odd("workspace path with a mode of garbage", .delete, "/api/3.0/mlflow/workspaces/team-a?mode=%00"),
            odd("unknown route", .get, "/api/2.0/mlflow/does-not-exist"),
            odd("unknown version", .post, "/api/9.0/mlflow/experiments/create", #"{"name": "x"}"#),
            odd("dot segments", .get, "/api/2.0/mlflow/../../health"),
            odd("wrong method GET on create", .get, "\(experiments)/create"),
            odd("wrong method DELETE on runs/create", .delete, "\(runs)/create", "{}"),
            odd("wrong method PATCH on health", .patch, "/health", "{}"),
            odd("wrong method POST on get", .post, "\(experiments)/get", #"{"experiment_id": "0"}"#),
            odd("wrong method POST on models get", .post, "/api/2.0/mlflow/registered-models/delete", #"{"name": "m"}"#),
            // Headers.
            odd("workspace header of non-ASCII", .get, "\(experiments)/search", workspace: "wörk"),
            odd("workspace header of 10k characters", .get, "\(experiments)/search", workspace: String(repeating: "w", count: 10_000)),
            odd("workspace header default", .get, "\(experiments)/search", workspace: "default"),
            odd("content type of garbage", .post, "\(experiments)/create", #"{"name": "x"}"#, contentType: ";;;"),
            odd("content type empty", .post, "\(experiments)/create", #"{"name": "x"}"#, contentType: ""),
            odd("request id of non-ASCII", .get, "/health", headers: [requestIDHeader: "идентификатор"]),
            odd("user agent of 8k characters", .post, "\(experiments)/create", #"{"name": "agent"}"#, headers: [.userAgent: String(repeating: "u", count: 8000)]),
        ]
        return odds
    }

    @Test func oddInputsNeverYield5xx() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let experimentID = try await server.createExperiment("exp", workspace: "team-a")
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            for odd in Self.oddRequests() {
                var body = odd.body
                if let bytes = body, let text = String(validating: bytes, as: UTF8.self), text.contains("{exp}") || text.contains("{run}") {
                    body = Array(text.replacingOccurrences(of: "{exp}", with: experimentID).replacingOccurrences(of: "{run}", with: runID).utf8)
                }
                let path = odd.path.replacingOccurrences(of: "{exp}", with: experimentID).replacingOccurrences(of: "{run}", with: runID)
                // The run routes are sent in team-a, where the run lives; the rest where they say.
                let workspace = odd.workspace ?? (path.contains("/runs/") || path.contains("metrics/") ? "team-a" : nil)
                let response = try await server.send(odd.method, path, bytes: body, contentType: odd.contentType, workspace: workspace, headers: odd.headers)
                #expect(response.status.code < 500, "\(odd.label): \(response.status) \(response.text.prefix(300))")
                if response.status.code >= 400, response.headers[.contentType] == "application/json" {
                    let error = try? response.json()
                    #expect(error?["error_code"] is String, "\(odd.label): \(response.text.prefix(300))")
                }
            }
            // Still serving, and the log still reads.
            #expect(try await server.get("/health").status == .ok)
            #expect(try await server.get("/api/2.0/mlflow/runs/get?run_id=\(runID)", workspace: "team-a").status == .ok)
            _ = try server.ledger.events(from: 1, limit: 100_000)
        }
    }

    @Test func oddInputsNeverYield5xxOverASocket() async throws {
        try await withTestServer(live: true) { server in
            let odds: [Odd] = [
                Self.odd("10,000 [", .post, "/api/3.0/mlflow/workspaces", String(repeating: "[", count: 10_000)),
                Self.odd("invalid UTF-8", "/api/2.0/mlflow/experiments/create", bytes: [0xFF, 0xFE, 0x7B, 0x7D]),
                Self.odd("empty body", .post, "/api/2.0/mlflow/experiments/create", ""),
                Self.odd("wrong method", .put, "/api/3.0/mlflow/workspaces", "{}"),
                Self.odd("huge number", .post, "/api/2.0/mlflow/experiments/search", #"{"max_results": 1e400}"#),
                // A body over the limit ends its connection: BoundedResourceTests sends it on one of its own.
            ]
            for odd in odds {
                let response = try await server.send(odd.method, odd.path, bytes: odd.body, contentType: odd.contentType, workspace: odd.workspace)
                #expect(response.status.code < 500, "\(odd.label): \(response.status) \(response.text.prefix(300))")
            }
            #expect(try await server.get("/health").status == .ok)
        }
    }
}
