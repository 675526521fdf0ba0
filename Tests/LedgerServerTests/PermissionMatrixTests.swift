import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// Who calls in one cell of the matrix: an admin, or a user holding `workspace` on `team-a`
/// (nil: no grant) and `resource` on the experiment or model under test (nil: no grant).
struct Holder: Sendable, CustomTestStringConvertible {
    var isAdmin = false
    var workspace: PermissionLevel?
    var resource: PermissionLevel?

    var testDescription: String {
        isAdmin ? "admin" : "workspace \(workspace?.rawValue ?? "none") + resource \(resource?.rawValue ?? "none")"
    }

    /// SPEC §2.5: admin → everything; an explicit grant on the resource → that grant, even if
    /// lower; otherwise the grant on its workspace; otherwise NO_PERMISSIONS.
    var onResource: PermissionLevel { isAdmin ? .manage : resource ?? workspace ?? .noPermissions }
    /// The effective permission on the workspace itself (resource grants do not count).
    var onWorkspace: PermissionLevel { isAdmin ? .manage : workspace ?? .noPermissions }

    /// What each operation needs (SPEC §2.5).
    var mayRead: Bool { onResource >= .read }
    var mayChange: Bool { onResource >= .edit }
    var mayDeleteOrGrant: Bool { onResource >= .manage }
    var mayCreateInWorkspace: Bool { onWorkspace >= .edit }
    var seesWorkspace: Bool { onWorkspace >= .read }
    var managesWorkspace: Bool { onWorkspace >= .manage }

    /// Every workspace level (and none) times no resource grant or a grant of each level, so
    /// that resource grants above (workspace READ + resource MANAGE) and below (workspace EDIT +
    /// resource READ, workspace MANAGE + resource NO_PERMISSIONS) are both covered; plus an admin.
    static let all: [Holder] = {
        let workspaceLevels: [PermissionLevel?] = [nil] + PermissionLevel.allCases.map { $0 }
        let resourceLevels: [PermissionLevel?] = [nil, .noPermissions, .read, .edit, .manage]
        var holders = [Holder(isAdmin: true)]
        for workspace in workspaceLevels {
            for resource in resourceLevels { holders.append(Holder(workspace: workspace, resource: resource)) }
        }
        return holders
    }()
}

/// The permission matrix of issue 5: each holder times each operation, with the exact status
/// derived from the rules of SPEC §2.5. Refusals are 403 `PERMISSION_DENIED` and write nothing;
/// another workspace's resource is 404; allowed changes are events whose actor is the caller.
@Suite("Permission matrix")
struct PermissionMatrixTests {
    static let tracking = "/api/2.0/mlflow"
    static let workspaces = "/api/3.0/mlflow/workspaces"

    /// Sends one request and checks the outcome: when `allowed`, `status` and every appended
    /// event acted by `client`; otherwise 403 PERMISSION_DENIED with nothing written.
    @discardableResult
    static func check(
        _ server: AuthServer, _ client: AuthClient, _ what: String, allowed: Bool, status: HTTPResponse.Status = .ok,
        sourceLocation: SourceLocation = #_sourceLocation, _ send: () async throws -> TestResponse
    ) async throws -> TestResponse? {
        guard allowed else {
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED", sourceLocation: sourceLocation) { try await send() }
            return nil
        }
        let before = try server.ledger.head()
        let response = try await send()
        #expect(response.status == status, "\(what): expected \(status), got \(response.status) \(response.text)", sourceLocation: sourceLocation)
        for event in try server.base.events(after: before) {
            #expect(event.actor == client.username, "\(what): event \(event.type) acted by \(event.actor)", sourceLocation: sourceLocation)
        }
        return response
    }

    /// `team-a` holds the resource under test; `team-b` holds another one the caller has no grant on.
    /// Returns the caller (`alice`, or the admin).
    static func caller(_ holder: Holder, _ server: AuthServer) async throws -> AuthClient {
        try await server.admin.createWorkspace("team-a")
        try await server.admin.createWorkspace("team-b")
        try await server.makeUser("bob")
        if holder.isAdmin { return server.admin }
        let alice = try await server.makeUser("alice")
        if let level = holder.workspace { try await server.admin.grantWorkspace("team-a", "alice", level) }
        return alice
    }

    // MARK: Experiments

