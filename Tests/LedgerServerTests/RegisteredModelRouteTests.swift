import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// `/api/2.0/mlflow/registered-models/...`.
@Suite("Registered model routes")
struct RegisteredModelRouteTests {
    static let base = "/api/2.0/mlflow/registered-models"

    static func model(_ server: TestServer, _ name: String, workspace: String? = "team-a") async throws -> [String: Any] {
        let response = try await server.get("\(base)/get?name=\(query(name))", workspace: workspace)
        try #require(response.status == .ok, "\(response.text)")
        return try response.json().object("registered_model")
    }

    @Test func createAnswersTheModelInMLflowShape() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let before = try server.ledger.head()
            let response = try await server.post("\(Self.base)/create", #"{"name": "churn-model"}"#, workspace: "team-a")
            #expect(response.status == .ok)
            let model = try response.json().object("registered_model")
            #expect(model.sortedKeys == ["creation_timestamp", "last_updated_timestamp", "name"], "no description or tags when unset")
            #expect(model["name"] as? String == "churn-model")
            #expect((model["creation_timestamp"] as? Int64 ?? 0) > 1_600_000_000_000)
            #expect(model["last_updated_timestamp"] as? Int64 == model["creation_timestamp"] as? Int64)
            #expect(try server.events(after: before).map(\.type) == [.registeredModelCreated])

            let described = try await server.post("\(Self.base)/create", #"{"name": "m2", "description": "d", "tags": [{"key": "k", "value": "v"}]}"#, workspace: "team-a")
            let second = try described.json().object("registered_model")
            #expect(second["description"] as? String == "d")
            #expect(keyValues(try second.objects("tags")) == ["k": "v"])
        }
    }

    @Test func getRenameUpdateDelete() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.createModel("churn", workspace: "team-a")
            #expect(try await Self.model(server, "churn")["name"] as? String == "churn")

            let renamed = try await server.post("\(Self.base)/rename", #"{"name": "churn", "new_name": "churn-v2"}"#, workspace: "team-a")
            #expect(renamed.status == .ok)
            #expect(try renamed.json().object("registered_model")["name"] as? String == "churn-v2")
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "churn") {
                try await $0.get("\(Self.base)/get?name=churn", workspace: "team-a")
            }

            let updated = try await server.send(.patch, "\(Self.base)/update", json: #"{"name": "churn-v2", "description": "predicts churn"}"#, workspace: "team-a")
            #expect(updated.status == .ok)
            #expect(try updated.json().object("registered_model")["description"] as? String == "predicts churn")
            #expect(try await Self.model(server, "churn-v2")["description"] as? String == "predicts churn")

            let before = try server.ledger.head()
            let deleted = try await server.delete("\(Self.base)/delete", #"{"name": "churn-v2"}"#, workspace: "team-a")
            #expect(deleted.status == .ok)
            #expect(deleted.text == "{}")
            #expect(try server.events(after: before).map(\.type) == [.registeredModelDeleted])
            #expect(try await server.get("\(Self.base)/get?name=churn-v2", workspace: "team-a").status == .notFound)
        }
    }

    @Test func setAndDeleteTag() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.createModel("churn", workspace: "team-a")
            let set = try await server.post("\(Self.base)/set-tag", #"{"name": "churn", "key": "owner", "value": "ana"}"#, workspace: "team-a")
            #expect(set.status == .ok)
            #expect(set.text == "{}")
            #expect(keyValues(try await Self.model(server, "churn").objects("tags")) == ["owner": "ana"])
            let deleted = try await server.delete("\(Self.base)/delete-tag", #"{"name": "churn", "key": "owner"}"#, workspace: "team-a")
            #expect(deleted.status == .ok)
            #expect(try await Self.model(server, "churn")["tags"] == nil)
        }
    }

    @Test func searchByNameWithPaging() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            for name in ["alpha", "beta", "gamma"] { try await server.createModel(name, workspace: "team-a") }
            try await server.createModel("delta") // default: not seen from team-a

            func names(_ response: TestResponse) throws -> [String] {
                let body = try response.json()
                guard body["registered_models"] != nil else { return [] }
                return try body.objects("registered_models").compactMap { $0["name"] as? String }
            }
            let all = try await server.get("\(Self.base)/search", workspace: "team-a")
            #expect(all.status == .ok)
            #expect(try names(all) == ["alpha", "beta", "gamma"])
            #expect(try names(try await server.get("\(Self.base)/search?filter=\(query("name LIKE '%a'"))", workspace: "team-a")) == ["alpha", "beta", "gamma"])
            #expect(try names(try await server.get("\(Self.base)/search?filter=\(query("name = 'beta'"))", workspace: "team-a")) == ["beta"])
            #expect(try names(try await server.get("/ajax-api/2.0/mlflow/registered-models/search?filter=\(query("name ILIKE 'G%'"))", workspace: "team-a")) == ["gamma"])

