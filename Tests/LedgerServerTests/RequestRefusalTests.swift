import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// Requests refused before any handler logic: the body, its content type and size, and the
/// workspace header. Each is a 4xx with MLflow's error JSON and writes nothing.
@Suite("Request refusals")
struct RequestRefusalTests {
    /// One refused request, sent to a server whose `team-a` holds experiment `{exp}`, run `{run}`
    /// and model `churn`.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var method: HTTPRequest.Method = .post
        var path: String
        var body: [UInt8]?
        var contentType: String? = "application/json"
        var workspace: String? = "team-a"
        var status: HTTPResponse.Status = .badRequest
        var errorCode = "INVALID_PARAMETER_VALUE"
        var naming: String?

        var testDescription: String { label }

        init(_ label: String, _ method: HTTPRequest.Method, _ path: String, _ body: String?,
             contentType: String? = "application/json", workspace: String? = "team-a",
             status: HTTPResponse.Status = .badRequest, errorCode: String = "INVALID_PARAMETER_VALUE", naming: String? = nil) {
            self.label = label
            self.method = method
            self.path = path
            self.body = body.map { Array($0.utf8) }
            self.contentType = contentType
            self.workspace = workspace
            self.status = status
            self.errorCode = errorCode
            self.naming = naming
        }

        init(_ label: String, _ path: String, bytes: [UInt8], naming: String? = nil) {
            self.label = label
            self.path = path
            self.body = bytes
            self.naming = naming
        }
    }

    static let experiments = "/api/2.0/mlflow/experiments"
    static let workspaces = "/api/3.0/mlflow/workspaces"

    static let bodyRefusals: [Refusal] = [
        Refusal("malformed JSON", .post, "\(experiments)/create", "{not json", naming: "Malformed JSON"),
        Refusal("truncated JSON", .post, "\(workspaces)", #"{"name": "team-x""#, naming: "Malformed JSON"),
        Refusal("trailing garbage", .post, "\(workspaces)", #"{"name": "team-x"} x"#, naming: "Malformed JSON"),
        Refusal("JSON array body", .post, "\(experiments)/create", #"[{"name": "exp"}]"#, naming: "array"),
        Refusal("JSON array body on a workspace create", .post, "\(workspaces)", #"["team-x"]"#, naming: "array"),
        Refusal("JSON number body", .post, "/api/2.0/mlflow/runs/log-metric", "42", naming: "number"),
        Refusal("JSON null body", .post, "/api/2.0/mlflow/registered-models/create", "null", naming: "null"),
        Refusal("JSON string body", .post, "\(experiments)/create", #""exp""#, naming: "string"),
        Refusal("JSON true body", .post, "\(experiments)/create", "true", naming: "boolean"),
        Refusal("invalid UTF-8", "\(experiments)/create", bytes: [0x7B, 0x22, 0x6E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D], naming: "Malformed JSON"),
        Refusal("empty body", .post, "\(experiments)/create", "", naming: "'name'"),
        Refusal("number for a string field", .post, "\(experiments)/create", #"{"name": 5}"#, naming: "'name'"),
        Refusal("null for a required field", .post, "\(workspaces)", #"{"name": null}"#, naming: "'name'"),
        Refusal("null for an optional field", .post, "/api/2.0/mlflow/runs/create", #"{"experiment_id": "{exp}", "run_name": null}"#, naming: "'run_name'"),
        Refusal("missing required field", .post, "/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "{run}", "value": "v"}"#, naming: "'key'"),
        Refusal("both spellings of a field", .post, "/api/2.0/mlflow/runs/log-parameter", #"{"run_id": "{run}", "runId": "{run}", "key": "k", "value": "v"}"#, naming: "provide only one"),
        Refusal("unknown view_type", .post, "\(experiments)/search", #"{"view_type": "ACTIVE"}"#, naming: "view_type"),
        Refusal("unknown view_type by GET", .get, "\(experiments)/search?view_type=DELETED", nil, naming: "view_type"),
        Refusal("unknown run status", .post, "/api/2.0/mlflow/runs/update", #"{"run_id": "{run}", "status": "COMPLETED"}"#, naming: "status"),
        Refusal("unknown delete mode (lowercase cascade)", .delete, "\(workspaces)/team-a?mode=cascade", nil, naming: "cascade"),
        Refusal("missing Content-Type", .post, "\(experiments)/create", #"{"name": "exp"}"#, contentType: nil, naming: "Content-Type"),
        Refusal("missing Content-Type on workspace create", .post, "\(workspaces)", #"{"name": "team-x"}"#, contentType: nil, naming: "Content-Type"),
        Refusal("text/plain Content-Type", .post, "\(experiments)/create", #"{"name": "exp"}"#, contentType: "text/plain", naming: "Content-Type"),
        Refusal("form Content-Type", .post, "/api/2.0/mlflow/runs/set-tag", "run_id={run}&key=k&value=v", contentType: "application/x-www-form-urlencoded", naming: "Content-Type"),
        Refusal("application/jsonp Content-Type", .post, "\(workspaces)", #"{"name": "team-x"}"#, contentType: "application/jsonp", naming: "Content-Type"),
        Refusal("missing Content-Type on PATCH", .patch, "\(workspaces)/team-a", #"{"description": "x"}"#, contentType: nil, naming: "Content-Type"),
        Refusal("missing Content-Type on POST without a body", .post, "\(experiments)/create", nil, contentType: nil, naming: "Content-Type"),
    ]

    /// Bodies within the size limit that are as heavy as JSON gets (hundreds of thousands of
    /// values or keys, megabyte strings, numbers of 100,000 digits) or as odd (duplicate keys, NUL
    /// bytes, surrogates, invalid UTF-8): each is read in one pass and refused, naming what is wrong.
    static let heavyBodies: [Refusal] = {
        let digits = "1" + String(repeating: "0", count: 100_000)
        let runs = "/api/2.0/mlflow/runs"
        return [
            Refusal("500,000 numbers in one array", .post, "\(experiments)/create",
                    #"{"name": "exp-new", "tags": ["# + Array(repeating: "0", count: 500_000).joined(separator: ",") + "]}", naming: "tags[0]"),
            Refusal("300,000 empty objects as metrics", .post, "\(runs)/log-batch",
                    #"{"run_id": "{run}", "metrics": ["# + Array(repeating: "{}", count: 300_000).joined(separator: ",") + "]}", naming: "metrics[0].value"),
            Refusal("80,000 unknown keys and no name", .post, "\(experiments)/create",
                    "{" + (0..<80_000).map { #""k\#($0)": 0"# }.joined(separator: ",") + "}", naming: "'name'"),
            Refusal("60,000 duplicate keys, the last one a number", .post, "\(experiments)/create",
                    "{" + Array(repeating: #""name": "dup""#, count: 60_000).joined(separator: ",") + #", "name": 5}"#, naming: "'name'"),
            Refusal("a name of 1,000,000 characters", .post, "\(experiments)/create",
                    #"{"name": ""# + String(repeating: "n", count: 1_000_000) + #""}"#, naming: "the limit is 400"),
            Refusal("a name of 100,000 escaped NULs", .post, "\(experiments)/create",
                    #"{"name": ""# + String(repeating: #"\u0000"#, count: 100_000) + #""}"#, naming: "the limit is 400"),
            Refusal("a timestamp of 100,001 digits", .post, "\(runs)/log-metric",
                    #"{"run_id": "{run}", "key": "m", "value": 1, "timestamp": \#(digits)}"#, naming: "out of range"),
            Refusal("a metric value of 100,001 digits", .post, "\(runs)/log-metric",
                    #"{"run_id": "{run}", "key": "m", "value": \#(digits), "timestamp": 1}"#, naming: "out of range"),
            Refusal("an experiment id of 100,001 digits", .post, "\(experiments)/delete", #"{"experiment_id": \#(digits)}"#, naming: "out of range"),
            Refusal("an escaped NUL in a name", .post, "/api/2.0/mlflow/registered-models/create", #"{"name": "a\u0000b"}"#, naming: "control characters"),
            Refusal("a raw NUL byte in a string", "\(experiments)/create", bytes: Array(#"{"name": "a"#.utf8) + [0x00] + Array(#"b"}"#.utf8), naming: "control character"),
            Refusal("a lone high surrogate escape", .post, "\(experiments)/create", #"{"name": "x\ud800"}"#, naming: "unpaired surrogate"),
            Refusal("a lone low surrogate escape", .post, "\(experiments)/create", #"{"name": "\udc00x"}"#, naming: "unpaired surrogate"),
            Refusal("a high surrogate escape before a letter", .post, "\(experiments)/create", #"{"name": "\ud800\u0041"}"#, naming: "unpaired surrogate"),
            Refusal("a surrogate encoded as UTF-8", "\(experiments)/create", bytes: Array(#"{"name": ""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), naming: "invalid UTF-8"),
            Refusal("an overlong UTF-8 encoding", "\(experiments)/create", bytes: Array(#"{"name": ""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), naming: "invalid UTF-8"),
            Refusal("invalid UTF-8 in a key", "\(experiments)/create", bytes: Array(#"{""#.utf8) + [0xFF] + Array(#"": 1, "name": "x"}"#.utf8), naming: "invalid UTF-8"),
        ]
    }()

    /// MLflow's own limits: a log-batch's counts, key and value lengths.
    static let overMLflowLimits: [Refusal] = {
        let runs = "/api/2.0/mlflow/runs"
        func items(_ count: Int, _ make: (Int) -> String) -> String { "[" + (0..<count).map(make).joined(separator: ",") + "]" }
        let metric = { (i: Int) in #"{"key": "m\#(i)", "value": 1, "timestamp": 1}"# }
        let pair = { (i: Int) in #"{"key": "k\#(i)", "value": "v"}"# }
        return [
            Refusal("1,001 metrics in one batch", .post, "\(runs)/log-batch", #"{"run_id": "{run}", "metrics": \#(items(1001, metric))}"#, naming: "at most 1000 metrics"),
            Refusal("101 params in one batch", .post, "\(runs)/log-batch", #"{"run_id": "{run}", "params": \#(items(101, pair))}"#, naming: "100 params"),
            Refusal("101 tags in one batch", .post, "\(runs)/log-batch", #"{"run_id": "{run}", "tags": \#(items(101, pair))}"#, naming: "100 tags"),
            Refusal("1,001 items in one batch in all", .post, "\(runs)/log-batch",
                    #"{"run_id": "{run}", "metrics": \#(items(900, metric)), "params": \#(items(100, pair)), "tags": \#(items(1, pair))}"#, naming: "1000 in all"),
            Refusal("a param value of 6,001 characters", .post, "\(runs)/log-parameter",
                    #"{"run_id": "{run}", "key": "k", "value": "\#(String(repeating: "v", count: 6001))"}"#, naming: "the limit is 6000"),
            Refusal("a run tag value of 8,001 characters", .post, "\(runs)/set-tag",
                    #"{"run_id": "{run}", "key": "k", "value": "\#(String(repeating: "v", count: 8001))"}"#, naming: "the limit is 8000"),
            Refusal("an experiment tag value of 8,001 characters", .post, "\(experiments)/set-experiment-tag",
                    #"{"experiment_id": "{exp}", "key": "k", "value": "\#(String(repeating: "v", count: 8001))"}"#, naming: "the limit is 8000"),
            Refusal("a model tag value of 8,001 characters", .post, "/api/2.0/mlflow/registered-models/set-tag",
                    #"{"name": "churn", "key": "k", "value": "\#(String(repeating: "v", count: 8001))"}"#, naming: "the limit is 8000"),
            Refusal("a metric key of 251 characters", .post, "\(runs)/log-metric",
                    #"{"run_id": "{run}", "key": "\#(String(repeating: "k", count: 251))", "value": 1, "timestamp": 1}"#, naming: "1 to 250 characters"),
            Refusal("a param key of 251 characters in a batch", .post, "\(runs)/log-batch",
                    #"{"run_id": "{run}", "params": [{"key": "\#(String(repeating: "k", count: 251))", "value": "v"}]}"#, naming: "1 to 250 characters"),
            Refusal("a run name of 251 characters", .post, "\(runs)/create",
                    #"{"experiment_id": "{exp}", "run_name": "\#(String(repeating: "r", count: 251))"}"#, naming: "the limit is 250"),
        ]
    }()

    @Test(arguments: bodyRefusals + heavyBodies + overMLflowLimits)
    func refused(_ refusal: Refusal) async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let experimentID = try await server.createExperiment("exp", workspace: "team-a")
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            try await server.createModel("churn", workspace: "team-a")
            let body = refusal.body.map { bytes -> [UInt8] in
                guard let text = String(validating: bytes, as: UTF8.self) else { return bytes }
                return Array(text.replacingOccurrences(of: "{exp}", with: experimentID).replacingOccurrences(of: "{run}", with: runID).utf8)
            }
            let path = refusal.path.replacingOccurrences(of: "{exp}", with: experimentID)
            try await server.expectRefusal(refusal.status, refusal.errorCode, naming: refusal.naming) {
                try await $0.send(refusal.method, path, bytes: body, contentType: refusal.contentType, workspace: refusal.workspace)
            }
        }
    }

    @Test func contentTypeWithParametersAndAnyCaseIsAccepted() async throws {
        try await withTestServer { server in
            for (index, type) in ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"].enumerated() {
                let response = try await server.send(.post, "\(Self.experiments)/create", json: #"{"name": "exp-\#(index)"}"#, contentType: type)
                #expect(response.status == .ok, "\(type): \(response.text)")
            }
        }
    }

    @Test func deleteNeedsNoContentType() async throws {
        try await withTestServer { server in
            try await server.createModel("churn")
            let response = try await server.send(.delete, "/api/2.0/mlflow/registered-models/delete", json: #"{"name": "churn"}"#, contentType: nil)
            #expect(response.status == .ok, "\(response.text)")
        }
    }

    // MARK: Size

    @Test func aBodyOverTheLimitIs413() async throws {
        try await withTestServer { server in
            let limit = ServerConfiguration.maxBodyBytes
            #expect(limit == 1 << 20)
            // A valid JSON object one byte over the limit.
            let padding = String(repeating: "x", count: limit - #"{"name": "exp", "pad": ""}"#.utf8.count + 1)
            let body = #"{"name": "exp", "pad": "\#(padding)"}"#
            #expect(body.utf8.count == limit + 1)
            try await server.expectRefusal(.contentTooLarge, "INVALID_PARAMETER_VALUE", naming: "1024 KiB") {
                try await $0.post("\(Self.experiments)/create", body)
            }
            try await server.expectRefusal(.contentTooLarge, "INVALID_PARAMETER_VALUE") {
                try await $0.post("/api/2.0/mlflow/runs/log-batch", String(repeating: " ", count: 3 * limit) + "{}")
            }
            // Exactly at the limit is read (and this one is then refused for its content, not its size).
            let atLimit = String(repeating: " ", count: limit - 2) + "{}"
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "'name'") {
                try await $0.post("\(Self.experiments)/create", atLimit)
            }
        }
    }

    // MARK: The workspace header

    @Test(arguments: ["Bad_Name", "a--b", "A", "api", "static-files", "workspaces", "team a", String(repeating: "w", count: 64)])
    func anInvalidWorkspaceHeaderIs400(_ header: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "Workspace name") {
                try await $0.post("\(Self.experiments)/create", #"{"name": "exp"}"#, workspace: header)
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "Workspace name") {
                try await $0.get("\(Self.experiments)/search", workspace: header)
            }
        }
    }

    @Test func anUnknownWorkspaceHeaderIs404() async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "Workspace 'nope-x' not found") {
                try await $0.post("\(Self.experiments)/create", #"{"name": "exp"}"#, workspace: "nope-x")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "nope-x") {
                try await $0.get("\(Self.experiments)/get?experiment_id=0", workspace: "nope-x")
            }
            // The workspace routes check the header too.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "nope-x") {
                try await $0.post(Self.workspaces, #"{"name": "team-x"}"#, workspace: "nope-x")
            }
            // A deleted workspace is unknown.
            try await server.createWorkspace("gone")
            #expect(try await server.delete("\(Self.workspaces)/gone").status == .noContent)
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "gone") {
                try await $0.post("/api/2.0/mlflow/registered-models/create", #"{"name": "m"}"#, workspace: "gone")
            }
        }
    }

    @Test func theHeaderIsTrimmedAndBlankMeansDefault() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let padded = try await server.post("\(Self.experiments)/create", #"{"name": "exp"}"#, workspace: "  team-a ")
            #expect(padded.status == .ok)
            let id = try #require(try padded.json()["experiment_id"] as? String)
            #expect(try server.ledger.experiment(id: Int64(id)!, in: "team-a").name == "exp")

            let blank = try await server.post("\(Self.experiments)/create", #"{"name": "in-default"}"#, workspace: "   ")
            #expect(blank.status == .ok)
            let explicit = try await server.get("\(Self.experiments)/get-by-name?experiment_name=in-default", workspace: "default")
            #expect(explicit.status == .ok)
            #expect(try explicit.json().object("experiment")["workspace"] as? String == "default")
        }
    }
}