    @Test("experiments", arguments: Holder.all)
    func experiments(_ holder: Holder) async throws {
        try await withAuthServer { server in
            let user = try await Self.caller(holder, server)
            let admin = server.admin
            let id = try await admin.createExperiment("exp", workspace: "team-a")
            let runID = try await admin.createRun(experimentID: id, workspace: "team-a")
            let otherID = try await admin.createExperiment("exp-b", workspace: "team-b")
            if let level = holder.resource { try await admin.grantExperiment(id, "alice", level, workspace: "team-a") }
            let t = Self.tracking

            // Reads.
            try await Self.check(server, user, "get experiment", allowed: holder.mayRead) {
                try await user.get("\(t)/experiments/get?experiment_id=\(id)", workspace: "team-a")
            }
            try await Self.check(server, user, "get experiment by name", allowed: holder.mayRead) {
                try await user.get("\(t)/experiments/get-by-name?experiment_name=exp", workspace: "team-a")
            }
            try await Self.check(server, user, "get run", allowed: holder.mayRead) {
                try await user.get("\(t)/runs/get?run_id=\(runID)", workspace: "team-a")
            }
            try await Self.check(server, user, "get metric history", allowed: holder.mayRead) {
                try await user.get("\(t)/metrics/get-history?run_id=\(runID)&metric_key=loss", workspace: "team-a")
            }

            // Searches and lists: always 200, holding only what the caller may read.
            let search = try await user.post("\(t)/experiments/search", "{}", workspace: "team-a")
            #expect(search.status == .ok, "search: \(search.text)")
            let found = (try search.json()["experiments"] as? [[String: Any]] ?? []).compactMap { $0["experiment_id"] as? String }
            #expect(found.contains(id) == holder.mayRead, "search found \(found)")
            #expect(!found.contains(otherID))
            let listed = try await user.get("\(t)/experiments/list", workspace: "team-a")
            #expect(listed.status == .ok)
            let listedIDs = (try listed.json()["experiments"] as? [[String: Any]] ?? []).compactMap { $0["experiment_id"] as? String }
            #expect(listedIDs.contains(id) == holder.mayRead, "experiments/list found \(listedIDs)")
            let runs = try await user.post("\(t)/runs/search", try jsonText(["experiment_ids": [id]]), workspace: "team-a")
            #expect(runs.status == .ok, "runs search: \(runs.text)")
            let runIDs = (try runs.json()["runs"] as? [[String: Any]] ?? []).compactMap { ($0["info"] as? [String: Any])?["run_id"] as? String }
            #expect(runIDs == (holder.mayRead ? [runID] : []), "runs search found \(runIDs)")
            try await Self.checkWorkspaceReads(holder, server, user)

            // Another workspace's experiment does not exist from team-a: 404, never 403.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await user.get("\(t)/experiments/get?experiment_id=\(otherID)", workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await user.post("\(t)/experiments/delete", try jsonText(["experiment_id": otherID]), workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await user.post("\(t)/experiments/permissions/create", try jsonText(["experiment_id": otherID, "username": "bob", "permission": "READ"]), workspace: "team-a")
            }

            // Changes need EDIT.
            try await Self.check(server, user, "log metric", allowed: holder.mayChange) {
                try await user.post("\(t)/runs/log-metric", try jsonText(["run_id": runID, "key": "loss", "value": 0.5, "timestamp": 1_700_000_000_000]), workspace: "team-a")
            }
            try await Self.check(server, user, "set experiment tag", allowed: holder.mayChange) {
                try await user.post("\(t)/experiments/set-experiment-tag", try jsonText(["experiment_id": id, "key": "k", "value": "v"]), workspace: "team-a")
            }
            try await Self.check(server, user, "rename experiment", allowed: holder.mayChange) {
                try await user.post("\(t)/experiments/update", try jsonText(["experiment_id": id, "new_name": "exp-renamed"]), workspace: "team-a")
            }

            // Creating in the workspace needs EDIT on the workspace; the creator gets MANAGE.
            if let response = try await Self.check(server, user, "create experiment", allowed: holder.mayCreateInWorkspace, {
                try await user.post("\(t)/experiments/create", #"{"name": "made-by-caller"}"#, workspace: "team-a")
            }) {
                let created = try #require(try response.json()["experiment_id"] as? String)
                let grant = try server.ledger.grant(of: user.username, on: .experiment(id: try #require(Int64(created)), workspace: "team-a"))
                #expect(grant == .manage, "the creator holds \(String(describing: grant)) on what it created")
                let followUp = try await user.post("\(t)/experiments/delete", try jsonText(["experiment_id": created]), workspace: "team-a")
                #expect(followUp.status == .ok, "the creator may delete what it created: \(followUp.text)")
            }

            // Grants and deletes need MANAGE.
            try await Self.check(server, user, "grant on experiment", allowed: holder.mayDeleteOrGrant) {
                try await user.post("\(t)/experiments/permissions/create", try jsonText(["experiment_id": id, "username": "bob", "permission": "READ"]), workspace: "team-a")
            }
            try await Self.check(server, user, "get grant on experiment", allowed: holder.mayDeleteOrGrant) {
                try await user.get("\(t)/experiments/permissions/get?experiment_id=\(id)&username=bob", workspace: "team-a")
            }
            if holder.mayDeleteOrGrant {
                // Bob's grant exists now (created above): update and delete it.
                try await Self.check(server, user, "update grant on experiment", allowed: true) {
                    try await user.patch("\(t)/experiments/permissions/update", try jsonText(["experiment_id": id, "username": "bob", "permission": "EDIT"]), workspace: "team-a")
                }
                try await Self.check(server, user, "delete grant on experiment", allowed: true) {
                    try await user.delete("\(t)/experiments/permissions/delete", try jsonText(["experiment_id": id, "username": "bob"]), workspace: "team-a")
                }
            } else {
                try await Self.check(server, user, "update grant on experiment", allowed: false) {
                    try await user.patch("\(t)/experiments/permissions/update", try jsonText(["experiment_id": id, "username": "alice", "permission": "MANAGE"]), workspace: "team-a")
                }
            }
            try await Self.check(server, user, "delete run", allowed: holder.mayDeleteOrGrant) {
                try await user.post("\(t)/runs/delete", try jsonText(["run_id": runID]), workspace: "team-a")
            }
            try await Self.check(server, user, "delete experiment", allowed: holder.mayDeleteOrGrant) {
                try await user.post("\(t)/experiments/delete", try jsonText(["experiment_id": id]), workspace: "team-a")
            }
            try await Self.checkWorkspaceAdministration(holder, server, user)
        }
    }

    // MARK: Registered models

    @Test("registered models", arguments: Holder.all)
    func registeredModels(_ holder: Holder) async throws {
        try await withAuthServer { server in
            let user = try await Self.caller(holder, server)
            let admin = server.admin
            try await admin.createModel("model", workspace: "team-a")
            try await admin.createModel("model-b", workspace: "team-b")
            if let level = holder.resource { try await admin.grantModel("model", "alice", level, workspace: "team-a") }
            let m = "\(Self.tracking)/registered-models"

            try await Self.check(server, user, "get model", allowed: holder.mayRead) {
                try await user.get("\(m)/get?name=model", workspace: "team-a")
            }
            let search = try await user.get("\(m)/search", workspace: "team-a")
            #expect(search.status == .ok, "search: \(search.text)")
            let found = (try search.json()["registered_models"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(found == (holder.mayRead ? ["model"] : []), "search found \(found)")
            try await Self.checkWorkspaceReads(holder, server, user)

            // Another workspace's model does not exist from team-a: 404, never 403.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await user.get("\(m)/get?name=model-b", workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await user.delete("\(m)/delete", #"{"name": "model-b"}"#, workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await user.post("\(m)/permissions/create", #"{"name": "model-b", "username": "bob", "permission": "READ"}"#, workspace: "team-a")
            }

            try await Self.check(server, user, "set model tag", allowed: holder.mayChange) {
                try await user.post("\(m)/set-tag", #"{"name": "model", "key": "k", "value": "v"}"#, workspace: "team-a")
            }
            try await Self.check(server, user, "update model", allowed: holder.mayChange) {
                try await user.patch("\(m)/update", #"{"name": "model", "description": "d"}"#, workspace: "team-a")
            }
            try await Self.check(server, user, "rename model", allowed: holder.mayChange) {
                try await user.post("\(m)/rename", #"{"name": "model", "new_name": "model-renamed"}"#, workspace: "team-a")
            }
            let name = holder.mayChange ? "model-renamed" : "model"

            if let response = try await Self.check(server, user, "create model", allowed: holder.mayCreateInWorkspace, {
                try await user.post("\(m)/create", #"{"name": "made-by-caller"}"#, workspace: "team-a")
            }) {
                #expect((try response.json().object("registered_model"))["name"] as? String == "made-by-caller")
                let grant = try server.ledger.grant(of: user.username, on: .registeredModel(name: "made-by-caller", workspace: "team-a"))
                #expect(grant == .manage, "the creator holds \(String(describing: grant)) on what it created")
            }

            try await Self.check(server, user, "grant on model", allowed: holder.mayDeleteOrGrant) {
                try await user.post("\(m)/permissions/create", try jsonText(["name": name, "username": "bob", "permission": "READ"]), workspace: "team-a")
            }
            try await Self.check(server, user, "get grant on model", allowed: holder.mayDeleteOrGrant) {
                try await user.get("\(m)/permissions/get?name=\(name)&username=bob", workspace: "team-a")
            }
            try await Self.check(server, user, "update grant on model", allowed: holder.mayDeleteOrGrant) {
                try await user.patch("\(m)/permissions/update", try jsonText(["name": name, "username": "bob", "permission": "EDIT"]), workspace: "team-a")
            }
            try await Self.check(server, user, "delete grant on model", allowed: holder.mayDeleteOrGrant) {
                try await user.delete("\(m)/permissions/delete", try jsonText(["name": name, "username": "bob"]), workspace: "team-a")
            }
            try await Self.check(server, user, "delete model", allowed: holder.mayDeleteOrGrant) {
                try await user.delete("\(m)/delete", try jsonText(["name": name]), workspace: "team-a")
            }
            try await Self.checkWorkspaceAdministration(holder, server, user)
        }
    }

    // MARK: Workspaces

    /// Listing workspaces shows team-a exactly when the caller may read it (never team-b, where
    /// the caller has nothing, unless admin); getting team-a needs READ on it.
    static func checkWorkspaceReads(_ holder: Holder, _ server: AuthServer, _ user: AuthClient, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let list = try await user.get(workspaces)
        #expect(list.status == .ok, "list workspaces: \(list.text)", sourceLocation: sourceLocation)
        let names = (try list.json()["workspaces"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let expected = holder.isAdmin ? ["default", "team-a", "team-b"] : (holder.seesWorkspace ? ["team-a"] : [])
        #expect(names == expected, "list workspaces as \(holder.testDescription)", sourceLocation: sourceLocation)
        try await check(server, user, "get workspace", allowed: holder.seesWorkspace, sourceLocation: sourceLocation) {
            try await user.get("\(workspaces)/team-a")
        }
    }

    /// Workspace create/update/delete: admins only. Workspace grants: admins and MANAGE holders.
    static func checkWorkspaceAdministration(_ holder: Holder, _ server: AuthServer, _ user: AuthClient) async throws {
        try await check(server, user, "list workspace grants", allowed: holder.managesWorkspace) {
            try await user.get("\(workspaces)/team-a/permissions")
        }
        try await check(server, user, "set workspace grant", allowed: holder.managesWorkspace) {
            try await user.post("\(workspaces)/team-a/permissions", #"{"username": "bob", "permission": "READ"}"#)
        }
        try await check(server, user, "revoke workspace grant", allowed: holder.managesWorkspace, status: .noContent) {
            try await user.delete("\(workspaces)/team-a/permissions?username=bob")
        }
        try await check(server, user, "list a user's workspace grants", allowed: holder.isAdmin) {
            try await user.get("/api/3.0/mlflow/workspace-permissions?username=bob")
        }
        try await check(server, user, "create workspace", allowed: holder.isAdmin, status: .created) {
            try await user.post(workspaces, #"{"name": "team-c"}"#)
        }
        try await check(server, user, "update workspace", allowed: holder.isAdmin) {
            try await user.patch("\(workspaces)/team-a", #"{"description": "changed"}"#)
        }
        try await check(server, user, "delete workspace", allowed: holder.isAdmin, status: .noContent) {
            try await user.delete("\(workspaces)/team-a?mode=CASCADE")
        }
    }
}