            let first = try await server.get("\(Self.base)/search?max_results=2", workspace: "team-a")
            #expect(try names(first) == ["alpha", "beta"])
            let token = try #require(try first.json()["next_page_token"] as? String)
            let second = try await server.get("\(Self.base)/search?max_results=2&page_token=\(query(token))", workspace: "team-a")
            #expect(try names(second) == ["gamma"])
            #expect(try second.json()["next_page_token"] == nil)

            try await server.createWorkspace("empty")
            #expect(try await server.get("\(Self.base)/search", workspace: "empty").text == "{}")
        }
    }

    @Test(arguments: [
        "filter=\(query("run_id = 'v'"))", "filter=\(query("name"))", "max_results=0", "max_results=many", "page_token=Ag",
    ])
    func searchRefusesBadParameters(_ parameters: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE") {
                try await $0.get("\(Self.base)/search?\(parameters)")
            }
        }
    }

    /// The real client adds tag.`mlflow.prompt.is_prompt` != 'true' to every model search: a model
    /// without that tag matches it, a prompt does not.
    @Test func searchFiltersByTagAsTheClientSends() async throws {
        try await withTestServer { server in
            try await server.createModel("churn")
            _ = try await server.post("\(Self.base)/create", #"{"name": "my-prompt", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}"#)
            let filter = query("tag.`mlflow.prompt.is_prompt` != 'true'")
            let response = try await server.get("\(Self.base)/search?filter=\(filter)")
            #expect(response.status == .ok)
            let models = try #require(try response.json()["registered_models"] as? [[String: Any]])
            #expect(models.compactMap { $0["name"] as? String } == ["churn"])
        }
    }

    @Test func duplicatesAreRefusedPerWorkspace() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.createWorkspace("team-b")
            try await server.createModel("churn", workspace: "team-a")
            try await server.createModel("churn", workspace: "team-b")
            try await server.createModel("other", workspace: "team-a")
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS", naming: "churn") {
                try await $0.post("\(Self.base)/create", #"{"name": "churn"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS", naming: "other") {
                try await $0.post("\(Self.base)/rename", #"{"name": "churn", "new_name": "other"}"#, workspace: "team-a")
            }
        }
    }

    @Test(arguments: [
        ("POST", "create", #"{}"#, "name"),
        ("POST", "create", #"{"name": null}"#, "name"),
        ("POST", "create", #"{"name": 3}"#, "name"),
        ("POST", "create", #"{"name": "m", "description": null}"#, "description"),
        ("POST", "create", #"{"name": "m", "tags": [{"value": "v"}]}"#, "tags[0].key"),
        ("POST", "rename", #"{"name": "churn"}"#, "new_name"),
        ("POST", "rename", #"{"new_name": "x"}"#, "name"),
        ("PATCH", "update", #"{"description": "d"}"#, "name"),
        ("PATCH", "update", #"{"name": "churn", "description": false}"#, "description"),
        ("DELETE", "delete", #"{}"#, "name"),
        ("DELETE", "delete", #"{"name": [1]}"#, "name"),
        ("POST", "set-tag", #"{"name": "churn", "key": "k"}"#, "value"),
        ("POST", "set-tag", #"{"name": "churn", "value": "v"}"#, "key"),
        ("DELETE", "delete-tag", #"{"name": "churn"}"#, "key"),
    ])
    func writeRoutesRefuseABadField(_ method: String, _ route: String, _ body: String, _ naming: String) async throws {
        try await withTestServer { server in
            try await server.createModel("churn")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.send(HTTPRequest.Method(method)!, "\(Self.base)/\(route)", json: body)
            }
        }
    }

    @Test func modelsOfAnotherWorkspaceAreNotFound() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.createWorkspace("team-b")
            try await server.createModel("churn", workspace: "team-a")
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "churn") {
                try await $0.get("\(Self.base)/get?name=churn", workspace: "team-b")
            }
            let writes: [(HTTPRequest.Method, String, String)] = [
                (.post, "rename", #"{"name": "churn", "new_name": "stolen"}"#),
                (.patch, "update", #"{"name": "churn", "description": "x"}"#),
                (.delete, "delete", #"{"name": "churn"}"#),
                (.post, "set-tag", #"{"name": "churn", "key": "k", "value": "v"}"#),
                (.delete, "delete-tag", #"{"name": "churn", "key": "k"}"#),
            ]
            for (method, route, body) in writes {
                try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                    try await $0.send(method, "\(Self.base)/\(route)", json: body, workspace: "team-b")
                }
            }
            #expect(try await Self.model(server, "churn")["name"] as? String == "churn")
        }
    }
}
