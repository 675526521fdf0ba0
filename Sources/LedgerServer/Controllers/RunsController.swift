import Hummingbird
import LedgerCore

/// `/api/2.0/mlflow/runs/...` and `metrics/get-history`, scoped to the request's workspace.
struct RunsController {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.post("2.0/mlflow/runs/create", use: create)
        group.get("2.0/mlflow/runs/get", use: get)
        group.post("2.0/mlflow/runs/update", use: update)
        group.post("2.0/mlflow/runs/delete", use: delete)
        group.post("2.0/mlflow/runs/restore", use: restore)
        group.post("2.0/mlflow/runs/log-parameter", use: logParameter)
        group.post("2.0/mlflow/runs/log-metric", use: logMetric)
        group.post("2.0/mlflow/runs/log-batch", use: logBatch)
        group.post("2.0/mlflow/runs/set-tag", use: setTag)
        group.post("2.0/mlflow/runs/delete-tag", use: deleteTag)
        group.post("2.0/mlflow/runs/search", use: search)
        group.get("2.0/mlflow/metrics/get-history", use: metricHistory)
    }

    /// The run id: `run_id`, or the older `run_uuid`.
    static func runID(_ parameters: RequestParameters) throws -> String {
        if let id = try parameters.optionalString("run_id"), !id.isEmpty { return id }
        if let id = try parameters.optionalString("run_uuid"), !id.isEmpty { return id }
        throw RequestParameters.missing("run_id")
    }

    /// Requires `level` on the experiment of run `runID` (404 when the run is not in the workspace);
    /// a refusal names the run, not its experiment.
    func authorize(_ level: PermissionLevel, run runID: String, _ call: RequestCall) throws {
        guard call.authorization.isEnabled else { return }
        let experimentID = try ledger.runInfo(id: runID, in: call.workspace).experimentID
        try call.authorization.require(level, on: .experiment(id: experimentID, workspace: call.workspace), named: "run '\(runID)'")
    }

    @Sendable func create(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try call.authorization.require(.edit, on: .experiment(id: try parameters.experimentID(), workspace: call.workspace))
        let run = try await ledger.createRun(
            experimentID: try parameters.experimentID(), runName: try parameters.optionalString("run_name"),
            userID: try parameters.optionalString("user_id") ?? "", startTime: try parameters.optionalInt64("start_time"),
            tags: try parameters.keyValues("tags"), in: call.workspace, context: call.context)
        return Response.json(JSONWriter.wrapped("run") { $0.run(run) })
    }

    @Sendable func get(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let runID = try Self.runID(call.parameters)
        try authorize(.read, run: runID, call)
        let run = try ledger.run(id: runID, in: call.workspace)
        return Response.json(JSONWriter.wrapped("run") { $0.run(run) })
    }

    /// `status` by name (RUNNING, FINISHED, ...) or by its protobuf number (1 to 5).
    static func status(_ parameters: RequestParameters) throws -> RunStatus? {
        guard let text = try parameters.optionalEnumText("status") else { return nil }
        if let status = RunStatus(rawValue: text) { return status }
        let numbered: [String: RunStatus] = ["1": .running, "2": .scheduled, "3": .finished, "4": .failed, "5": .killed]
        guard let status = numbered[text] else {
            throw APIError.invalid("Invalid value '\(text)' for parameter 'status': use one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return status
    }

    @Sendable func update(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try authorize(.edit, run: try Self.runID(parameters), call)
        let info = try await ledger.updateRun(
            id: try Self.runID(parameters),
            RunUpdate(status: try Self.status(parameters), endTime: try parameters.optionalInt64("end_time"), runName: try parameters.optionalString("run_name")),
            in: call.workspace, context: call.context)
        return Response.json(JSONWriter.wrapped("run_info") { $0.runInfo(info) })
    }

    @Sendable func delete(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try authorize(.manage, run: try Self.runID(call.parameters), call)
        try await ledger.deleteRun(id: try Self.runID(call.parameters), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func restore(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try authorize(.manage, run: try Self.runID(call.parameters), call)
        try await ledger.restoreRun(id: try Self.runID(call.parameters), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func logParameter(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try authorize(.edit, run: try Self.runID(parameters), call)
        try await ledger.logParam(runID: try Self.runID(parameters), key: try parameters.string("key"), value: try parameters.string("value"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    /// A metric value from `{key, value, timestamp, step}`; `path` names the fields in errors.
    static func metric(_ parameters: RequestParameters, _ path: String? = nil) throws(LedgerError) -> Metric {
        func name(_ field: String) -> String { path.map { "\($0).\(field)" } ?? field }
        guard let value = try parameters.optionalDouble("value") else { throw RequestParameters.missing(name("value")) }
        guard let timestamp = try parameters.optionalInt64("timestamp") else { throw RequestParameters.missing(name("timestamp")) }
        guard let key = try parameters.optionalString("key") else { throw RequestParameters.missing(name("key")) }
        return Metric(key: key, value: value, timestamp: timestamp, step: try parameters.optionalInt64("step") ?? 0)
    }

    @Sendable func logMetric(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try authorize(.edit, run: try Self.runID(call.parameters), call)
        try await ledger.logMetric(runID: try Self.runID(call.parameters), try Self.metric(call.parameters), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func logBatch(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try authorize(.edit, run: try Self.runID(parameters), call)
        let metrics = try parameters.objects("metrics") { (item, path) throws(LedgerError) in try Self.metric(item, path) }
        try await ledger.logBatch(
            runID: try Self.runID(parameters), params: try parameters.keyValues("params"), metrics: metrics,
            tags: try parameters.keyValues("tags"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func setTag(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try authorize(.edit, run: try Self.runID(parameters), call)
        try await ledger.setRunTag(runID: try Self.runID(parameters), key: try parameters.string("key"), value: try parameters.string("value"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func deleteTag(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try authorize(.edit, run: try Self.runID(call.parameters), call)
        try await ledger.deleteRunTag(runID: try Self.runID(call.parameters), key: try call.parameters.string("key"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func search(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        if let filter = try parameters.optionalString("filter"), !filter.trimmingCharacters(in: .whitespaces).isEmpty {
            throw APIError.invalid("Filtering runs ('filter') is not supported by this server yet; search without a filter.")
        }
        // Only runs of experiments the caller may read.
        let experimentIDs = try parameters.experimentIDs().filter {
            call.authorization.canRead(.experiment(id: $0, workspace: call.workspace))
        }
        let page = try ledger.searchRuns(
            in: call.workspace, experimentIDs: experimentIDs, viewType: try ExperimentsController.viewType(parameters, "run_view_type"),
            maxResults: Int(clamping: try parameters.optionalInt64("max_results") ?? 1000), pageToken: try parameters.optionalString("page_token"))
        var writer = JSONWriter()
        writer.beginObject()
        if !page.items.isEmpty {
            writer.key("runs")
            writer.beginArray()
            for run in page.items { writer.run(run) }
            writer.endArray()
        }
        writer.field("next_page_token", page.nextPageToken)
        writer.endObject()
        return Response.json(writer)
    }

    @Sendable func metricHistory(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try authorize(.read, run: try Self.runID(call.parameters), call)
        let history = try ledger.metricHistory(runID: try Self.runID(call.parameters), key: try call.parameters.nonEmptyString("metric_key"), in: call.workspace)
        var writer = JSONWriter()
        writer.beginObject()
        if !history.isEmpty {
            writer.key("metrics")
            writer.beginArray()
            for metric in history { writer.metric(metric) }
            writer.endArray()
        }
        writer.endObject()
        return Response.json(writer)
    }
}

import Foundation
