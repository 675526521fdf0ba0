import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Logging
import Synchronization
import Testing
@testable import LedgerServer

/// `ledger serve --auth`: HTTP Basic, the users endpoints, the grant endpoints, the default
/// workspace floor, actors, and that no password or hash reaches a log line or the audit trail.
@Suite("Authentication")
struct AuthenticationTests {
    static let users = "/api/2.0/mlflow/users"
    static let workspaces = "/api/3.0/mlflow/workspaces"

    // MARK: 401, 403, 404

    enum BadCredentials: String, CaseIterable, Sendable {
        case none, wrongPassword, unknownUser, emptyPassword, notBasic, notBase64, noColon

        func client(_ server: AuthServer) -> AuthClient {
            switch self {
            case .none: server.anonymous
            case .wrongPassword: server.client("alice", "not-her-password")
            case .unknownUser: server.client("mallory", AuthServer.password(of: "alice"))
            case .emptyPassword: server.client("alice", "")
            case .notBasic: AuthClient(server: server.base, username: "alice", rawAuthorization: "Bearer \(AuthServer.password(of: "alice"))")
            case .notBase64: AuthClient(server: server.base, username: "alice", rawAuthorization: "Basic !!!not-base64!!!")
            case .noColon: AuthClient(server: server.base, username: "alice", rawAuthorization: "Basic " + Data("alice".utf8).base64EncodedString())
            }
        }
    }

    /// Expects 401 UNAUTHENTICATED with the Basic challenge, nothing written.
    static func expectUnauthenticated(_ server: AuthServer, sourceLocation: SourceLocation = #_sourceLocation, _ send: () async throws -> TestResponse) async throws {
        let before = try server.ledger.head()
        let response = try await send()
        #expect(try server.ledger.head() == before, "a refused request wrote", sourceLocation: sourceLocation)
        #expect(response.status == .unauthorized, "expected 401, got \(response.status) \(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers[.wwwAuthenticate] == #"Basic realm="mlflow""#, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
        #expect(try response.json(sourceLocation: sourceLocation)["error_code"] as? String == "UNAUTHENTICATED", sourceLocation: sourceLocation)
    }

    @Test("no or wrong credentials are 401 with the Basic challenge", arguments: BadCredentials.allCases)
    func unauthenticated(_ credentials: BadCredentials) async throws {
        try await withAuthServer { server in
            try await server.makeUser("alice", isAdmin: true)
            // Alice's real credentials work (and are now cached).
            #expect(try await server.client("alice").get(Self.workspaces).status == .ok)
            let client = credentials.client(server)
            try await Self.expectUnauthenticated(server) { try await client.get(Self.workspaces) }
            try await Self.expectUnauthenticated(server) { try await client.get("/api/2.0/mlflow/experiments/get?experiment_id=0") }
            try await Self.expectUnauthenticated(server) { try await client.post("/api/2.0/mlflow/experiments/create", #"{"name": "x"}"#) }
            try await Self.expectUnauthenticated(server) { try await client.post(Self.workspaces, #"{"name": "team-x"}"#) }
            try await Self.expectUnauthenticated(server) { try await client.get("\(Self.users)/list") }
            try await Self.expectUnauthenticated(server) { try await client.get("/ajax-api/2.0/mlflow/experiments/search") }
            // 401 comes before routing: an unknown route or workspace says nothing without credentials.
            try await Self.expectUnauthenticated(server) { try await client.get("/api/2.0/mlflow/no-such-route") }
            try await Self.expectUnauthenticated(server) { try await client.get("/api/2.0/mlflow/experiments/get?experiment_id=0", workspace: "no-such-ws") }
        }
    }

    @Test func healthAndServerInfoStayPublic() async throws {
        try await withAuthServer { server in
            for path in ["/health", "/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info"] {
                let response = try await server.anonymous.get(path)
                #expect(response.status == .ok, "\(path): \(response.status) \(response.text)")
                #expect(response.headers[.wwwAuthenticate] == nil)
            }
            #expect(try await server.anonymous.get("/api/3.0/mlflow/server-info").json()["workspaces_enabled"] as? Bool == true)
            // Wrong credentials do not close the public routes either.
            #expect(try await server.client("admin", "wrong").get("/health").status == .ok)
        }
    }

    @Test func forbiddenIsPermissionDeniedAndAnotherWorkspacesResourceIsNotFound() async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            try await admin.createWorkspace("team-b")
            let idB = try await admin.createExperiment("exp-b", workspace: "team-b")
            try await admin.createModel("model-b", workspace: "team-b")
            let nobody = try await server.makeUser("nobody")
            // A user with no grants at all: from team-a, team-b's experiment and model do not exist.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await nobody.get("/api/2.0/mlflow/experiments/get?experiment_id=\(idB)", workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await nobody.post("/api/2.0/mlflow/experiments/update", try jsonText(["experiment_id": idB, "new_name": "x"]), workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await nobody.get("/api/2.0/mlflow/registered-models/get?name=model-b", workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await nobody.get("/api/2.0/mlflow/experiments/get?experiment_id=999999", workspace: "team-a")
            }
            // In their own workspace they exist, and the refusal is 403 naming the user.
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED", naming: "nobody") {
                try await nobody.get("/api/2.0/mlflow/experiments/get?experiment_id=\(idB)", workspace: "team-b")
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await nobody.get("/api/2.0/mlflow/registered-models/get?name=model-b", workspace: "team-b")
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await nobody.post("/api/2.0/mlflow/experiments/create", #"{"name": "x"}"#, workspace: "team-b")
            }
            // A workspace that does not exist is 404 for anyone.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await nobody.get("\(Self.workspaces)/team-zz")
            }
        }
    }

