import Hummingbird
import LedgerCore

/// `/api/2.0/mlflow/registered-models/...`, scoped to the request's workspace.
struct RegisteredModelsController {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.post("2.0/mlflow/registered-models/create", use: create)
        group.get("2.0/mlflow/registered-models/get", use: get)
        group.post("2.0/mlflow/registered-models/rename", use: rename)
        group.patch("2.0/mlflow/registered-models/update", use: update)
        group.delete("2.0/mlflow/registered-models/delete", use: delete)
        group.get("2.0/mlflow/registered-models/search", use: search)
        group.post("2.0/mlflow/registered-models/set-tag", use: setTag)
        group.delete("2.0/mlflow/registered-models/delete-tag", use: deleteTag)
    }

    @Sendable func create(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try call.authorization.require(.edit, on: .workspace(call.workspace))
        let model = try await ledger.createRegisteredModel(
            name: try parameters.nonEmptyString("name"), description: try parameters.optionalString("description"),
            tags: try parameters.keyValues("tags"), in: call.workspace, context: call.context)
        return Response.json(JSONWriter.wrapped("registered_model") { $0.registeredModel(model) })
    }

    @Sendable func get(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let name = try call.parameters.nonEmptyString("name")
        try call.authorization.require(.read, on: .registeredModel(name: name, workspace: call.workspace))
        let model = try ledger.registeredModel(named: name, in: call.workspace)
        return Response.json(JSONWriter.wrapped("registered_model") { $0.registeredModel(model) })
    }

    @Sendable func rename(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.edit, on: .registeredModel(name: try call.parameters.nonEmptyString("name"), workspace: call.workspace))
        let model = try await ledger.renameRegisteredModel(
            name: try call.parameters.nonEmptyString("name"), to: try call.parameters.nonEmptyString("new_name"), in: call.workspace, context: call.context)
        return Response.json(JSONWriter.wrapped("registered_model") { $0.registeredModel(model) })
    }

    @Sendable func update(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.edit, on: .registeredModel(name: try call.parameters.nonEmptyString("name"), workspace: call.workspace))
        let model = try await ledger.updateRegisteredModel(
            name: try call.parameters.nonEmptyString("name"), description: try call.parameters.optionalString("description"), in: call.workspace, context: call.context)
        return Response.json(JSONWriter.wrapped("registered_model") { $0.registeredModel(model) })
    }

    @Sendable func delete(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.manage, on: .registeredModel(name: try call.parameters.nonEmptyString("name"), workspace: call.workspace))
        try await ledger.deleteRegisteredModel(name: try call.parameters.nonEmptyString("name"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func search(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        var nameMatch: StringMatch?
        var tags: [ExperimentSearch.TagCondition] = []
        for condition in try SearchFilter.parse(try parameters.optionalString("filter") ?? "") {
            switch condition.subject {
            case .attribute("name"): nameMatch = condition.match
            case .tag(let key): tags.append(.init(key: key, match: condition.match))
            case .attribute(let other):
                throw APIError.invalid("Invalid filter: registered models can be filtered by name and tags, not by '\(other)'.")
            }
        }
        let page = try ledger.searchRegisteredModels(
            in: call.workspace, name: nameMatch, tags: tags, maxResults: Int(clamping: try parameters.optionalInt64("max_results") ?? 100),
            pageToken: try parameters.optionalString("page_token"), visibility: call.authorization.searchVisibility)
        var writer = JSONWriter()
        writer.beginObject()
        if !page.items.isEmpty {
            writer.key("registered_models")
            writer.beginArray()
            for model in page.items { writer.registeredModel(model) }
            writer.endArray()
        }
        writer.field("next_page_token", page.nextPageToken)
        writer.endObject()
        return Response.json(writer)
    }

    @Sendable func setTag(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let parameters = call.parameters
        try call.authorization.require(.edit, on: .registeredModel(name: try parameters.nonEmptyString("name"), workspace: call.workspace))
        try await ledger.setRegisteredModelTag(name: try parameters.nonEmptyString("name"), key: try parameters.string("key"), value: try parameters.string("value"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func deleteTag(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.require(.edit, on: .registeredModel(name: try call.parameters.nonEmptyString("name"), workspace: call.workspace))
        try await ledger.deleteRegisteredModelTag(name: try call.parameters.nonEmptyString("name"), key: try call.parameters.string("key"), in: call.workspace, context: call.context)
        return Response.json(.emptyObject)
    }
}
