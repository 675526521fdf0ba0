import LedgerLMDB

extension Ledger {
    /// Creates an experiment in `workspace`; its artifact location is computed, never given.
    ///
    /// When the actor is a registered user, they receive MANAGE on the new experiment (an event).
    /// - Throws: `invalidParameterValue` for a bad name or tag; `resourceDoesNotExist` for an
    ///   unknown workspace; `resourceAlreadyExists` when the workspace holds an experiment of that
    ///   name, soft-deleted ones included.
    public func createExperiment(name: String, tags: [Tag] = [], in workspace: String, context: CommandContext) async throws -> Experiment {
        try Validation.resourceName(name, "Experiment")
        try Validation.tags(tags, "Tag")
        return try await submit(context) { txn, decision in
            let reader = decision.reader
            let ws = try reader.requireWorkspace(workspace, txn)
            guard try reader.experimentID(workspace: workspace, name: name, txn) == nil else {
                throw LedgerError(.resourceAlreadyExists, "Experiment(name=\(name)) already exists in workspace '\(workspace)'")
            }
            let id = try reader.nextExperimentID(txn)
            let location = ArtifactLocation.experiment(id, workspace: ws, workspaceName: workspace, serverRoot: decision.defaultArtifactRoot)
            decision.emit(.experimentCreated(id: id, name: name, artifactLocation: location, tags: tags), in: workspace)
            try Self.grantCreator(.experiment(id), in: workspace, txn, &decision)
            return Experiment(
                id: id, name: name, workspace: workspace, artifactLocation: location, lifecycleStage: .active,
                creationTime: decision.milliseconds, lastUpdateTime: decision.milliseconds, tags: tags.normalized())
        }
    }

    /// Renames an experiment; the new name must be free in its workspace.
    @discardableResult
    public func renameExperiment(id: Int64, to newName: String, in workspace: String, context: CommandContext) async throws -> Experiment {
        try Validation.resourceName(newName, "Experiment")
        return try await submit(context) { txn, decision in
            var experiment = try decision.reader.requireExperiment(id, in: workspace, txn)
            guard experiment.lifecycleStage == .active else {
                throw LedgerError(.invalidState, "Cannot rename experiment \(id): it is deleted; restore it first")
            }
            guard experiment.name != newName else { return experiment }
            guard try decision.reader.experimentID(workspace: workspace, name: newName, txn) == nil else {
                throw LedgerError(.resourceAlreadyExists, "Experiment(name=\(newName)) already exists in workspace '\(workspace)'")
            }
            decision.emit(.experimentRenamed(id: id, from: experiment.name, to: newName), in: workspace)
            experiment.name = newName
            experiment.lastUpdateTime = decision.milliseconds
            return experiment
        }
    }

    /// Soft-deletes an experiment (and so hides its runs); it keeps its name until purged.
    public func deleteExperiment(id: Int64, in workspace: String, context: CommandContext) async throws {
        try await setExperimentStage(id, .deleted, in: workspace, context: context)
    }

    /// Restores a soft-deleted experiment.
    public func restoreExperiment(id: Int64, in workspace: String, context: CommandContext) async throws {
        try await setExperimentStage(id, .active, in: workspace, context: context)
    }

    private func setExperimentStage(_ id: Int64, _ stage: LifecycleStage, in workspace: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let experiment = try decision.reader.requireExperiment(id, in: workspace, txn)
            guard experiment.lifecycleStage != stage else {
                throw LedgerError(.invalidParameterValue, stage == .deleted
                    ? "Cannot delete experiment \(id): it is already deleted"
                    : "Cannot restore experiment \(id): it is not deleted")
            }
            decision.emit(stage == .deleted ? .experimentDeleted(id: id) : .experimentRestored(id: id), in: workspace)
        }
    }

    /// Sets a tag on an experiment.
    public func setExperimentTag(id: Int64, key: String, value: String, in workspace: String, context: CommandContext) async throws {
        try Validation.key(key, "Tag")
        try Validation.value(value, "Tag", key: key, limit: Validation.maxTagValueLength)
        try await submit(context) { txn, decision in
            let experiment = try decision.reader.requireExperiment(id, in: workspace, txn)
            guard experiment.lifecycleStage == .active else {
                throw LedgerError(.invalidState, "Cannot set a tag on experiment \(id): it is deleted; restore it first")
            }
            let previous = experiment.tags.value(of: key)
            guard previous != value else { return }
            decision.emit(.experimentTagSet(id: id, key: key, value: value, previous: previous), in: workspace)
        }
    }

    /// Deletes a tag of an experiment.
    public func deleteExperimentTag(id: Int64, key: String, in workspace: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            let experiment = try decision.reader.requireExperiment(id, in: workspace, txn)
            guard let previous = experiment.tags.value(of: key) else {
                throw LedgerError(.resourceDoesNotExist, "No tag with name: \(key) in experiment with id=\(id)")
            }
            decision.emit(.experimentTagDeleted(id: id, key: key, previous: previous), in: workspace)
        }
    }

    /// Gives the acting user MANAGE on what they created, when they are a registered user.
    static func grantCreator(_ resource: GrantResource, in workspace: String, _ txn: borrowing Transaction, _ decision: inout Decision) throws {
        let actor = decision.context.actor
        guard try decision.reader.user(actor, txn) != nil else { return }
        decision.emit(.grantSet(resource: resource, username: actor, level: .manage, previous: nil), in: workspace)
    }
}
