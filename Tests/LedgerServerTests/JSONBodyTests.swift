import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// The request body reader (`JSONValue.parse`) and the JSON the server writes.
@Suite("JSON bodies")
struct JSONBodyTests {
    @Test(arguments: [
        ("0", JSONValue.integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("10.0", .integer(10)),
        ("1e3", .integer(1000)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .double(9.223372036854775808e18)),
        ("2.5", .double(2.5)),
        ("-1.5E-3", .double(-0.0015)),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        (#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#, .string("a\"b\\c/d\n\té😀")),
        ("\u{FEFF} {\"a\" : [1, {\"b\": null}], \"a2\": \"é\"} ", .object(["a": .array([.integer(1), .object(["b": .null])]), "a2": .string("é")])),
        (#"{"k": 1, "k": 2}"#, .object(["k": .integer(2)])),
        ("[]", .array([])),
        ("{}", .object([:])),
    ])
    func parses(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", #"{"a":1,}"#, "{'a': 1}", "01", "1.", ".5", "+1", "-", "1e", "NaN", "Infinity", "1e400", "-1e400",
        "tru", "nul", #"{"a"}"#, #"{"a" 1}"#, #"{1: 2}"#, "[1 2]", "{} {}", #""\ud800""#, #""\udc00x""#, #""\x""#, #""\u12""#,
        "\"a\u{01}b\"", #""unterminated"#,
    ])
    func refuses(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22]] {
            #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(bytes) }
        }
    }

    @Test func nestingIsLimited() throws {
        let limit = JSONValue.maxDepth
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(try JSONValue.parse(Array(atLimit.utf8)) != .null)
        let over = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(over.utf8)) }
        let objects = String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(objects.utf8)) }
    }

    @Test func aBodyNestedTooDeeplyIsRefusedNamingTheLimit() async throws {
        try await withTestServer { server in
            let depth = JSONValue.maxDepth + 1
            let body = #"{"name": "exp", "tags": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "nested deeper than \(JSONValue.maxDepth) levels") {
                try await $0.post("/api/2.0/mlflow/experiments/create", body)
            }
        }
    }

    /// Many nested values in one body are read in one pass: this body (under the size limit) took
    /// the JSONDecoder-based reader minutes. It must simply be answered, with the field refused.
    @Test func manyNestedValuesAreReadInOnePass() async throws {
        try await withTestServer { server in
            let one = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
            let body = #"{"name": "exp", "tags": ["# + Array(repeating: one, count: 4000).joined(separator: ",") + "]}"
            #expect(body.utf8.count < ServerConfiguration.maxBodyBytes)
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "tags[0]") {
                try await $0.post("/api/2.0/mlflow/experiments/create", body)
            }
        }
    }

    @Test func numbersAreReadAsMLflowSendsThem() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let experimentID = try await server.createExperiment("exp", workspace: "team-a")
            let runID = try await server.createRun(experimentID: experimentID, workspace: "team-a")
            // Whole numbers written with a fraction or exponent are integers; int64 as strings too.
            let logged = try await server.post("/api/2.0/mlflow/runs/log-metric",
                                               #"{"run_id": "\#(runID)", "key": "m", "value": 1e-3, "timestamp": 1.7e12, "step": "4"}"#, workspace: "team-a")
            #expect(logged.status == .ok, "\(logged.text)")
            let metric = try #require(try await server.get("/api/2.0/mlflow/runs/get?run_id=\(runID)", workspace: "team-a").json().object("run").object("data").objects("metrics").first)
            #expect(metric["value"] as? Double == 0.001)
            #expect(metric["timestamp"] as? Int64 == 1_700_000_000_000)
            #expect(metric["step"] as? Int64 == 4)
            // NaN and infinities travel as MLflow's strings.
            let special = try await server.post("/api/2.0/mlflow/runs/log-batch",
                                                #"{"run_id": "\#(runID)", "metrics": [{"key": "n", "value": "NaN", "timestamp": 1}, {"key": "i", "value": "-Infinity", "timestamp": 1}]}"#, workspace: "team-a")
            #expect(special.status == .ok)
            let history = try await server.get("/api/2.0/mlflow/metrics/get-history?run_id=\(runID)&metric_key=i", workspace: "team-a")
            #expect(history.text.contains(#""value":"-Infinity""#))
        }
    }

    @Test func stringsAreEscapedInResponses() async throws {
        try await withTestServer { server in
            let name = "quote \" backslash \\ newline \n tab \t bell \u{07} é 😀"
            let response = try await server.post("/api/2.0/mlflow/registered-models/create", try jsonText(["name": "m", "description": name]))
            #expect(response.status == .ok)
            #expect(response.text.contains(#"quote \" backslash \\ newline \n tab \t bell \u0007 é 😀"#))
            #expect(try response.json().object("registered_model")["description"] as? String == name)
        }
    }
}
