import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerCore
import Synchronization
import Testing
@testable import LedgerServer

/// With `--auth`, every route the router registers (read from the router itself, so a new route is
/// swept, or fails here until it gets a request below) is tried by callers who may not use it:
/// without credentials, with a wrong password, as an unknown user, as a user without any grant,
/// and as a user holding READ on one workspace. None of them changes anything, and no answer
/// holds a name or id they may not see. The admin's success with the same request shows the
/// request itself was valid.
@Suite("Authorization sweep of every route")
struct RouteAuthorizationSweepTests {
    /// Who may use a route.
    enum Access: Sendable {
        /// Everyone, without credentials (`/health`, `server-info`, the OpenAPI document).
        case anyone
        /// Every user; the answer lists only what the caller may read in the request's workspace.
        case listing
        /// Every user; the answer lists the workspaces the caller may read, whichever the request's.
        case workspaceListing
        /// READ on what the request names.
        case reading
        /// More than READ: EDIT, MANAGE, or an admin.
        case changing
    }

    /// A request for one route, aimed at one workspace of the fixture.
    struct RouteRequest: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var json: String?
        var workspace: String
        var access: Access

        /// Every value the request names (path segments, query values, body values, its workspace).
        var namedValues: Set<String> {
            var values: Set<String> = [workspace]
            let parts = path.split(separator: "?", maxSplits: 1)
            values.formUnion(parts[0].split(separator: "/").map(String.init))
            for pair in parts.dropFirst().first?.split(separator: "&") ?? [] {
                if let value = pair.split(separator: "=", maxSplits: 1).last { values.insert(String(value).removingPercentEncoding ?? String(value)) }
            }
            if let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) { values.formUnion(jsonStrings(object) + jsonNumbers(object)) }
            return values
        }
    }

    /// What one workspace holds, made by the admin: two experiments (one with a tag and a run
    /// holding a metric, a param and a tag), a soft-deleted experiment and run, two registered
    /// models (one with a tag), and bob's READ grants on the workspace, the experiment and the model.
    struct Holdings: Sendable {
        let workspace: String
        let experimentID: String
        let experimentName: String
        let secondExperimentID: String
        let deletedExperimentID: String
        let runID: String
        let deletedRunID: String
        let modelName: String
        let secondModelName: String

        /// Every name and id it holds, the workspace's name included.
        var secrets: [String] {
            [workspace, experimentID, experimentName, secondExperimentID, "second-experiment-of-\(workspace)", deletedExperimentID,
             "deleted-experiment-of-\(workspace)", runID, deletedRunID, modelName, secondModelName]
        }

        static func make(_ workspace: String, by admin: AuthClient) async throws -> Holdings {
            try await admin.createWorkspace(workspace)
            let experimentName = "experiment-of-\(workspace)"
            let experimentID = try await admin.createExperiment(experimentName, workspace: workspace)
            let secondExperimentID = try await admin.createExperiment("second-experiment-of-\(workspace)", workspace: workspace)
            let deletedExperimentID = try await admin.createExperiment("deleted-experiment-of-\(workspace)", workspace: workspace)
            let runID = try await admin.createRun(experimentID: experimentID, workspace: workspace)
            let deletedRunID = try await admin.createRun(experimentID: experimentID, workspace: workspace)
            _ = try await admin.createRun(experimentID: secondExperimentID, workspace: workspace)
            let modelName = "model-of-\(workspace)"
            try await admin.createModel(modelName, workspace: workspace)
            try await admin.createModel("second-model-of-\(workspace)", workspace: workspace)
            let t = "/api/2.0/mlflow"
            for (path, body) in [
                ("\(t)/experiments/set-experiment-tag", ["experiment_id": experimentID, "key": "stage", "value": "draft"]),
                ("\(t)/runs/log-metric", ["run_id": runID, "key": "loss", "value": 0.5, "timestamp": 1_700_000_000_000] as [String: Any]),
                ("\(t)/runs/log-parameter", ["run_id": runID, "key": "lr", "value": "0.01"]),
                ("\(t)/runs/set-tag", ["run_id": runID, "key": "note", "value": "first"]),
                ("\(t)/registered-models/set-tag", ["name": modelName, "key": "owner", "value": "ops"]),
                ("\(t)/experiments/delete", ["experiment_id": deletedExperimentID]),
                ("\(t)/runs/delete", ["run_id": deletedRunID]),
            ] {
                let response = try await admin.post(path, try jsonText(body), workspace: workspace)
                try #require(response.status == .ok, "\(path): \(response.status) \(response.text)")
            }
            try await admin.grantWorkspace(workspace, "bob", .read)
            try await admin.grantExperiment(experimentID, "bob", .read, workspace: workspace)
            try await admin.grantModel(modelName, "bob", .read, workspace: workspace)
            return Holdings(workspace: workspace, experimentID: experimentID, experimentName: experimentName, secondExperimentID: secondExperimentID,
                            deletedExperimentID: deletedExperimentID, runID: runID, deletedRunID: deletedRunID,
                            modelName: modelName, secondModelName: "second-model-of-\(workspace)")
        }
    }

    /// A valid request for the route `method path` (path as the router spells it, without its
    /// `/api` or `/ajax-api` prefix) aimed at `holdings`, and who may use it; `nil` for a route
    /// this table does not know yet.
    static func request(_ method: HTTPRequest.Method, _ template: String, _ h: Holdings) throws -> RouteRequest? {
        let w = h.workspace
        func make(_ access: Access, _ path: String, _ body: [String: Any]? = nil) throws -> RouteRequest {
            RouteRequest(method: method, path: path.replacingOccurrences(of: "{name}", with: w), json: try body.map { try jsonText($0) },
                         workspace: w, access: access)
        }
        let experiment = ["experiment_id": h.experimentID]
        let run = ["run_id": h.runID]
        let model = ["name": h.modelName]
        switch (method, template) {
        case (.get, "/health"): return try make(.anyone, template)
        case (.get, "/3.0/mlflow/server-info"): return try make(.anyone, template)
        case (.get, "/openapi.json"): return try make(.anyone, template)
        // Workspaces and their grants.
        case (.get, "/3.0/mlflow/workspaces"): return try make(.workspaceListing, "\(template)?max_results=1")
        case (.post, "/3.0/mlflow/workspaces"): return try make(.changing, template, ["name": "new-workspace"])
        case (.get, "/3.0/mlflow/workspaces/{name}"): return try make(.reading, template)
        case (.patch, "/3.0/mlflow/workspaces/{name}"): return try make(.changing, template, ["description": "changed"])
        case (.delete, "/3.0/mlflow/workspaces/{name}"): return try make(.changing, "\(template)?mode=CASCADE")
        case (.get, "/3.0/mlflow/workspaces/{name}/permissions"): return try make(.changing, template)
        case (.post, "/3.0/mlflow/workspaces/{name}/permissions"): return try make(.changing, template, ["username": "carol", "permission": "READ"])
        case (.delete, "/3.0/mlflow/workspaces/{name}/permissions"): return try make(.changing, "\(template)?username=bob")
        case (.get, "/3.0/mlflow/workspace-permissions"): return try make(.changing, "\(template)?username=bob")
        // Experiments.
        case (.post, "/2.0/mlflow/experiments/create"): return try make(.changing, template, ["name": "new-experiment"])
        case (.get, "/2.0/mlflow/experiments/get"): return try make(.reading, "\(template)?experiment_id=\(h.experimentID)")
        case (.get, "/2.0/mlflow/experiments/get-by-name"): return try make(.reading, "\(template)?experiment_name=\(h.experimentName)")
        case (.get, "/2.0/mlflow/experiments/search"): return try make(.listing, "\(template)?max_results=1")
        case (.post, "/2.0/mlflow/experiments/search"): return try make(.listing, template, ["max_results": 1])
        case (.get, "/2.0/mlflow/experiments/list"): return try make(.listing, template)
        case (.post, "/2.0/mlflow/experiments/update"): return try make(.changing, template, experiment.merging(["new_name": "renamed"]) { $1 })
        case (.post, "/2.0/mlflow/experiments/delete"): return try make(.changing, template, experiment)
        case (.post, "/2.0/mlflow/experiments/restore"): return try make(.changing, template, ["experiment_id": h.deletedExperimentID])
        case (.post, "/2.0/mlflow/experiments/set-experiment-tag"): return try make(.changing, template, experiment.merging(["key": "k", "value": "v"]) { $1 })
        case (.post, "/2.0/mlflow/experiments/delete-experiment-tag"): return try make(.changing, template, experiment.merging(["key": "stage"]) { $1 })
        // Runs.
        case (.post, "/2.0/mlflow/runs/create"): return try make(.changing, template, experiment)
        case (.get, "/2.0/mlflow/runs/get"): return try make(.reading, "\(template)?run_id=\(h.runID)")
        case (.post, "/2.0/mlflow/runs/update"): return try make(.changing, template, run.merging(["status": "FINISHED"]) { $1 })
        case (.post, "/2.0/mlflow/runs/delete"): return try make(.changing, template, run)
        case (.post, "/2.0/mlflow/runs/restore"): return try make(.changing, template, ["run_id": h.deletedRunID])
        case (.post, "/2.0/mlflow/runs/log-parameter"): return try make(.changing, template, run.merging(["key": "epochs", "value": "3"]) { $1 })
        case (.post, "/2.0/mlflow/runs/log-metric"):
            return try make(.changing, template, ["run_id": h.runID, "key": "loss", "value": 0.4, "timestamp": 1_700_000_000_001])
        case (.post, "/2.0/mlflow/runs/log-batch"):
            return try make(.changing, template, ["run_id": h.runID, "metrics": [["key": "acc", "value": 0.9, "timestamp": 1]],
                                                  "params": [["key": "seed", "value": "7"]], "tags": [["key": "k", "value": "v"]]])
        case (.post, "/2.0/mlflow/runs/set-tag"): return try make(.changing, template, run.merging(["key": "k", "value": "v"]) { $1 })
        case (.post, "/2.0/mlflow/runs/delete-tag"): return try make(.changing, template, run.merging(["key": "note"]) { $1 })
        case (.post, "/2.0/mlflow/runs/search"):
            return try make(.listing, template, ["experiment_ids": [h.experimentID, h.secondExperimentID], "max_results": 1])
        case (.get, "/2.0/mlflow/metrics/get-history"): return try make(.reading, "\(template)?run_id=\(h.runID)&metric_key=loss")
        // Registered models.
        case (.post, "/2.0/mlflow/registered-models/create"): return try make(.changing, template, ["name": "new-model"])
        case (.get, "/2.0/mlflow/registered-models/get"): return try make(.reading, "\(template)?name=\(h.modelName)")
        case (.post, "/2.0/mlflow/registered-models/rename"): return try make(.changing, template, model.merging(["new_name": "renamed"]) { $1 })
        case (.patch, "/2.0/mlflow/registered-models/update"): return try make(.changing, template, model.merging(["description": "d"]) { $1 })
        case (.delete, "/2.0/mlflow/registered-models/delete"): return try make(.changing, template, model)
        case (.get, "/2.0/mlflow/registered-models/search"): return try make(.listing, "\(template)?max_results=1")
        case (.post, "/2.0/mlflow/registered-models/set-tag"): return try make(.changing, template, model.merging(["key": "k", "value": "v"]) { $1 })
        case (.delete, "/2.0/mlflow/registered-models/delete-tag"): return try make(.changing, template, model.merging(["key": "owner"]) { $1 })
        // Users: each aimed at bob, another user than the caller.
        case (.post, "/2.0/mlflow/users/create"): return try make(.changing, template, ["username": "dave", "password": "dave-password"])
        case (.get, "/2.0/mlflow/users/get"): return try make(.changing, "\(template)?username=bob")
        case (.get, "/2.0/mlflow/users/list"): return try make(.changing, template)
        case (.patch, "/2.0/mlflow/users/update-password"): return try make(.changing, template, ["username": "bob", "password": "bob-new-password"])
        case (.patch, "/2.0/mlflow/users/update-admin"): return try make(.changing, template, ["username": "bob", "is_admin": true])
        case (.delete, "/2.0/mlflow/users/delete"): return try make(.changing, template, ["username": "bob"])
        // Experiment and registered model grants.
        case (.post, "/2.0/mlflow/experiments/permissions/create"):
            return try make(.changing, template, experiment.merging(["username": "carol", "permission": "READ"]) { $1 })
        case (.get, "/2.0/mlflow/experiments/permissions/get"): return try make(.changing, "\(template)?experiment_id=\(h.experimentID)&username=bob")
        case (.patch, "/2.0/mlflow/experiments/permissions/update"):
            return try make(.changing, template, experiment.merging(["username": "bob", "permission": "EDIT"]) { $1 })
        case (.delete, "/2.0/mlflow/experiments/permissions/delete"): return try make(.changing, template, experiment.merging(["username": "bob"]) { $1 })
        case (.post, "/2.0/mlflow/registered-models/permissions/create"):
            return try make(.changing, template, model.merging(["username": "carol", "permission": "READ"]) { $1 })
        case (.get, "/2.0/mlflow/registered-models/permissions/get"): return try make(.changing, "\(template)?name=\(h.modelName)&username=bob")
        case (.patch, "/2.0/mlflow/registered-models/permissions/update"):
            return try make(.changing, template, model.merging(["username": "bob", "permission": "EDIT"]) { $1 })
        case (.delete, "/2.0/mlflow/registered-models/permissions/delete"): return try make(.changing, template, model.merging(["username": "bob"]) { $1 })
        default: return nil
        }
    }

    /// One route of the router: its method, its `/api` or `/ajax-api` prefix (none for `/health`),
    /// and the path after it, as the table above knows it.
    struct Route: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var prefix: String
        var template: String

        var description: String { "\(method) \(prefix)\(template)" }
    }

    /// Every route the router registers.
    static func routes(of ledger: Ledger) -> [Route] {
        buildRouter(ledger: ledger, configuration: ServerConfiguration(authentication: true)).routes.map { route in
            let path = route.path.description
            for prefix in ["/api", "/ajax-api"] where path.hasPrefix(prefix + "/") {
                return Route(method: route.method, prefix: prefix, template: String(path.dropFirst(prefix.count)))
            }
            return Route(method: route.method, prefix: "", template: path)
        }
    }

    /// A server with `team-a` and `team-b` (``Holdings``), and the users `nobody` (no grant),
    /// `reader` (READ on team-a), `bob` (READ on both, and on their experiment and model) and
    /// `carol` (no grant; the target of grants).
    static func withSweepServer(_ body: @escaping @Sendable (AuthServer, Holdings, Holdings) async throws -> Void) async throws {
        try await withAuthServer { server in
            for name in ["nobody", "reader", "bob", "carol"] { try await server.makeUser(name) }
            let teamA = try await Holdings.make("team-a", by: server.admin)
            let teamB = try await Holdings.make("team-b", by: server.admin)
            try await server.admin.grantWorkspace("team-a", "reader", .read)
            try await body(server, teamA, teamB)
        }
    }

    @Test func everyRouteRefusesWhoMayNotUseItAndLeaksNothing() async throws {
        try await Self.withSweepServer { server, teamA, teamB in
            let routes = Self.routes(of: server.ledger)
            // The router holds every route twice (/api and /ajax-api) plus /health.
            #expect(routes.count > 100, "\(routes.count) routes")
            let unknown = try routes.filter { try Self.request($0.method, $0.template, teamA) == nil }
            #expect(unknown.isEmpty, "routes without a request in the sweep's table (add one): \(unknown)")

            let strangers: [(label: String, client: AuthClient)] = [
                ("no credentials", server.anonymous),
                ("a wrong password", server.client("reader", "not-the-password")),
                ("an unknown user", server.client("mallory", AuthServer.password(of: "reader"))),
            ]
            let nobody = server.client("nobody")
            let reader = server.client("reader")
            for route in routes {
                for holdings in [teamA, teamB] {
                    guard let request = try Self.request(route.method, route.template, holdings) else { continue }
                    let label = "\(route) in \(holdings.workspace)"
                    let path = route.prefix + request.path
                    let send = { (client: AuthClient) in try await client.send(request.method, path, json: request.json, workspace: request.workspace) }
                    let everything = teamA.secrets + teamB.secrets

                    if case .anyone = request.access {
                        // A public answer is the same whoever asks, so it tells no one anything
                        // of their own (the OpenAPI document holds digits and names by itself).
                        let anonymous = try await Self.unchanged(server, label) { try await send(server.anonymous) }
                        #expect(anonymous.status == .ok, "\(label) without credentials: \(anonymous.status) \(anonymous.text)")
                        for (who, client) in strangers.dropFirst() + [("a user without grants", nobody), ("a team-a reader", reader)] {
                            let response = try await Self.unchanged(server, label) { try await send(client) }
                            #expect(response.status == .ok && response.text == anonymous.text, "\(label) with \(who) differs from the anonymous answer")
                        }
                        continue
                    }
                    for stranger in strangers {
                        let response = try await Self.unchanged(server, label) { try await send(stranger.client) }
                        #expect(response.status == .unauthorized, "\(label) with \(stranger.label): \(response.status) \(response.text)")
                        #expect(response.headers[.wwwAuthenticate] == #"Basic realm="mlflow""#, "\(label) with \(stranger.label)")
                        #expect(try response.json()["error_code"] as? String == "UNAUTHENTICATED", "\(label) with \(stranger.label)")
                        Self.expectNoLeak(response, of: everything, beyond: request, "\(label) with \(stranger.label)")
                    }

                    // A user without any grant: refused, or an empty listing.
                    let refused = try await Self.unchanged(server, label) { try await send(nobody) }
                    Self.expectRefusedOrEmpty(refused, request, "\(label) as a user without grants")
                    Self.expectNoLeak(refused, of: everything, beyond: request, "\(label) as a user without grants")

                    // READ on team-a: reads there, changes nothing anywhere, sees nothing of team-b.
                    let read = try await Self.unchanged(server, label) { try await send(reader) }
                    switch (request.access, holdings.workspace) {
                    case (.workspaceListing, _), (.reading, "team-a"), (.listing, "team-a"):
                        #expect(read.status == .ok, "\(label) as a team-a reader: \(read.status) \(read.text)")
                    default:
                        Self.expectRefusedOrEmpty(read, request, "\(label) as a team-a reader")
                    }
                    Self.expectNoLeak(read, of: teamB.secrets, beyond: request, "\(label) as a team-a reader")
                }
            }
        }
    }

    /// Each request is valid: the admin's succeeds (on a fresh server each, since most change it).
    @Test func everyRequestOfTheSweepSucceedsForTheAdmin() async throws {
        let routes = Mutex<[Route]>([])
        try await withAuthServer { server in routes.withLock { $0 = Self.routes(of: server.ledger) } }
        for route in routes.withLock({ $0 }) {
            try await Self.withSweepServer { server, teamA, _ in
                let request = try #require(try Self.request(route.method, route.template, teamA), "\(route)")
                let response = try await server.admin.send(request.method, route.prefix + request.path, json: request.json, workspace: request.workspace)
                #expect((200..<300).contains(response.status.code), "\(route) as the admin: \(response.status) \(response.text)")
            }
        }
    }

    /// Searches page over what the caller may read: pages are full of readable items, and a
    /// page token points only at one of them (a token once held the id or name of the last item
    /// of the unfiltered page, and a caller who could read nothing got empty pages with tokens).
    @Test func searchesPageOverWhatTheCallerMayRead() async throws {
        try await withAuthServer { server in
            let admin = server.admin
            try await admin.createWorkspace("team-a")
            var ids: [String] = []
            for index in 0..<5 {
                ids.append(try await admin.createExperiment("exp-\(index)", workspace: "team-a"))
                try await admin.createModel("model-\(index)", workspace: "team-a")
            }
            // Bob may read one experiment and one model, in the middle of the listings.
            let bob = try await server.makeUser("bob")
            try await admin.grantExperiment(ids[1], "bob", .read, workspace: "team-a")
            try await admin.grantModel("model-3", "bob", .read, workspace: "team-a")
            let experiments = "/api/2.0/mlflow/experiments/search"
            for (method, path, body) in [
                (HTTPRequest.Method.get, "\(experiments)?max_results=1", nil),  // the listing index, newest first
                (.post, experiments, #"{"max_results": 1, "order_by": ["name DESC"]}"#),  // sorted in memory
                (.post, experiments, #"{"max_results": 1, "filter": "name LIKE 'exp-%'"}"#),
            ] {
                let page = try await bob.send(method, path, json: body, workspace: "team-a")
                #expect(page.status == .ok)
                let found = (try page.json()["experiments"] as? [[String: Any]] ?? []).compactMap { $0["experiment_id"] as? String }
                #expect(found == [ids[1]], "\(method) \(path) \(body ?? ""): \(page.text)")
                #expect(try page.json()["next_page_token"] == nil, "\(method) \(path) \(body ?? ""): \(page.text)")
            }
            let models = try await bob.get("/api/2.0/mlflow/registered-models/search?max_results=1", workspace: "team-a")
            #expect((try models.json()["registered_models"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["model-3"], "\(models.text)")
            #expect(try models.json()["next_page_token"] == nil, "\(models.text)")

            // Carol reads the workspace but not the newest experiment nor model-0: paging by two
            // yields the other four of each, each once.
            let carol = try await server.makeUser("carol")
            try await admin.grantWorkspace("team-a", "carol", .read)
            try await admin.grantExperiment(ids[4], "carol", .noPermissions, workspace: "team-a")
            try await admin.grantModel("model-0", "carol", .noPermissions, workspace: "team-a")
            #expect(try await Self.allPages(carol, "\(experiments)?max_results=2", key: "experiments", field: "experiment_id") == [ids[3], ids[2], ids[1], ids[0]])
            #expect(try await Self.allPages(carol, "/api/2.0/mlflow/registered-models/search?max_results=2", key: "registered_models", field: "name")
                    == ["model-1", "model-2", "model-3", "model-4"])
        }
    }

    /// `field` of every item of every page of a GET listing, following the page tokens.
    static func allPages(_ client: AuthClient, _ path: String, key: String, field: String) async throws -> [String] {
        var values: [String] = []
        var token: String?
        repeat {
            let response = try await client.get(path + (token.map { "&page_token=\(query($0))" } ?? ""), workspace: "team-a")
            try #require(response.status == .ok, "\(response.text)")
            let page = try response.json()
            values += (page[key] as? [[String: Any]] ?? []).compactMap { $0[field] as? String }
            token = page["next_page_token"] as? String
        } while token != nil && values.count < 100
        return values
    }

    // MARK: Checks

    /// Sends a request that must not change anything: the head (sequence, time and hash) stays.
    static func unchanged(_ server: AuthServer, _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
                          _ send: () async throws -> TestResponse) async throws -> TestResponse {
        let before = try server.ledger.head()
        let response = try await send()
        #expect(try server.ledger.head() == before, "\(label) wrote: \(response.status) \(response.text)", sourceLocation: sourceLocation)
        return response
    }

    /// A listing answers 200 and lists nothing, without a page token; anything else is 403
    /// `PERMISSION_DENIED` (the target exists in the request's workspace, so never 404).
    static func expectRefusedOrEmpty(_ response: TestResponse, _ request: RouteRequest, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch request.access {
        case .anyone:
            #expect(response.status == .ok, "\(label): \(response.status) \(response.text)", sourceLocation: sourceLocation)
        case .listing, .workspaceListing:
            #expect(response.status == .ok, "\(label): \(response.status) \(response.text)", sourceLocation: sourceLocation)
            #expect(response.text == "{}", "\(label) lists what the caller may not read: \(response.text)", sourceLocation: sourceLocation)
        case .reading, .changing:
            #expect(response.status == .forbidden, "\(label): \(response.status) \(response.text)", sourceLocation: sourceLocation)
            #expect((try? response.json())?["error_code"] as? String == "PERMISSION_DENIED", "\(label): \(response.text)", sourceLocation: sourceLocation)
        }
    }

    /// No name or id of `secrets` that the request did not name itself appears in the strings of
    /// the answer (MLflow's JSON has ids as strings): names anywhere in them, an experiment id as a
    /// whole string or a whole word of a message ("experiment 7", "id=7").
    static func expectNoLeak(_ response: TestResponse, of secrets: [String], beyond request: RouteRequest, _ label: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let named = request.namedValues
        let body = try? JSONSerialization.jsonObject(with: Data(buffer: response.body), options: [.fragmentsAllowed])
        let strings = body.map(jsonStrings) ?? [response.text]
        for secret in secrets where !named.contains(secret) {
            let leaked: String?
            if secret.allSatisfy(\.isNumber) {
                leaked = strings.first { $0.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }).contains { $0 == secret } }
            } else {
                leaked = strings.first { $0.contains(secret) }
            }
            #expect(leaked == nil, "\(label) leaks '\(secret)' in \(leaked ?? "")", sourceLocation: sourceLocation)
        }
    }
}

/// Every string in a JSON value (keys excluded).
func jsonStrings(_ value: Any) -> [String] {
    switch value {
    case let object as [String: Any]: object.values.flatMap(jsonStrings)
    case let array as [Any]: array.flatMap(jsonStrings)
    case let string as String: [string]
    default: []
    }
}

/// Every number in a JSON value, as text.
func jsonNumbers(_ value: Any) -> [String] {
    switch value {
    case let object as [String: Any]: object.values.flatMap(jsonNumbers)
    case let array as [Any]: array.flatMap(jsonNumbers)
    case is String: []
    case let number as NSNumber: [number.stringValue]
    default: []
    }
}
