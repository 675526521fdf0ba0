import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// `/api/2.0/mlflow/experiments/...`.
@Suite("Experiment routes")
struct ExperimentRouteTests {
    static let base = "/api/2.0/mlflow/experiments"

    @Test func createAnswersTheIdAsAString() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let before = try server.ledger.head()
            let response = try await server.post("\(Self.base)/create", #"{"name": "exp-a", "tags": [{"key": "team", "value": "ml"}]}"#, workspace: "team-a")
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body.sortedKeys == ["experiment_id"])
            let id = try #require(body["experiment_id"] as? String)
            #expect(Int64(id) != nil)
            let events = try server.events(after: before)
            #expect(events.map(\.type) == [.experimentCreated])
            #expect(events.first?.workspace == "team-a")
        }
    }

    @Test func getAnswersTheExperimentInMLflowShape() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("exp-a", workspace: "team-a")
            let response = try await server.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-a")
            #expect(response.status == .ok)
            let experiment = try response.json().object("experiment")
            #expect(experiment.sortedKeys == ["artifact_location", "creation_time", "experiment_id", "last_update_time", "lifecycle_stage", "name", "workspace"],
                    "no tags key without tags")
            #expect(experiment["experiment_id"] as? String == id)
            #expect(experiment["name"] as? String == "exp-a")
            #expect(experiment["artifact_location"] as? String == "/srv/artifacts/workspaces/team-a/\(id)")
            #expect(experiment["lifecycle_stage"] as? String == "active")
            #expect(experiment["workspace"] as? String == "team-a")
            #expect(experiment["creation_time"] is NSNumber && !(experiment["creation_time"] is String))
            #expect((experiment["creation_time"] as? Int64 ?? 0) > 1_600_000_000_000, "milliseconds")
        }
    }

    @Test func theDefaultExperimentIsZeroInDefault() async throws {
        try await withTestServer { server in
            let experiment = try await server.get("/ajax-api/2.0/mlflow/experiments/get?experiment_id=0").json().object("experiment")
            #expect(experiment["experiment_id"] as? String == "0")
            #expect(experiment["name"] as? String == "Default")
            #expect(experiment["workspace"] as? String == "default")
        }
    }

    @Test func getByName() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("exp a/1", workspace: "team-a", tags: ["team": "ml"])
            let response = try await server.get("\(Self.base)/get-by-name?experiment_name=\(query("exp a/1"))", workspace: "team-a")
            #expect(response.status == .ok)
            let experiment = try response.json().object("experiment")
            #expect(experiment["experiment_id"] as? String == id)
            #expect(keyValues(try experiment.objects("tags")) == ["team": "ml"])
            // Names are per workspace: not found from default.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "exp a/1") {
                try await $0.get("\(Self.base)/get-by-name?experiment_name=\(query("exp a/1"))")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "experiment_name") {
                try await $0.get("\(Self.base)/get-by-name", workspace: "team-a")
            }
        }
    }

    /// Three experiments in team-a: alpha (tag team=ml), beta (deleted), gamma (tag team=cv).
    static func seedSearch(_ server: TestServer) async throws -> [String: String] {
        try await server.createWorkspace("team-a")
        var ids: [String: String] = [:]
        ids["alpha"] = try await server.createExperiment("alpha", workspace: "team-a", tags: ["team": "ml"])
        ids["beta"] = try await server.createExperiment("beta", workspace: "team-a")
        ids["gamma"] = try await server.createExperiment("gamma", workspace: "team-a", tags: ["team": "cv"])
        let deleted = try await server.post("\(base)/delete", #"{"experiment_id": "\#(ids["beta"]!)"}"#, workspace: "team-a")
        try #require(deleted.status == .ok)
        return ids
    }

    static func names(_ response: TestResponse) throws -> [String] {
        let body = try response.json()
        guard body["experiments"] != nil else { return [] }
        return try body.objects("experiments").compactMap { $0["name"] as? String }
    }

    @Test(arguments: [
        (#"{}"#, ["gamma", "alpha"]),
        (#"{"view_type": "ACTIVE_ONLY", "max_results": 1000}"#, ["gamma", "alpha"]),
        (#"{"view_type": "DELETED_ONLY"}"#, ["beta"]),
        (#"{"view_type": "ALL", "order_by": ["name ASC"]}"#, ["alpha", "beta", "gamma"]),
        (#"{"view_type": "ALL", "order_by": ["name DESC"]}"#, ["gamma", "beta", "alpha"]),
        (#"{"view_type": "ALL", "order_by": ["attributes.creation_time ASC", "name"]}"#, ["alpha", "beta", "gamma"]),
        (#"{"filter": "name = 'alpha'"}"#, ["alpha"]),
        (#"{"filter": "name LIKE '%a'", "order_by": ["name"]}"#, ["alpha", "gamma"]),
        (#"{"filter": "name ILIKE 'ALP%'"}"#, ["alpha"]),
        (#"{"filter": "name != 'alpha'", "view_type": "ALL", "order_by": ["name"]}"#, ["beta", "gamma"]),
        (#"{"filter": "tags.team = 'ml'"}"#, ["alpha"]),
        (#"{"filter": "tags.team LIKE '%' AND name = 'gamma'"}"#, ["gamma"]),
        (#"{"filter": "name = 'nothing'"}"#, []),
        (#"{"view_type": 3, "order_by": ["name"]}"#, ["alpha", "beta", "gamma"]),
        (#"{"view_type": "2"}"#, ["beta"]),
    ])
    func searchByPost(_ body: String, _ expected: [String]) async throws {
        try await withTestServer { server in
            _ = try await Self.seedSearch(server)
            let response = try await server.post("\(Self.base)/search", body, workspace: "team-a")
            #expect(response.status == .ok, "\(response.text)")
            #expect(try Self.names(response) == expected)
            if expected.isEmpty { #expect(response.text == "{}") }
        }
    }

    @Test(arguments: [
        ("", ["gamma", "alpha"]),
        ("view_type=ALL&order_by=\(query("name ASC"))", ["alpha", "beta", "gamma"]),
        ("view_type=DELETED_ONLY", ["beta"]),
        ("filter=\(query("name LIKE 'g%'"))&max_results=10", ["gamma"]),
        ("view_type=ALL&order_by=\(query("name DESC"))&order_by=\(query("creation_time ASC"))", ["gamma", "beta", "alpha"]),
    ])
    func searchByGet(_ parameters: String, _ expected: [String]) async throws {
        try await withTestServer { server in
            _ = try await Self.seedSearch(server)
            let response = try await server.get("\(Self.base)/search?\(parameters)", workspace: "team-a")
            #expect(response.status == .ok, "\(response.text)")
            #expect(try Self.names(response) == expected)
        }
    }

    @Test func searchPagesWithMaxResultsAndPageToken() async throws {
        try await withTestServer { server in
            _ = try await Self.seedSearch(server)
            for orderBy in ["", #", "order_by": ["name"]"#] {
                var seen: [String] = []
                var token: String?
                var pages = 0
                repeat {
                    var body = #"{"max_results": 1, "view_type": "ALL"\#(orderBy)"#
                    if let token { body += #", "page_token": "\#(token)""# }
                    body += "}"
                    let response = try await server.post("\(Self.base)/search", body, workspace: "team-a")
                    #expect(response.status == .ok, "\(response.text)")
                    seen += try Self.names(response)
                    token = try response.json()["next_page_token"] as? String
                    #expect(token != "")
                    pages += 1
                } while token != nil && pages < 10
                #expect(Set(seen) == ["alpha", "beta", "gamma"])
                #expect(seen.count == 3)
                #expect(pages == 3)
            }
            // The same through GET.
            let first = try await server.get("\(Self.base)/search?max_results=2&view_type=ALL", workspace: "team-a").json()
            let token = try #require(first["next_page_token"] as? String)
            let second = try await server.get("\(Self.base)/search?max_results=2&view_type=ALL&page_token=\(query(token))", workspace: "team-a")
            #expect(try Self.names(second).count == 1)
            #expect(try second.json()["next_page_token"] == nil)
        }
    }

    @Test(arguments: [
        (#"{"view_type": "EVERYTHING"}"#, "view_type"),
        (#"{"view_type": "active_only"}"#, "view_type"),
        (#"{"view_type": 9}"#, "view_type"),
        (#"{"view_type": null}"#, "view_type"),
        (#"{"max_results": 0}"#, "max_results"),
        (#"{"max_results": "ten"}"#, "max_results"),
        (#"{"max_results": 2.5}"#, "max_results"),
        (#"{"max_results": 100000}"#, "max_results"),
        (#"{"page_token": "%%%"}"#, "page_token"),
        (#"{"page_token": 5}"#, "page_token"),
        (#"{"filter": "name = 'unterminated"}"#, "filter"),
        (#"{"filter": "name ~ 'x'"}"#, "filter"),
        (#"{"filter": "lifecycle_stage = 'x'"}"#, "filter"),
        (#"{"filter": 3}"#, "filter"),
        (#"{"order_by": "name"}"#, "order_by"),
        (#"{"order_by": ["colour ASC"]}"#, "order_by"),
        (#"{"order_by": ["name UP"]}"#, "order_by"),
        (#"{"order_by": [1]}"#, "order_by"),
    ])
    func searchRefusesBadParameters(_ body: String, _ naming: String) async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.post("\(Self.base)/search", body, workspace: "team-a")
            }
        }
    }

    @Test(arguments: ["view_type=SOME", "max_results=x", "max_results=0", "page_token=zzz", "order_by=\(query("a b c"))", "filter=\(query("name"))"])
    func searchByGetRefusesBadParameters(_ parameters: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE") {
                try await $0.get("\(Self.base)/search?\(parameters)")
            }
        }
    }

    @Test func listAnswersLikeASearchOfTheWorkspace() async throws {
        try await withTestServer { server in
            _ = try await Self.seedSearch(server)
            let response = try await server.get("\(Self.base)/list", workspace: "team-a")
            #expect(response.status == .ok)
            #expect(Set(try Self.names(response)) == ["alpha", "gamma"])
            let all = try await server.get("/ajax-api/2.0/mlflow/experiments/list?view_type=ALL", workspace: "team-a")
            #expect(Set(try Self.names(all)) == ["alpha", "beta", "gamma"])
            let fallback = try await server.get("\(Self.base)/list")
            #expect(try Self.names(fallback) == ["Default"])
        }
    }

    @Test func updateRenames() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("old", workspace: "team-a")
            _ = try await server.createExperiment("taken", workspace: "team-a")
            let before = try server.ledger.head()
            let response = try await server.post("\(Self.base)/update", #"{"experiment_id": "\#(id)", "new_name": "new"}"#, workspace: "team-a")
            #expect(response.status == .ok)
            #expect(response.text == "{}")
            #expect(try server.events(after: before).map(\.type) == [.experimentRenamed])
            let experiment = try await server.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-a").json().object("experiment")
            #expect(experiment["name"] as? String == "new")

            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS", naming: "taken") {
                try await $0.post("\(Self.base)/update", #"{"experiment_id": "\#(id)", "new_name": "taken"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "new_name") {
                try await $0.post("\(Self.base)/update", #"{"experiment_id": "\#(id)"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "new_name") {
                try await $0.post("\(Self.base)/update", #"{"experiment_id": "\#(id)", "new_name": null}"#, workspace: "team-a")
            }
        }
    }

    @Test func deleteAndRestore() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("exp", workspace: "team-a")
            let before = try server.ledger.head()
            let deleted = try await server.post("\(Self.base)/delete", #"{"experiment_id": "\#(id)"}"#, workspace: "team-a")
            #expect(deleted.status == .ok)
            #expect(deleted.text == "{}")
            var experiment = try await server.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-a").json().object("experiment")
            #expect(experiment["lifecycle_stage"] as? String == "deleted")

            let restored = try await server.post("/ajax-api/2.0/mlflow/experiments/restore", #"{"experiment_id": "\#(id)"}"#, workspace: "team-a")
            #expect(restored.status == .ok)
            experiment = try await server.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-a").json().object("experiment")
            #expect(experiment["lifecycle_stage"] as? String == "active")
            #expect(try server.events(after: before).map(\.type) == [.experimentDeleted, .experimentRestored])
        }
    }

    @Test func setAndDeleteExperimentTag() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("exp", workspace: "team-a")
            let set = try await server.post("\(Self.base)/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "owner", "value": "ana"}"#, workspace: "team-a")
            #expect(set.status == .ok)
            #expect(set.text == "{}")
            var experiment = try await server.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-a").json().object("experiment")
            #expect(keyValues(try experiment.objects("tags")) == ["owner": "ana"])

            let deleted = try await server.post("\(Self.base)/delete-experiment-tag", #"{"experiment_id": "\#(id)", "key": "owner"}"#, workspace: "team-a")
            #expect(deleted.status == .ok)
            experiment = try await server.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-a").json().object("experiment")
            #expect(experiment["tags"] == nil, "an empty tag list is omitted")

            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "value") {
                try await $0.post("\(Self.base)/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "owner"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "key") {
                try await $0.post("\(Self.base)/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": 5, "value": "x"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "key") {
                try await $0.post("\(Self.base)/delete-experiment-tag", #"{"experiment_id": "\#(id)"}"#, workspace: "team-a")
            }
        }
    }

    // MARK: Refusals

    @Test func createRefusesArtifactLocation() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "artifact_location") {
                try await $0.post("\(Self.base)/create", #"{"name": "exp", "artifact_location": "s3://elsewhere"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "artifact_location") {
                try await $0.post("\(Self.base)/create", #"{"name": "exp", "artifactLocation": "/tmp/x"}"#)
            }
        }
    }

    @Test func createRefusesADuplicateNameInTheSameWorkspaceOnly() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.createWorkspace("team-b")
            _ = try await server.createExperiment("exp", workspace: "team-a")
            _ = try await server.createExperiment("exp", workspace: "team-b")
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS", naming: "exp") {
                try await $0.post("\(Self.base)/create", #"{"name": "exp"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS", naming: "Default") {
                try await $0.post("\(Self.base)/create", #"{"name": "Default"}"#)
            }
        }
    }

    @Test(arguments: [
        (#"{}"#, "name"),
        (#"{"name": ""}"#, "name"),
        (#"{"name": null}"#, "name"),
        (#"{"name": 12}"#, "name"),
        (#"{"name": {"first": "x"}}"#, "name"),
        (#"{"name": "   "}"#, "name"),
        (#"{"name": "x\u0001y"}"#, "control"),
        (#"{"name": "exp", "tags": "team=ml"}"#, "tags"),
        (#"{"name": "exp", "tags": [{"key": "team"}]}"#, "tags[0].value"),
        (#"{"name": "exp", "tags": [{"key": null, "value": "x"}]}"#, "tags[0].key"),
        (#"{"name": "exp", "tags": ["team"]}"#, "tags[0]"),
        (#"{"name": "exp", "tags": [{"key": "", "value": "x"}]}"#, "key"),
    ])
    func createRefusesABadField(_ body: String, _ naming: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.post("\(Self.base)/create", body)
            }
        }
    }

    @Test func idsOfAnotherWorkspaceAreNotFound() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.createWorkspace("team-b")
            let id = try await server.createExperiment("exp", workspace: "team-a")
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "No Experiment with id=\(id) exists") {
                try await $0.get("\(Self.base)/get?experiment_id=\(id)", workspace: "team-b")
            }
            // Experiment 0 lives only in default.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "id=0") {
                try await $0.get("\(Self.base)/get?experiment_id=0", workspace: "team-a")
            }
            let writes: [(String, String)] = [
                ("update", #"{"experiment_id": "\#(id)", "new_name": "stolen"}"#),
                ("delete", #"{"experiment_id": "\#(id)"}"#),
                ("restore", #"{"experiment_id": "\#(id)"}"#),
                ("set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k", "value": "v"}"#),
                ("delete-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k"}"#),
            ]
            for (route, body) in writes {
                try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                    try await $0.post("\(Self.base)/\(route)", body, workspace: "team-b")
                }
                try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                    try await $0.post("\(Self.base)/\(route)", body) // default
                }
            }
            // The search of team-b does not see it.
            #expect(try await server.post("\(Self.base)/search", #"{"view_type": "ALL"}"#, workspace: "team-b").text == "{}")
        }
    }

    @Test(arguments: ["experiment_id=abc", "experiment_id=-1", "experiment_id=99999999999999999999", "experiment_id=424242", ""])
    func getRefusesAnUnknownId(_ parameters: String) async throws {
        try await withTestServer { server in
            let expected: (HTTPResponse.Status, String) = parameters.isEmpty ? (.badRequest, "INVALID_PARAMETER_VALUE") : (.notFound, "RESOURCE_DOES_NOT_EXIST")
            try await server.expectRefusal(expected.0, expected.1, naming: parameters.isEmpty ? "experiment_id" : nil) {
                try await $0.get("\(Self.base)/get?\(parameters)")
            }
        }
    }

    @Test(arguments: [#"{"experiment_id": 1.5}"#, #"{"experiment_id": true}"#, #"{"experiment_id": null}"#, #"{"experiment_id": -4}"#, #"{"experiment_id": ["1"]}"#, #"{}"#])
    func deleteRefusesABadId(_ body: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "experiment_id") {
                try await $0.post("\(Self.base)/delete", body)
            }
        }
    }
}
