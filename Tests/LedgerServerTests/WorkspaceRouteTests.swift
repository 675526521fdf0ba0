import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// `/api/3.0/mlflow/workspaces` (list, create, get, update, delete), server-info and health.
@Suite("Workspace routes")
struct WorkspaceRouteTests {
    static let workspaces = "/api/3.0/mlflow/workspaces"

    // MARK: List

    @Test func listAnswersDefaultInMLflowShape() async throws {
        try await withTestServer { server in
            let response = try await server.get(Self.workspaces)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.text == #"{"workspaces":[{"name":"default","description":"Default workspace for legacy resources"}]}"#)
        }
    }

    @Test func listIsSortedByNameUnderBothPrefixes() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-b")
            try await server.createWorkspace("team-a", description: "A")
            try await server.createWorkspace("a1")
            for prefix in ["/api", "/ajax-api"] {
                let response = try await server.get("\(prefix)/3.0/mlflow/workspaces")
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body.sortedKeys == ["workspaces"], "no next_page_token without paging")
                let names = try body.objects("workspaces").compactMap { $0["name"] as? String }
                #expect(names == ["a1", "default", "team-a", "team-b"])
                let teamA = try #require(try body.objects("workspaces").first { $0["name"] as? String == "team-a" })
                #expect(teamA.sortedKeys == ["description", "name"])
            }
        }
    }

    @Test func listPagesWithMaxResultsAndPageToken() async throws {
        try await withTestServer { server in
            for name in ["w1", "w2", "w3", "w4"] { try await server.createWorkspace(name) }
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                var uri = "\(Self.workspaces)?max_results=2"
                if let token { uri += "&page_token=\(query(token))" }
                let body = try await server.get(uri).json()
                let names = try body.objects("workspaces").compactMap { $0["name"] as? String }
                #expect(names.count <= 2)
                seen += names
                token = body["next_page_token"] as? String
                #expect(token != "", "the last page has no token, never an empty one")
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == ["default", "w1", "w2", "w3", "w4"])
        }
    }

    @Test func anEmptyPageIsAnEmptyObject() async throws {
        try await withTestServer { server in
            // A token positioned after the last name: nothing follows it.
            let token = Data([1] + Array("zz".utf8)).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let response = try await server.get("\(Self.workspaces)?max_results=5&page_token=\(token)")
            #expect(response.status == .ok)
            #expect(response.text == "{}")
        }
    }

    @Test(arguments: [
        ("max_results=0", "max_results"),
        ("max_results=50001", "max_results"),
        ("max_results=-3", "max_results"),
        ("max_results=abc", "max_results"),
        ("max_results=1.5", "max_results"),
        ("page_token=not-a-token!!", "page_token"),
        ("page_token=Ag", "page_token"), // a token of another listing (experiments)
    ])
    func listRefusesBadPaging(_ parameters: String, _ field: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: field) {
                try await $0.get("\(Self.workspaces)?\(parameters)")
            }
        }
    }

    // MARK: Create

    @Test func createAnswers201WithTheWorkspaceAndRecordsIt() async throws {
        try await withTestServer { server in
            let before = try server.ledger.head()
            let response = try await server.post(Self.workspaces, #"{"name": "team-a", "description": "A"}"#)
            #expect(response.status == .created)
            #expect(response.text == #"{"workspace":{"name":"team-a","description":"A"}}"#)
            let events = try server.events(after: before)
            #expect(events.map(\.type) == [.workspaceCreated])
            #expect(events.first?.workspace == "team-a")
            #expect(events.first?.actor == "anonymous")
            // Creating a workspace creates no experiment in it.
            #expect(try await server.post("/api/2.0/mlflow/experiments/search", "{}", workspace: "team-a").text == "{}")
        }
    }

    @Test func createOmitsUnsetOptionalsAndKeepsGivenOnes() async throws {
        try await withTestServer { server in
            let bare = try await server.post(Self.workspaces, #"{"name": "bare"}"#)
            #expect(bare.status == .created)
            #expect(bare.text == #"{"workspace":{"name":"bare"}}"#)

            let empty = try await server.post(Self.workspaces, #"{"name": "empty-description", "description": ""}"#)
            #expect(empty.text == #"{"workspace":{"name":"empty-description","description":""}}"#)

            let rooted = try await server.post(Self.workspaces, #"{"name": "rooted", "defaultArtifactRoot": "s3://bucket/rooted"}"#)
            #expect(rooted.status == .created)
            #expect(rooted.text == #"{"workspace":{"name":"rooted","default_artifact_root":"s3://bucket/rooted"}}"#)

            // A blank root is no root.
            let blank = try await server.post(Self.workspaces, #"{"name": "blank-root", "default_artifact_root": "   "}"#)
            #expect(blank.text == #"{"workspace":{"name":"blank-root"}}"#)
        }
    }

    @Test func aDoubleEncodedBodyIsDecodedAgainAsMLflowDoes() async throws {
        try await withTestServer { server in
            let response = try await server.post(Self.workspaces, #""{\"name\": \"twice\"}""#)
            #expect(response.status == .created)
            #expect(response.text == #"{"workspace":{"name":"twice"}}"#)
        }
    }

    @Test func createRefusesADuplicateName() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS", naming: "team-a") {
                try await $0.post(Self.workspaces, #"{"name": "team-a"}"#)
            }
        }
    }

    @Test(arguments: ["a--b", "team--a", "Bad_Name", "A", "a", "-ab", "ab-", "team a", "tëam", "team.a", String(repeating: "x", count: 64), "team-a\n"])
    func createRefusesAnInvalidName(_ name: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "Workspace name") {
                try await $0.post(Self.workspaces, try jsonText(["name": name]))
            }
        }
    }

    @Test(arguments: ["default", "workspaces", "api", "ajax-api", "static-files"])
    func createRefusesAReservedName(_ name: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "reserved") {
                try await $0.post(Self.workspaces, try jsonText(["name": name]))
            }
        }
    }

    @Test(arguments: [
        (#"{}"#, "'name'"),
        (#"{"name": ""}"#, "'name'"),
        (#"{"name": null}"#, "'name'"),
        (#"{"name": 42}"#, "'name'"),
        (#"{"name": ["team-a"]}"#, "'name'"),
        (#"{"name": "team-a", "description": null}"#, "'description'"),
        (#"{"name": "team-a", "description": 7}"#, "'description'"),
        (#"{"name": "team-a", "default_artifact_root": false}"#, "'default_artifact_root'"),
        (#"{"name": "team-a", "default_artifact_root": "relative/path"}"#, "default_artifact_root"),
        (#"{"name": "team-a", "default_artifact_root": "s3://b/x#frag"}"#, "default_artifact_root"),
        (#"{"name": "team-a", "default_artifact_root": "/a", "defaultArtifactRoot": "/b"}"#, "provide only one"),
        (#"{"name": "team-a", "trace_archival_config": {"location": "s3://x"}}"#, "trace_archival_config"),
    ])
    func createRefusesABadField(_ body: String, _ naming: String) async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.post(Self.workspaces, body)
            }
        }
    }

    // MARK: Get

    @Test func getAnswersTheWorkspace() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a", description: "A")
            let response = try await server.get("\(Self.workspaces)/team-a")
            #expect(response.status == .ok)
            #expect(response.text == #"{"workspace":{"name":"team-a","description":"A"}}"#)
            let fallback = try await server.get("/ajax-api/3.0/mlflow/workspaces/default")
            #expect(fallback.text == #"{"workspace":{"name":"default","description":"Default workspace for legacy resources"}}"#)
        }
    }

    @Test func getRefusesAnUnknownOrInvalidName() async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "nope-x") {
                try await $0.get("\(Self.workspaces)/nope-x")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "Nope_X") {
                try await $0.get("\(Self.workspaces)/Nope_X")
            }
        }
    }

    // MARK: Update

    @Test func updateChangesDescriptionAndArtifactRoot() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a", description: "A")
            let before = try server.ledger.head()
            let described = try await server.patch("\(Self.workspaces)/team-a", #"{"description": "A2", "name": "ignored"}"#)
            #expect(described.status == .ok)
            #expect(described.text == #"{"workspace":{"name":"team-a","description":"A2"}}"#)

            let rooted = try await server.patch("\(Self.workspaces)/team-a", #"{"default_artifact_root": "/srv/artifacts/ta"}"#)
            #expect(rooted.text == #"{"workspace":{"name":"team-a","description":"A2","default_artifact_root":"/srv/artifacts/ta"}}"#)

            let cleared = try await server.patch("\(Self.workspaces)/team-a", #"{"default_artifact_root": ""}"#)
            #expect(cleared.text == #"{"workspace":{"name":"team-a","description":"A2"}}"#)
            #expect(try server.events(after: before).map(\.type) == [.workspaceUpdated, .workspaceUpdated, .workspaceUpdated])

            // `default` may be updated.
            let fallback = try await server.patch("/ajax-api/3.0/mlflow/workspaces/default", #"{"description": "legacy"}"#)
            #expect(fallback.text == #"{"workspace":{"name":"default","description":"legacy"}}"#)
        }
    }

    @Test(arguments: [
        (#"{}"#, "at least one key"),
        (#"{"name": "other"}"#, "at least one key"),
        (#"{"description": null}"#, "'description'"),
        (#"{"description": 1}"#, "'description'"),
        (#"{"default_artifact_root": "rel/path"}"#, "default_artifact_root"),
        (#"{"trace_archival_config": {}}"#, "trace_archival_config"),
    ])
    func updateRefusesABadBody(_ body: String, _ naming: String) async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a", description: "A")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: naming) {
                try await $0.patch("\(Self.workspaces)/team-a", body)
            }
        }
    }

    @Test func updateRefusesAnUnknownOrInvalidWorkspace() async throws {
        try await withTestServer { server in
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "nope-x") {
                try await $0.patch("\(Self.workspaces)/nope-x", #"{"description": "x"}"#)
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "Nope_X") {
                try await $0.patch("\(Self.workspaces)/Nope_X", #"{"description": "x"}"#)
            }
        }
    }

    // MARK: Delete

    @Test func deleteAnEmptyWorkspaceAnswers204() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let before = try server.ledger.head()
            let response = try await server.delete("\(Self.workspaces)/team-a")
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            #expect(try server.events(after: before).map(\.type) == [.workspaceDeleted])
            #expect(try await server.get("\(Self.workspaces)/team-a").status == .notFound)
        }
    }

    @Test func restrictRefusesANonEmptyWorkspaceWith409() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            _ = try await server.createExperiment("exp", workspace: "team-a")
            for uri in ["\(Self.workspaces)/team-a", "\(Self.workspaces)/team-a?mode=RESTRICT"] {
                try await server.expectRefusal(.conflict, "INVALID_STATE", naming: "team-a") { try await $0.delete(uri) }
            }
            // Soft-deleted experiments still count.
            let id = try await server.createExperiment("exp2", workspace: "team-a")
            _ = try await server.post("/api/2.0/mlflow/experiments/delete", #"{"experiment_id": "\#(id)"}"#, workspace: "team-a")
            try await server.expectRefusal(.conflict, "INVALID_STATE") { try await $0.delete("\(Self.workspaces)/team-a") }
            #expect(try await server.get("\(Self.workspaces)/team-a").status == .ok)
        }
    }

    @Test func cascadeRemovesEverythingInTheWorkspace() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("exp", workspace: "team-a")
            _ = try await server.createRun(experimentID: id, workspace: "team-a")
            try await server.createModel("model", workspace: "team-a")
            let response = try await server.delete("\(Self.workspaces)/team-a?mode=CASCADE")
            #expect(response.status == .noContent)
            #expect(try await server.get("\(Self.workspaces)/team-a").status == .notFound)
            #expect(try server.ledger.listWorkspaces().items.map(\.name) == ["default"])
            // The experiment went with it: it is not visible from default either.
            #expect(try await server.get("/api/2.0/mlflow/experiments/get?experiment_id=\(id)").status == .notFound)
        }
    }

    @Test func setDefaultMovesResourcesToDefault() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            let id = try await server.createExperiment("moved-exp", workspace: "team-a")
            try await server.createModel("moved-model", workspace: "team-a")
            let response = try await server.delete("/ajax-api/3.0/mlflow/workspaces/team-a?mode=SET_DEFAULT")
            #expect(response.status == .noContent)
            let moved = try await server.get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=moved-exp").json()
            #expect(try moved.object("experiment")["experiment_id"] as? String == id)
            #expect(try moved.object("experiment")["workspace"] as? String == "default")
            #expect(try await server.get("/api/2.0/mlflow/registered-models/get?name=moved-model").status == .ok)
        }
    }

    @Test func setDefaultRefusesANameClashWith409() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            _ = try await server.createExperiment("shared", workspace: "team-a")
            _ = try await server.createExperiment("shared")
            try await server.expectRefusal(.conflict, "INVALID_STATE", naming: "shared") {
                try await $0.delete("\(Self.workspaces)/team-a?mode=SET_DEFAULT")
            }
            #expect(try await server.get("\(Self.workspaces)/team-a").status == .ok)
        }
    }

    @Test(arguments: ["cascade", "Restrict", "set_default", "ALL", ""])
    func deleteRefusesAnUnknownMode(_ mode: String) async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "Invalid deletion mode '\(mode)'") {
                try await $0.delete("\(Self.workspaces)/team-a?mode=\(mode)")
            }
        }
    }

    @Test func deleteRefusesDefaultUnknownAndInvalidNames() async throws {
        try await withTestServer { server in
            for mode in ["", "?mode=CASCADE", "?mode=SET_DEFAULT"] {
                try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "'default' workspace is reserved") {
                    try await $0.delete("\(Self.workspaces)/default\(mode)")
                }
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST", naming: "nope-x") {
                try await $0.delete("\(Self.workspaces)/nope-x")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "a--b") {
                try await $0.delete("\(Self.workspaces)/a--b")
            }
        }
    }

    // MARK: Server info and health

    @Test(arguments: ["/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info"])
    func serverInfoSaysWorkspacesAreEnabled(_ path: String) async throws {
        try await withTestServer { server in
            let response = try await server.get(path)
            #expect(response.status == .ok)
            let body = try response.json()
            #expect(body["workspaces_enabled"] as? Bool == true)
            // The capability probe works whatever the header says.
            #expect(try await server.get(path, workspace: "nope-x").status == .ok)
            #expect(try await server.get(path, workspace: "Bad_Name").status == .ok)
        }
    }

    @Test func healthAnswers200() async throws {
        try await withTestServer { server in
            let response = try await server.get("/health")
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"OK"}"#)
        }
    }

    // MARK: Query strings

    /// `?username=` of a grant revoke and `?mode=` of a delete are form values, as every other
    /// query parameter (and MLflow's server) reads them: `+` is a space.
    @Test func revokeAndDeleteReadTheirQueryAsAForm() async throws {
        try await withTestServer { server in
            try await server.createWorkspace("team-a")
            _ = try await server.ledger.createUser(username: "ann lee", password: "ann-password", hashRounds: 1_000, context: .system())
            let grant = try await server.post("\(Self.workspaces)/team-a/permissions", #"{"username": "ann lee", "permission": "READ"}"#)
            #expect(grant.status == .ok, "\(grant.text)")
            let revoked = try await server.delete("\(Self.workspaces)/team-a/permissions?username=ann+lee")
            #expect(revoked.status == .noContent, "\(revoked.text)")
            #expect(try server.ledger.grants(on: .workspace("team-a")).isEmpty)

            _ = try await server.createExperiment("kept", workspace: "team-a")
            let deleted = try await server.delete("\(Self.workspaces)/team-a?%6Dode=SET%5FDEFAULT")
            #expect(deleted.status == .noContent, "\(deleted.text)")
            #expect(try server.ledger.experiment(named: "kept", in: "default").name == "kept")
        }
    }
}
