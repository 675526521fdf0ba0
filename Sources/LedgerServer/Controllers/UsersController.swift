import Hummingbird
import LedgerCore

/// `/api/2.0/mlflow/users/...`: MLflow's basic-auth user management.
/// Passwords are hashed before they reach the log and never appear in a response or a log line.
struct UsersController {
    let ledger: Ledger
    let authenticator: Authenticator
    let hashRounds: UInt32

    func addRoutes(to group: RouterGroup<LedgerRequestContext>) {
        group.post("2.0/mlflow/users/create", use: create)
        group.get("2.0/mlflow/users/get", use: get)
        group.get("2.0/mlflow/users/list", use: list)
        group.patch("2.0/mlflow/users/update-password", use: updatePassword)
        group.patch("2.0/mlflow/users/update-admin", use: updateAdmin)
        group.delete("2.0/mlflow/users/delete", use: delete)
    }

    static func render(_ user: User, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("username", user.username)
        writer.key("is_admin")
        writer.value(user.isAdmin)
        writer.endObject()
    }

    /// Admins may act on anyone; a user only on themself.
    static func requireSelfOrAdmin(_ username: String, _ call: RequestCall, _ what: String) throws {
        guard call.authorization.isEnabled, !call.authorization.isAdmin else { return }
        guard call.authorization.user?.username == username else {
            throw LedgerError(.permissionDenied, "Permission denied: only admins may \(what) of another user.")
        }
    }

    @Sendable func create(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("create users")
        let parameters = call.parameters
        let user = try await ledger.createUser(
            username: try parameters.nonEmptyString("username"), password: try parameters.nonEmptyString("password"),
            isAdmin: try parameters.optionalBool("is_admin") ?? false, hashRounds: hashRounds, context: call.context)
        return Response.json(JSONWriter.wrapped("user") { Self.render(user, into: &$0) })
    }

    @Sendable func get(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let username = try call.parameters.nonEmptyString("username")
        try Self.requireSelfOrAdmin(username, call, "read the account")
        let user = try ledger.user(named: username)
        return Response.json(JSONWriter.wrapped("user") { Self.render(user, into: &$0) })
    }

    @Sendable func list(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("list users")
        let users = try ledger.users()
        var writer = JSONWriter()
        writer.beginObject()
        if !users.isEmpty {
            writer.key("users")
            writer.beginArray()
            for user in users { Self.render(user, into: &writer) }
            writer.endArray()
        }
        writer.endObject()
        return Response.json(writer)
    }

    @Sendable func updatePassword(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        let username = try call.parameters.nonEmptyString("username")
        try Self.requireSelfOrAdmin(username, call, "change the password")
        try await ledger.updatePassword(username: username, password: try call.parameters.nonEmptyString("password"), hashRounds: hashRounds, context: call.context)
        authenticator.forget(username)
        return Response.json(.emptyObject)
    }

    @Sendable func updateAdmin(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("change the admin flag")
        guard let isAdmin = try call.parameters.optionalBool("is_admin") else { throw RequestParameters.missing("is_admin") }
        try await ledger.setAdmin(username: try call.parameters.nonEmptyString("username"), isAdmin: isAdmin, context: call.context)
        return Response.json(.emptyObject)
    }

    @Sendable func delete(_ request: Request, context: LedgerRequestContext) async throws -> Response {
        let call = try await RequestCall.make(request, context, ledger)
        try call.authorization.requireAdmin("delete users")
        let username = try call.parameters.nonEmptyString("username")
        try await ledger.deleteUser(username: username, context: call.context)
        authenticator.forget(username)
        return Response.json(.emptyObject)
    }
}
