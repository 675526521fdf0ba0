import Foundation
import Hummingbird

// `http-baseline`: the framework's ceiling for `tools/http-compare.sh`. The same four paths as
// `ledger serve` answers in that comparison, scoped by the same `X-MLFLOW-WORKSPACE` header,
// decoding the same request JSON and answering objects of the same shape and size, with
// Hummingbird's own Codable JSON and no storage, no logging and no request ids.
//
//   http-baseline [--host 127.0.0.1] [--port 5000]

struct Workspace: Codable, Sendable {
    let name: String
    var description: String?
}

struct Tag: Codable, Sendable {
    let key: String
    let value: String
}

/// `experiments/create`: `{"name": ..., "tags": [...]}` → `{"experiment_id": "..."}`.
struct CreateExperimentRequest: Decodable {
    let name: String
    let tags: [Tag]?
}

struct CreateExperimentResponse: ResponseEncodable {
    let experiment_id: String
}

/// `experiments/get` → `{"experiment": {...}}`, the fields `ledger serve` writes.
struct Experiment: Codable, Sendable {
    let experiment_id: String
    let name: String
    let artifact_location: String
    let lifecycle_stage: String
    let last_update_time: Int64
    let creation_time: Int64
    let workspace: String
}

struct GetExperimentResponse: ResponseEncodable {
    let experiment: Experiment
}

/// `runs/log-metric`: `{"run_id", "key", "value", "timestamp", "step"}` → `{}`.
struct LogMetricRequest: Decodable {
    let run_id: String
    let key: String
    let value: Double
    let timestamp: Int64
    let step: Int64?
}

struct EmptyResponse: ResponseEncodable {}

struct ListWorkspacesResponse: ResponseEncodable {
    let workspaces: [Workspace]
}

struct ErrorResponse: Encodable {
    let error_code: String
    let message: String
}

/// The workspaces this server knows: `default` and `bench`, as the comparison sets them up.
let workspaces = [
    Workspace(name: "bench", description: nil),
    Workspace(name: "default", description: "Default workspace for legacy resources"),
]

/// The request's workspace from `X-MLFLOW-WORKSPACE` (trimmed; none is `default`), 404 when unknown.
func workspace(of request: Request) throws -> String {
    let name = request.headers[workspaceHeader]?.trimmingCharacters(in: .whitespaces) ?? ""
    if name.isEmpty { return "default" }
    guard workspaces.contains(where: { $0.name == name }) else {
        throw HTTPError(.notFound, message: "Workspace '\(name)' not found.")
    }
    return name
}

/// `HTTPFields.Element` is HTTPTypes' `HTTPField`, which Hummingbird does not re-export by name.
let workspaceHeader = HTTPFields.Element.Name("X-MLFLOW-WORKSPACE")!

var host = "127.0.0.1"
var port = 5000
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--host": host = arguments.popFirst() ?? host
    case "--port": port = arguments.popFirst().flatMap(Int.init) ?? port
    default:
        FileHandle.standardError.write(Data("usage: http-baseline [--host ADDRESS] [--port N]\n".utf8))
        exit(2)
    }
}

let router = Router()
router.get("/health") { _, _ in "OK" }
router.post("/api/2.0/mlflow/experiments/create") { request, context -> CreateExperimentResponse in
    _ = try workspace(of: request)
    let body = try await request.decode(as: CreateExperimentRequest.self, context: context)
    guard !body.name.isEmpty else { throw HTTPError(.badRequest, message: "Missing value for 'name'.") }
    return CreateExperimentResponse(experiment_id: "1234")
}
router.get("/api/2.0/mlflow/experiments/get") { request, _ -> GetExperimentResponse in
    let workspace = try workspace(of: request)
    guard let id = request.uri.queryParameters["experiment_id"].flatMap({ Int64($0) }) else {
        throw HTTPError(.badRequest, message: "Missing value for 'experiment_id'.")
    }
    return GetExperimentResponse(experiment: Experiment(
        experiment_id: String(id), name: "bench-experiment",
        artifact_location: "/tmp/ledger-data/artifacts/workspaces/\(workspace)/\(id)",
        lifecycle_stage: "active", last_update_time: 1_795_322_786_629, creation_time: 1_795_322_786_629,
        workspace: workspace))
}
router.post("/api/2.0/mlflow/runs/log-metric") { request, context -> EmptyResponse in
    _ = try workspace(of: request)
    let body = try await request.decode(as: LogMetricRequest.self, context: context)
    guard !body.run_id.isEmpty else { throw HTTPError(.badRequest, message: "Missing value for 'run_id'.") }
    return EmptyResponse()
}
router.get("/api/3.0/mlflow/workspaces") { request, _ -> ListWorkspacesResponse in
    _ = try workspace(of: request)
    return ListWorkspacesResponse(workspaces: workspaces)
}

let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "http-baseline"))
try await app.runService()
