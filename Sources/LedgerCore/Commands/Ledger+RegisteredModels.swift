import LedgerLMDB

extension Ledger {
    /// Creates a registered model; names are unique within a workspace.
    ///
    /// When the actor is a registered user, they receive MANAGE on the new model (an event).
    public func createRegisteredModel(name: String, description: String? = nil, tags: [Tag] = [], in workspace: String, context: CommandContext) async throws -> RegisteredModel {
        try Validation.resourceName(name, "Registered model")
        try Validation.tags(tags, "Tag")
        return try await submit(context) { txn, decision in
            let reader = decision.reader
            _ = try reader.requireWorkspace(workspace, txn)
            guard try reader.registeredModelID(workspace: workspace, name: name, txn) == nil else {
                throw LedgerError(.resourceAlreadyExists, "Registered Model (name=\(name)) already exists.")
            }
            let id = try reader.nextRegisteredModelID(txn)
            decision.emit(.registeredModelCreated(id: id, name: name, description: description, tags: tags), in: workspace)
            try Self.grantCreator(.registeredModel(id), in: workspace, txn, &decision)
            return RegisteredModel(id: id, name: name, workspace: workspace, description: description,
                                   creationTimestamp: decision.milliseconds, lastUpdatedTimestamp: decision.milliseconds, tags: tags.normalized())
        }
    }

    /// Renames a registered model; grants follow it.
    @discardableResult
    public func renameRegisteredModel(name: String, to newName: String, in workspace: String, context: CommandContext) async throws -> RegisteredModel {
        try Validation.resourceName(newName, "Registered model")
        return try await submit(context) { txn, decision in
            var model = try decision.reader.requireRegisteredModel(name, in: workspace, txn)
            guard name != newName else { return model }
            guard try decision.reader.registeredModelID(workspace: workspace, name: newName, txn) == nil else {
                throw LedgerError(.resourceAlreadyExists, "Registered Model (name=\(newName)) already exists.")
            }
            decision.emit(.registeredModelRenamed(id: model.id, from: name, to: newName), in: workspace)
            model.name = newName
            model.lastUpdatedTimestamp = decision.milliseconds
            return model
        }
    }

    /// Sets a registered model's description (`nil` clears it).
    @discardableResult
    public func updateRegisteredModel(name: String, description: String?, in workspace: String, context: CommandContext) async throws -> RegisteredModel {
        try await submit(context) { txn, decision in
            var model = try decision.reader.requireRegisteredModel(name, in: workspace, txn)
            guard model.description != description else { return model }
            decision.emit(.registeredModelUpdated(id: model.id, description: FieldChange(before: model.description, after: description)), in: workspace)
            model.description = description
            model.lastUpdatedTimestamp = decision.milliseconds
            return model
        }
    }

    /// Deletes a registered model and the grants on it (each an event).
    public func deleteRegisteredModel(name: String, in workspace: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let model = try decision.reader.requireRegisteredModel(name, in: workspace, txn)
            for grant in try decision.reader.grants(on: .registeredModel(model.id), txn) {
                decision.emit(.grantRevoked(resource: grant.resource, username: grant.username, previous: grant.level), in: workspace)
            }
            decision.emit(.registeredModelDeleted(id: model.id, name: name), in: workspace)
        }
    }

    /// Sets a tag on a registered model.
    public func setRegisteredModelTag(name: String, key: String, value: String, in workspace: String, context: CommandContext) async throws {
        try Validation.key(key, "Tag")
        try Validation.value(value, "Tag", key: key, limit: Validation.maxTagValueLength)
        try await submit(context) { txn, decision in
            let model = try decision.reader.requireRegisteredModel(name, in: workspace, txn)
            let previous = model.tags.value(of: key)
            guard previous != value else { return }
            decision.emit(.registeredModelTagSet(id: model.id, key: key, value: value, previous: previous), in: workspace)
        }
    }

    /// Deletes a tag of a registered model.
    public func deleteRegisteredModelTag(name: String, key: String, in workspace: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let model = try decision.reader.requireRegisteredModel(name, in: workspace, txn)
            guard let previous = model.tags.value(of: key) else {
                throw LedgerError(.resourceDoesNotExist, "No tag with key '\(key)' on registered model '\(name)'")
            }
            decision.emit(.registeredModelTagDeleted(id: model.id, key: key, previous: previous), in: workspace)
        }
    }
}