    // MARK: Users

    @Test func createUserIsForAdminsOnly() async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            let before = try server.ledger.head()
            let response = try await server.admin.post("\(Self.users)/create", #"{"username": "bob", "password": "bob-password-1"}"#)
            #expect(response.status == .ok, "\(response.text)")
            let user = try response.json().object("user")
            #expect(user.sortedKeys == ["is_admin", "username"])
            #expect(user["username"] as? String == "bob")
            #expect(user["is_admin"] as? Bool == false)
            #expect(!response.text.contains("bob-password-1"))
            let events = try server.base.events(after: before)
            #expect(events.map(\.type) == [.userCreated])
            #expect(events.allSatisfy { $0.actor == "admin" })
            // The new user can sign in.
            #expect(try await server.client("bob", "bob-password-1").get(Self.workspaces).status == .ok)
            // Others may not create users; duplicates are refused.
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await alice.post("\(Self.users)/create", #"{"username": "carol", "password": "carol-password"}"#)
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await alice.post("\(Self.users)/create", #"{"username": "carol", "password": "carol-password", "is_admin": true}"#)
            }
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS") {
                try await server.admin.post("\(Self.users)/create", #"{"username": "bob", "password": "other-password"}"#)
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "password") {
                try await server.admin.post("\(Self.users)/create", #"{"username": "dave"}"#)
            }
        }
    }

    @Test func getUserIsForThemselfOrAnAdmin() async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            try await server.makeUser("bob")
            let own = try await alice.get("\(Self.users)/get?username=alice")
            #expect(own.status == .ok)
            #expect(try own.json().object("user")["username"] as? String == "alice")
            #expect(try await server.admin.get("\(Self.users)/get?username=bob").status == .ok)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.get("\(Self.users)/get?username=bob") }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.get("\(Self.users)/get?username=admin") }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await server.admin.get("\(Self.users)/get?username=nobody") }
        }
    }

    @Test func listUsersIsForAdminsOnly() async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            let response = try await server.admin.get("\(Self.users)/list")
            #expect(response.status == .ok)
            let users = try response.json().objects("users")
            #expect(users.compactMap { $0["username"] as? String } == ["admin", "alice"])
            #expect(users.first?["is_admin"] as? Bool == true)
            #expect(!response.text.contains("password"))
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.get("\(Self.users)/list") }
        }
    }

    enum PasswordChanger: String, CaseIterable, Sendable { case themself, admin }

    @Test("a password change invalidates the cached credential at once", arguments: PasswordChanger.allCases)
    func updatePassword(_ changer: PasswordChanger) async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            let bob = try await server.makeUser("bob")
            // Verified (and cached) several times with the old password.
            for _ in 0..<3 { #expect(try await alice.get("\(Self.users)/get?username=alice").status == .ok) }
            let caller = changer == .admin ? server.admin : alice
            let before = try server.ledger.head()
            let response = try await caller.patch("\(Self.users)/update-password", #"{"username": "alice", "password": "a-new-password"}"#)
            #expect(response.status == .ok, "\(response.text)")
            let events = try server.base.events(after: before)
            #expect(events.map(\.type) == [.userPasswordChanged])
            #expect(events.first?.actor == caller.username)
            // The old password is refused at once; the new one works.
            try await Self.expectUnauthenticated(server) { try await alice.get("\(Self.users)/get?username=alice") }
            let renewed = server.client("alice", "a-new-password")
            #expect(try await renewed.get("\(Self.users)/get?username=alice").status == .ok)
            // Others' passwords: only admins.
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await bob.patch("\(Self.users)/update-password", #"{"username": "alice", "password": "bob-chose-this"}"#)
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await renewed.patch("\(Self.users)/update-password", #"{"username": "admin", "password": "alice-chose-this"}"#)
            }
            #expect(try await server.admin.get(Self.workspaces).status == .ok)
        }
    }

    @Test func aPasswordChangedOutsideTheServerIsNotServedFromTheCache() async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            #expect(try await alice.get(Self.workspaces).status == .ok)
            // Through the library (as the CLI would): the server's cache is not told.
            try await server.ledger.updatePassword(username: "alice", password: "changed-elsewhere", hashRounds: testHashRounds, context: .system())
            try await Self.expectUnauthenticated(server) { try await alice.get(Self.workspaces) }
            #expect(try await server.client("alice", "changed-elsewhere").get(Self.workspaces).status == .ok)
        }
    }

    @Test func updateAdminIsForAdminsOnly() async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await alice.patch("\(Self.users)/update-admin", #"{"username": "alice", "is_admin": true}"#)
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.post(Self.workspaces, #"{"name": "team-x"}"#) }
            let before = try server.ledger.head()
            #expect(try await server.admin.patch("\(Self.users)/update-admin", #"{"username": "alice", "is_admin": true}"#).status == .ok)
            #expect(try server.base.events(after: before).map(\.actor) == ["admin"])
            // Takes effect on the next request, though alice's credential is cached.
            #expect(try await alice.post(Self.workspaces, #"{"name": "team-x"}"#).status == .created)
            #expect(try await server.admin.patch("\(Self.users)/update-admin", #"{"username": "alice", "is_admin": false}"#).status == .ok)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.post(Self.workspaces, #"{"name": "team-y"}"#) }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await server.admin.patch("\(Self.users)/update-admin", #"{"username": "nobody", "is_admin": true}"#)
            }
        }
    }

    @Test func deletingAUserRefusesTheirCredentialsAndRevokesTheirGrantsAsEvents() async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            let id = try await admin.createExperiment("exp", workspace: "team-a")
            try await admin.createModel("model", workspace: "team-a")
            let alice = try await server.makeUser("alice")
            let bob = try await server.makeUser("bob")
            try await admin.grantWorkspace("team-a", "alice", .edit)
            try await admin.grantExperiment(id, "alice", .read, workspace: "team-a")
            try await admin.grantModel("model", "alice", .manage, workspace: "team-a")
            // Alice creates an experiment: she holds MANAGE on it (a fourth grant).
            let own = try await alice.createExperiment("alices", workspace: "team-a")
            #expect(try server.ledger.grants(of: "alice").count == 4)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await bob.delete("\(Self.users)/delete", #"{"username": "alice"}"#) }

            let before = try server.ledger.head()
            let response = try await admin.delete("\(Self.users)/delete", #"{"username": "alice"}"#)
            #expect(response.status == .ok, "\(response.text)")
            let events = try server.base.events(after: before)
            #expect(events.filter { $0.type == .grantRevoked }.count == 4)
            #expect(events.last?.type == .userDeleted)
            #expect(events.count == 5)
            #expect(events.allSatisfy { $0.actor == "admin" })
            var revoked: Set<GrantResource> = []
            for event in events {
                if case let .grantRevoked(resource, username, _) = event.payload {
                    #expect(username == "alice")
                    revoked.insert(resource)
                }
            }
            #expect(revoked.count == 4)
            #expect(revoked.contains(.workspace("team-a")))
            #expect(try server.ledger.grants(of: "alice").isEmpty)
            #expect(try server.ledger.grants(on: .experiment(id: try #require(Int64(own)), workspace: "team-a")).isEmpty)
            // Her cached credentials are refused at once.
            try await Self.expectUnauthenticated(server) { try await alice.get(Self.workspaces) }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await admin.delete("\(Self.users)/delete", #"{"username": "alice"}"#) }
            // A new alice starts with nothing.
            let again = try await server.makeUser("alice")
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await again.get("/api/2.0/mlflow/experiments/get?experiment_id=\(id)", workspace: "team-a")
            }
        }
    }

    // MARK: Workspace grants

    @Test func workspaceGrantsAreForAdminsAndManageHolders() async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            try await admin.createWorkspace("team-b")
            let manager = try await server.makeUser("manager")
            let editor = try await server.makeUser("editor")
            try await server.makeUser("bob")
            try await admin.grantWorkspace("team-a", "manager", .manage)
            try await admin.grantWorkspace("team-a", "editor", .edit)
            let path = "\(Self.workspaces)/team-a/permissions"

            // A MANAGE holder grants, lists and revokes on that workspace.
            let before = try server.ledger.head()
            let set = try await manager.post(path, #"{"username": "bob", "permission": "READ"}"#)
            #expect(set.status == .ok, "\(set.text)")
            let granted = try set.json().object("permission")
            #expect(granted["workspace"] as? String == "team-a")
            #expect(granted["username"] as? String == "bob")
            #expect(granted["permission"] as? String == "READ")
            // Upsert.
            #expect(try await manager.post(path, #"{"username": "bob", "permission": "USE"}"#).status == .ok)
            let events = try server.base.events(after: before)
            #expect(events.map(\.type) == [.grantSet, .grantSet])
            #expect(events.allSatisfy { $0.actor == "manager" && $0.workspace == "team-a" })
            let list = try await manager.get(path)
            #expect(list.status == .ok)
            let grants = try list.json().objects("permissions").map { "\($0["username"] as? String ?? "")=\($0["permission"] as? String ?? "")" }.sorted()
            #expect(grants == ["bob=USE", "editor=EDIT", "manager=MANAGE"])
            let revoke = try await manager.delete("\(path)?username=bob")
            #expect(revoke.status == .noContent)
            #expect(try server.ledger.grant(of: "bob", on: .workspace("team-a")) == nil)
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await manager.delete("\(path)?username=bob") }

            // EDIT is not enough; MANAGE on team-a says nothing about team-b.
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await editor.get(path) }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await editor.post(path, #"{"username": "editor", "permission": "MANAGE"}"#) }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await editor.delete("\(path)?username=manager") }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await manager.post("\(Self.workspaces)/team-b/permissions", #"{"username": "manager", "permission": "READ"}"#)
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await manager.get("\(Self.workspaces)/team-b/permissions") }

            // Unknown user or workspace 404; unknown level 400.
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await manager.post(path, #"{"username": "nobody", "permission": "READ"}"#) }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await admin.post("\(Self.workspaces)/team-zz/permissions", #"{"username": "bob", "permission": "READ"}"#)
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await admin.get("\(Self.workspaces)/team-zz/permissions") }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "SUPERUSER") {
                try await manager.post(path, #"{"username": "bob", "permission": "SUPERUSER"}"#)
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE") { try await manager.post(path, #"{"username": "bob", "permission": "read"}"#) }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE", naming: "username") { try await manager.delete(path) }
        }
    }

    @Test func workspacePermissionsOfAUserAreForAdminsOnly() async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            try await admin.createWorkspace("team-b")
            let bob = try await server.makeUser("bob")
            try await admin.grantWorkspace("team-a", "bob", .manage)
            try await admin.grantWorkspace("team-b", "bob", .noPermissions)
            let response = try await admin.get("/api/3.0/mlflow/workspace-permissions?username=bob")
            #expect(response.status == .ok)
            let grants = try response.json().objects("permissions").map { "\($0["workspace"] as? String ?? "")=\($0["permission"] as? String ?? "")" }.sorted()
            #expect(grants == ["team-a=MANAGE", "team-b=NO_PERMISSIONS"])
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await bob.get("/api/3.0/mlflow/workspace-permissions?username=bob") }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await bob.get("/api/3.0/mlflow/workspace-permissions?username=admin") }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await admin.get("/api/3.0/mlflow/workspace-permissions?username=nobody") }
            // NO_PERMISSIONS hides team-b from bob's list.
            let names = (try await bob.get(Self.workspaces).json()["workspaces"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["team-a"])
        }
    }

    // MARK: Resource grants

    enum Resource: String, CaseIterable, Sendable { case experiment, registeredModel }

    @Test("resource grants: the creator gets MANAGE, MANAGE holders grant", arguments: Resource.allCases)
    func resourceGrants(_ kind: Resource) async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            let alice = try await server.makeUser("alice")
            let bob = try await server.makeUser("bob")
            try await server.makeUser("carol")
            try await admin.grantWorkspace("team-a", "alice", .edit)
            let base = kind == .experiment ? "/api/2.0/mlflow/experiments/permissions" : "/api/2.0/mlflow/registered-models/permissions"
            let responseKey = kind == .experiment ? "experiment_permission" : "registered_model_permission"

            // Alice creates the resource: MANAGE on it is an event by alice.
            let before = try server.ledger.head()
            let target: [String: Any]
            if kind == .experiment {
                target = ["experiment_id": try await alice.createExperiment("exp", workspace: "team-a")]
            } else {
                try await alice.createModel("model", workspace: "team-a")
                target = ["name": "model"]
            }
            let events = try server.base.events(after: before)
            #expect(events.map(\.type) == [kind == .experiment ? .experimentCreated : .registeredModelCreated, .grantSet])
            #expect(events.allSatisfy { $0.actor == "alice" })
            if case let .grantSet(_, username, level, _) = events.last?.payload {
                #expect(username == "alice")
                #expect(level == .manage)
            }
            func body(_ extra: [String: Any]) throws -> String { try jsonText(target.merging(extra) { $1 }) }
            func grantQuery(_ username: String) -> String {
                target.map { "\($0.key)=\($0.value)" }.joined(separator: "&") + "&username=\(username)"
            }
            let own = try await alice.get("\(base)/get?\(grantQuery("alice"))", workspace: "team-a")
            #expect(own.status == .ok, "\(own.text)")
            #expect(try own.json().object(responseKey)["permission"] as? String == "MANAGE")

            // As a MANAGE holder, alice grants bob READ: bob may read, not change.
            let created = try await alice.post("\(base)/create", try body(["username": "bob", "permission": "READ"]), workspace: "team-a")
            #expect(created.status == .ok, "\(created.text)")
            let grant = try created.json().object(responseKey)
            #expect(grant["username"] as? String == "bob")
            #expect(grant["permission"] as? String == "READ")
            let readPath = kind == .experiment
                ? "/api/2.0/mlflow/experiments/get?experiment_id=\(target["experiment_id"]!)"
                : "/api/2.0/mlflow/registered-models/get?name=model"
            let read = try await bob.get(readPath, workspace: "team-a")
            #expect(read.status == .ok, "\(read.text)")
            // Bob (READ) may not grant, not even to himself.
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await bob.patch("\(base)/update", try body(["username": "bob", "permission": "MANAGE"]), workspace: "team-a")
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await bob.post("\(base)/create", try body(["username": "carol", "permission": "READ"]), workspace: "team-a")
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await bob.get("\(base)/get?\(grantQuery("bob"))", workspace: "team-a") }
            // Create twice: already exists; update and delete what does not exist: 404.
            try await server.expectRefusal(.badRequest, "RESOURCE_ALREADY_EXISTS") {
                try await alice.post("\(base)/create", try body(["username": "bob", "permission": "EDIT"]), workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await alice.patch("\(base)/update", try body(["username": "carol", "permission": "EDIT"]), workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await alice.delete("\(base)/delete", try body(["username": "carol"]), workspace: "team-a")
            }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") { try await alice.get("\(base)/get?\(grantQuery("carol"))", workspace: "team-a") }
            try await server.expectRefusal(.notFound, "RESOURCE_DOES_NOT_EXIST") {
                try await alice.post("\(base)/create", try body(["username": "nobody", "permission": "READ"]), workspace: "team-a")
            }
            try await server.expectRefusal(.badRequest, "INVALID_PARAMETER_VALUE") {
                try await alice.post("\(base)/create", try body(["username": "carol", "permission": "OWNER"]), workspace: "team-a")
            }
            // Update and delete: events by alice.
            let beforeUpdate = try server.ledger.head()
            #expect(try await alice.patch("\(base)/update", try body(["username": "bob", "permission": "NO_PERMISSIONS"]), workspace: "team-a").status == .ok)
            // An explicit NO_PERMISSIONS on the resource wins over bob's workspace grant.
            try await admin.grantWorkspace("team-a", "bob", .manage)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await bob.get(readPath, workspace: "team-a") }
            #expect(try await alice.delete("\(base)/delete", try body(["username": "bob"]), workspace: "team-a").status == .ok)
            let changes = try server.base.events(after: beforeUpdate)
            #expect(changes.map(\.type) == [.grantSet, .grantSet, .grantRevoked])
            #expect(changes.map(\.actor) == ["alice", "admin", "alice"])
            // Without the resource grant, bob's workspace MANAGE applies again.
            #expect(try await bob.get("\(base)/get?\(grantQuery("alice"))", workspace: "team-a").status == .ok)
        }
    }

    // MARK: --default-workspace-permission

    @Test func theDefaultWorkspaceFloorLetsEveryUserReadDefault() async throws {
        try await withAuthServer(defaultWorkspacePermission: .read) { server in
            try await server.admin.createWorkspace("team-a")
            let alice = try await server.makeUser("alice")
            let names = (try await alice.get(Self.workspaces).json()["workspaces"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["default"])
            #expect(try await alice.get("\(Self.workspaces)/default").status == .ok)
            #expect(try await alice.get("/api/2.0/mlflow/experiments/get?experiment_id=0").status == .ok)
            let search = try await alice.post("/api/2.0/mlflow/experiments/search", "{}")
            #expect((try search.json()["experiments"] as? [[String: Any]] ?? []).compactMap { $0["experiment_id"] as? String } == ["0"])
            // READ, not more.
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.post("/api/2.0/mlflow/experiments/create", #"{"name": "x"}"#) }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") {
                try await alice.post("/api/2.0/mlflow/experiments/update", #"{"experiment_id": "0", "new_name": "x"}"#)
            }
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.get("\(Self.workspaces)/team-a") }
            // An explicit NO_PERMISSIONS in default overrides the floor and hides it.
            try await server.admin.grantWorkspace("default", "alice", .noPermissions)
            #expect(try await alice.get(Self.workspaces).json()["workspaces"] == nil)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.get("/api/2.0/mlflow/experiments/get?experiment_id=0") }
        }
    }

    @Test func withoutTheFloorDefaultIsHidden() async throws {
        try await withAuthServer { server in
            let alice = try await server.makeUser("alice")
            #expect(try await alice.get(Self.workspaces).json()["workspaces"] == nil)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.get("/api/2.0/mlflow/experiments/get?experiment_id=0") }
            let search = try await alice.post("/api/2.0/mlflow/experiments/search", "{}")
            #expect(search.status == .ok)
            #expect(try search.json()["experiments"] == nil)
        }
    }

    // MARK: Actors and workspace deletion

    @Test func everyEventsActorIsTheAuthenticatedUser() async throws {
        try await withAuthServer { server in
            try await server.admin.createWorkspace("team-a")
            let alice = try await server.makeUser("alice")
            try await server.admin.grantWorkspace("team-a", "alice", .edit)
            let before = try server.ledger.head()
            let id = try await alice.createExperiment("exp", workspace: "team-a")
            let runID = try await alice.createRun(experimentID: id, workspace: "team-a")
            #expect(try await alice.post("/api/2.0/mlflow/runs/log-metric", try jsonText(["run_id": runID, "key": "m", "value": 1, "timestamp": 1]), workspace: "team-a").status == .ok)
            try await alice.createModel("model", workspace: "team-a")
            #expect(try await alice.patch("\(Self.users)/update-password", #"{"username": "alice", "password": "fresh-password"}"#).status == .ok)
            let events = try server.base.events(after: before)
            #expect(events.count >= 6)
            for event in events {
                #expect(event.actor == "alice", "\(event.type) by \(event.actor)")
                if case .http = event.source {} else { Issue.record("\(event.type) has source \(event.source.summary)") }
            }
        }
    }

    @Test("deleting a workspace removes its grants, each an event", arguments: ["RESTRICT", "CASCADE", "SET_DEFAULT"])
    func deletingAWorkspaceRemovesItsGrantsEachAnEvent(_ mode: String) async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            let alice = try await server.makeUser("alice")
            let bob = try await server.makeUser("bob")
            try await admin.grantWorkspace("team-a", "alice", .edit)
            try await admin.grantWorkspace("team-a", "bob", .read)
            var resourceGrants = 0
            if mode != "RESTRICT" {
                let id = try await alice.createExperiment("exp", workspace: "team-a") // alice: MANAGE on it
                try await admin.grantExperiment(id, "bob", .edit, workspace: "team-a")
                try await alice.createModel("model", workspace: "team-a") // alice: MANAGE on it
                resourceGrants = 3
            }
            #expect(try server.ledger.grants(of: "alice").count + server.ledger.grants(of: "bob").count == 2 + resourceGrants)

            let before = try server.ledger.head()
            let response = try await admin.delete("\(Self.workspaces)/team-a?mode=\(mode)")
            #expect(response.status == .noContent, "\(response.text)")
            let events = try server.base.events(after: before)
            #expect(events.allSatisfy { $0.actor == "admin" })
            let revoked = events.compactMap { event -> String? in
                guard case let .grantRevoked(resource, username, previous) = event.payload else { return nil }
                return "\(resource)|\(username)|\(previous.rawValue)"
            }
            #expect(revoked.filter { $0.hasPrefix("workspace") }.sorted() == [#"workspace("team-a")|alice|EDIT"#, #"workspace("team-a")|bob|READ"#], "\(revoked)")
            switch mode {
            case "CASCADE":
                // The experiment's and the model's grants go with them.
                #expect(revoked.count == 5, "\(revoked)")
                #expect(try server.ledger.grants(of: "alice").isEmpty)
                #expect(try server.ledger.grants(of: "bob").isEmpty)
            case "SET_DEFAULT":
                // Moved to default with their resource grants; the workspace grants are gone.
                #expect(revoked.count == 2, "\(revoked)")
                #expect(try server.ledger.grants(of: "alice").count == 2)
                #expect(try await alice.get("/api/2.0/mlflow/registered-models/get?name=model").status == .ok)
                #expect(try await bob.get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=exp").status == .ok)
            default:
                #expect(revoked.count == 2, "\(revoked)")
                #expect(try server.ledger.grants(of: "alice").isEmpty)
            }
            // A new team-a does not bring the old grants back.
            try await admin.createWorkspace("team-a")
            #expect(try await alice.get(Self.workspaces).json()["workspaces"] == nil)
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await bob.get("\(Self.workspaces)/team-a") }
        }
    }

    @Test func aLiveServerChallengesAndAuthenticates() async throws {
        try await withAuthServer(live: true) { server in
            let alice = try await server.makeUser("alice")
            try await server.admin.createWorkspace("team-a")
            try await server.admin.grantWorkspace("team-a", "alice", .read)
            try await Self.expectUnauthenticated(server) { try await server.anonymous.get(Self.workspaces) }
            try await Self.expectUnauthenticated(server) { try await server.client("alice", "wrong-password").get(Self.workspaces) }
            #expect(try await server.anonymous.get("/health").status == .ok)
            #expect(try await server.anonymous.get("/api/3.0/mlflow/server-info").status == .ok)
            let names = (try await alice.get(Self.workspaces).json()["workspaces"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["team-a"])
            try await server.expectRefusal(.forbidden, "PERMISSION_DENIED") { try await alice.post("/api/2.0/mlflow/experiments/create", #"{"name": "x"}"#, workspace: "team-a") }
        }
    }

    // MARK: No password or hash in logs or the audit trail

    @Test func noPasswordOrHashInLogsOrAudit() async throws {
        let capture = LogCapture()
        var logger = Logger(label: "auth-log-capture") { _ in CapturingLogHandler(capture: capture) }
        logger.logLevel = .trace
        let created = "Created-Secret-42"
        let changed = "Changed-Secret-77"
        let wrong = "Wrong-Secret-13"
        try await withAuthServer(logger: logger) { server in
            let response = try await server.admin.post("\(Self.users)/create", try jsonText(["username": "alice", "password": created]))
            #expect(response.status == .ok)
            let hashAfterCreate = try server.ledger.user(named: "alice").password
            #expect(try await server.client("alice", created).get(Self.workspaces).status == .ok)
            try await Self.expectUnauthenticated(server) { try await server.client("alice", wrong).get(Self.workspaces) }
            #expect(try await server.client("alice", created).patch("\(Self.users)/update-password", try jsonText(["username": "alice", "password": changed])).status == .ok)
            #expect(try await server.admin.patch("\(Self.users)/update-password", try jsonText(["username": "alice", "password": changed + "x"])).status == .ok)
            let hashAfterChange = try server.ledger.user(named: "alice").password
            // A request that fails in the handler (too short a password, say) is logged too.
            _ = try await server.admin.post("\(Self.users)/create", try jsonText(["username": "bob", "password": ""]))
            _ = try await server.admin.post("\(Self.users)/create", #"{"username": "carol", "password": 12}"#)

            let hashes = [hashAfterCreate, hashAfterChange].flatMap { [hex($0.derivedKey), hex($0.salt)] }
            let secrets = [created, changed, changed + "x", wrong, AuthServer.adminPassword]
            let headers = secrets.map { basicAuthorization("alice", $0) } + [basicAuthorization("admin", AuthServer.adminPassword)]
            let forbidden = secrets + hashes + headers.map { String($0.dropFirst("Basic ".count)) }

            let lines = capture.lines
            #expect(lines.count >= 6, "the capturing logger saw \(lines.count) lines: \(lines)")
            #expect(lines.contains { $0.contains("users/update-password") }, "the request lines are captured")
            for line in lines {
                for secret in forbidden {
                    #expect(!line.lowercased().contains(secret.lowercased()), "a log line holds a secret: \(line)")
                }
            }

            // The audit rendering: "password set", never the password or the hash.
            let events = try server.ledger.events(from: 1, limit: 10_000)
            var passwordEvents = 0
            for event in events {
                let summary = event.payload.auditSummary
                for secret in forbidden {
                    #expect(!summary.lowercased().contains(secret.lowercased()), "the audit of \(event.type) holds a secret: \(summary)")
                }
                switch event.payload {
                case .userCreated, .userPasswordChanged:
                    passwordEvents += 1
                    #expect(summary.contains("password set"), "\(event.type): \(summary)")
                default: break
                }
            }
            #expect(passwordEvents == 4, "admin and alice created, two password changes")
            // Neither do responses.
            let user = try await server.admin.get("\(Self.users)/get?username=alice")
            for secret in forbidden { #expect(!user.text.contains(secret)) }
        }
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// Every log line of a test: message, metadata (of the logger and of the call) and error.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(event.message) \(rendered) \(event.error.map { "\($0)" } ?? "")")
    }
}
