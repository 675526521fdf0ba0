import Hummingbird
import LedgerCore

/// `/api/2.0/mlflow/experiments/...`, scoped to the request's workspace.
struct ExperimentsController {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.post("2.0/mlflow/experiments/create", use: create)
        group.get("2.0/mlflow/experiments/get", use: get)
        group.get("2.0/mlflow/experiments/get-by-name", use: getByName)
        group.get("2.0/mlflow/experiments/search", use: search)
        group.post("2.0/mlflow/experiments/search", use: search)
        group.get("2.0/mlflow/experiments/list", use: list)
        group.post("2.0/mlflow/experiments/update", use: update)
        group.post("2.0/mlflow/experiments/delete", use: delete)
        group.post("2.0/mlflow/experiments/restore", use: restore)
        group.post("2.0/mlflow/experiments/set-experiment-tag", use: setTag)
        group.post("2.0/mlflow/experiments/delete-experiment-tag", use: deleteTag)
    }

    @Sendable func create(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        if let location = try parameters.optionalString("artifact_location"), !location.isEmpty {
            throw APIError.invalid("artifact_location cannot be specified when workspaces are enabled: the location is computed from the workspace's artifact root.")
        }
        try call.authorization.require(.edit, on: .workspace(call.workspace))
        let experiment = try await ledger.createExperiment(
            name: try parameters.nonEmptyString("name"), tags: try parameters.keyValues("tags"), in: call.workspace, context: call.context)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("experiment_id", String(experiment.id))
        writer.endObject()
        return Response.json(writer)
    }

    @Sendable func get(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let id = try call.parameters.experimentID()
        try call.authorization.require(.read, on: .experiment(id: id, workspace: call.workspace))
        let experiment = try ledger.experiment(id: id, in: call.workspace)
        return Response.json(JSONWriter.wrapped("experiment") { $0.experiment(experiment) })
    }

    @Sendable func getByName(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let name = try call.parameters.nonEmptyString("experiment_name")
        let experiment = try ledger.experiment(named: name, in: call.workspace)
        try call.authorization.require(.read, on: .experiment(id: experiment.id, workspace: call.workspace), named: "experiment '\(name)'")
        return Response.json(JSONWriter.wrapped("experiment") { $0.experiment(experiment) })
    }

    static let orderFields: [String: ExperimentSearch.Field] = [
        "name": .name, "experiment_id": .experimentID, "creation_time": .creationTime, "last_update_time": .lastUpdateTime,
    ]

    @Sendable func search(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        var search = ExperimentSearch()
        search.viewType = try Self.viewType(parameters, "view_type")
        search.maxResults = Int(clamping: try parameters.optionalInt64("max_results") ?? 1000)
        search.pageToken = try parameters.optionalString("page_token")
        search.orderBy = try SearchFilter.orders(try parameters.strings("order_by"), allowed: Self.orderFields)
        for condition in try SearchFilter.parse(try parameters.optionalString("filter") ?? "") {
            switch condition.subject {
            case .attribute("name"): search.name = condition.match
            case .tag(let key): search.tags.append(.init(key: key, match: condition.match))
            case .attribute(let other):
                throw APIError.invalid("Invalid filter: experiments can be filtered by name and tags, not by '\(other)'.")
            }
        }
        search.visibility = call.authorization.searchVisibility
        return Response.json(try Self.render(ledger.searchExperiments(in: call.workspace, search)))
    }

    /// `experiments/list`: the guide's curl example; answers like a search of the workspace.
    @Sendable func list(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        var search = ExperimentSearch()
        search.viewType = try Self.viewType(call.parameters, "view_type")
        search.maxResults = Ledger.maxPageSize
        search.visibility = call.authorization.searchVisibility
        return Response.json(try Self.render(ledger.searchExperiments(in: call.workspace, search)))
    }

    static func render(_ page: Page<Experiment>) throws -> JSONWriter {
        var writer = JSONWriter()
        writer.beginObject()
        if !page.items.isEmpty {
            writer.key("experiments")
            writer.beginArray()
            for experiment in page.items { writer.experiment(experiment) }
            writer.endArray()
        }
        writer.field("next_page_token", page.nextPageToken)
        writer.endObject()
        return writer
    }

    /// `view_type` by name (ACTIVE_ONLY, DELETED_ONLY, ALL) or by its protobuf number (1, 2, 3).
    static func viewType(_ parameters: RequestParameters, _ name: String) throws -> ViewType {
        guard let text = try parameters.optionalEnumText(name) else { return .activeOnly }
        switch text {
        case "ACTIVE_ONLY", "1": return .activeOnly
        case "DELETED_ONLY", "2": return .deletedOnly
        case "ALL", "3": return .all
        default: throw APIError.invalid("Invalid value '\(text)' for parameter '\(name)': use ACTIVE_ONLY, DELETED_ONLY or ALL.")
        }
    }

    @Sendable func update(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.edit, on: .experiment(id: try call.parameters.experimentID(), workspace: call.workspace))
        try await ledger.renameExperiment(id: try call.parameters.experimentID(), to: try call.parameters.nonEmptyString("new_name"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func delete(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.manage, on: .experiment(id: try call.parameters.experimentID(), workspace: call.workspace))
        try await ledger.deleteExperiment(id: try call.parameters.experimentID(), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func restore(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.manage, on: .experiment(id: try call.parameters.experimentID(), workspace: call.workspace))
        try await ledger.restoreExperiment(id: try call.parameters.experimentID(), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func setTag(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try call.authorization.require(.edit, on: .experiment(id: try parameters.experimentID(), workspace: call.workspace))
        try await ledger.setExperimentTag(id: try parameters.experimentID(), key: try parameters.string("key"), value: try parameters.string("value"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func deleteTag(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.edit, on: .experiment(id: try call.parameters.experimentID(), workspace: call.workspace))
        try await ledger.deleteExperimentTag(id: try call.parameters.experimentID(), key: try call.parameters.string("key"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }
}
