import LedgerLMDB

/// Which fields a workspace update changes: `nil` leaves a field as it is.
public struct WorkspaceUpdate: Sendable, Hashable {
    /// The new description (`""` is kept as an empty description).
    public var description: String?
    /// The new default artifact root; `""` (or blanks) clears it.
    public var defaultArtifactRoot: String?

    public init(description: String? = nil, defaultArtifactRoot: String? = nil) {
        self.description = description
        self.defaultArtifactRoot = defaultArtifactRoot
    }
}

/// What a workspace delete removed or moved (or, for a plan, would).
public struct WorkspaceDeletionSummary: Sendable, Hashable, Codable {
    public var experiments = 0
    public var runs = 0
    public var registeredModels = 0
    public var grants = 0

    public init(experiments: Int = 0, runs: Int = 0, registeredModels: Int = 0, grants: Int = 0) {
        self.experiments = experiments
        self.runs = runs
        self.registeredModels = registeredModels
        self.grants = grants
    }
}

extension Ledger {
    /// Creates a workspace.
    ///
    /// - Throws: `invalidParameterValue` for a bad or reserved name or a relative artifact root;
    ///   `resourceAlreadyExists` when the name is taken.
    public func createWorkspace(name: String, description: String? = nil, defaultArtifactRoot: String? = nil, context: CommandContext) async throws -> Workspace {
        if name == Workspace.defaultName {
            throw LedgerError(.invalidParameterValue, "The 'default' workspace is reserved and cannot be created")
        }
        try Validation.workspaceName(name, allowDefault: false)
        let root = try Validation.artifactRoot(defaultArtifactRoot)
        return try await submit(context) { txn, decision in
            guard try decision.reader.workspace(name, txn) == nil else {
                throw LedgerError(.resourceAlreadyExists, "Workspace '\(name)' already exists")
            }
            decision.emit(.workspaceCreated(name: name, description: description, defaultArtifactRoot: root), in: name)
            return Workspace(
                name: name, description: description, defaultArtifactRoot: root, creationTime: decision.milliseconds,
                lastUpdateTime: decision.milliseconds, createdBy: context.actor, updatedBy: context.actor)
        }
    }

    /// Updates a workspace's description and/or default artifact root. The name never changes.
    ///
    /// - Throws: `invalidParameterValue` for an empty update or a relative root;
    ///   `resourceDoesNotExist` for an unknown workspace.
    public func updateWorkspace(name: String, _ update: WorkspaceUpdate, context: CommandContext) async throws -> Workspace {
        try Validation.workspaceName(name)
        guard update.description != nil || update.defaultArtifactRoot != nil else {
            throw LedgerError(.invalidParameterValue, "Workspace update must have at least one key: give 'description' or 'default_artifact_root'")
        }
        let newRoot = try Validation.artifactRoot(update.defaultArtifactRoot)
        return try await submit(context) { txn, decision in
            var workspace = try decision.reader.requireWorkspace(name, txn)
            var descriptionChange: FieldChange<String?>?
            var rootChange: FieldChange<String?>?
            if let description = update.description, description != workspace.description {
                descriptionChange = FieldChange(before: workspace.description, after: description)
                workspace.description = description
            }
            if update.defaultArtifactRoot != nil, newRoot != workspace.defaultArtifactRoot {
                rootChange = FieldChange(before: workspace.defaultArtifactRoot, after: newRoot)
                workspace.defaultArtifactRoot = newRoot
            }
            if descriptionChange != nil || rootChange != nil {
                decision.emit(.workspaceUpdated(name: name, description: descriptionChange, defaultArtifactRoot: rootChange), in: name)
                workspace.lastUpdateTime = decision.milliseconds
                workspace.updatedBy = context.actor
            }
            return workspace
        }
    }

    /// Deletes a workspace in one transaction: all of it happens, or none.
    ///
    /// Every experiment, run, registered model and grant removed or moved is its own event.
    /// - Throws: `invalidParameterValue` for `default`; `resourceDoesNotExist`; `invalidState`
    ///   when RESTRICT finds resources (soft-deleted ones count) or SET_DEFAULT finds a name clash.
    @discardableResult
    public func deleteWorkspace(name: String, mode: WorkspaceDeletionMode = .restrict, context: CommandContext) async throws -> WorkspaceDeletionSummary {
        if name == Workspace.defaultName {
            throw LedgerError(.invalidParameterValue, "The 'default' workspace is reserved and cannot be deleted")
        }
        try Validation.workspaceName(name)
        return try await submit(context) { txn, decision in
            try Self.decideDeletion(of: name, mode: mode, txn, &decision)
        }
    }

    static func decideDeletion(of name: String, mode: WorkspaceDeletionMode, _ txn: borrowing Transaction, _ decision: inout Decision) throws -> WorkspaceDeletionSummary {
        let reader = decision.reader
        _ = try reader.requireWorkspace(name, txn)
        let experimentIDs = try reader.experimentIDs(in: name, txn)
        let models = try reader.registeredModels(in: name, txn)
        var summary = WorkspaceDeletionSummary()
        switch mode {
        case .restrict:
            if !experimentIDs.isEmpty || !models.isEmpty {
                throw LedgerError(.invalidState, "Cannot delete workspace '\(name)': it still holds \(experimentIDs.count) experiment(s) and \(models.count) registered model(s), soft-deleted experiments included. Delete them first, or delete with mode CASCADE (remove everything) or SET_DEFAULT (move them to 'default').")
            }
        case .cascade:
            for id in experimentIDs {
                guard let experiment = try reader.experiment(id, txn) else { continue }
                for runID in try reader.runIDs(ofExperiment: id, txn) {
                    decision.emit(.runPurged(runID: runID, experimentID: id), in: name)
                    summary.runs += 1
                }
                for grant in try reader.grants(on: .experiment(id), txn) {
                    decision.emit(.grantRevoked(resource: grant.resource, username: grant.username, previous: grant.level), in: name)
                    summary.grants += 1
                }
                decision.emit(.experimentPurged(id: id, name: experiment.name), in: name)
                summary.experiments += 1
            }
            for model in models {
                for grant in try reader.grants(on: .registeredModel(model.id), txn) {
                    decision.emit(.grantRevoked(resource: grant.resource, username: grant.username, previous: grant.level), in: name)
                    summary.grants += 1
                }
                decision.emit(.registeredModelDeleted(id: model.id, name: model.name), in: name)
                summary.registeredModels += 1
            }
        case .setDefault:
            var clashes: [String] = []
            var experiments: [Experiment] = []
            for id in experimentIDs {
                guard let experiment = try reader.experiment(id, txn) else { continue }
                if try reader.experimentID(workspace: Workspace.defaultName, name: experiment.name, txn) != nil {
                    clashes.append("experiment '\(experiment.name)'")
                }
                experiments.append(experiment)
            }
            for model in models where try reader.registeredModelID(workspace: Workspace.defaultName, name: model.name, txn) != nil {
                clashes.append("registered model '\(model.name)'")
            }
            if !clashes.isEmpty {
                throw LedgerError(.invalidState, "Cannot reassign resources from workspace '\(name)' to 'default': the following resources already exist in the default workspace and would cause conflicts: \(clashes.joined(separator: ", ")). Rename them first, or delete with mode CASCADE.")
            }
            for experiment in experiments {
                decision.emit(.experimentMoved(id: experiment.id, from: name, to: Workspace.defaultName), in: name)
                summary.experiments += 1
                summary.runs += try reader.runIDs(ofExperiment: experiment.id, txn).count
            }
            for model in models {
                decision.emit(.registeredModelMoved(id: model.id, name: model.name, from: name, to: Workspace.defaultName), in: name)
                summary.registeredModels += 1
            }
        }
        for grant in try reader.grants(on: .workspace(name), txn) {
            decision.emit(.grantRevoked(resource: grant.resource, username: grant.username, previous: grant.level), in: name)
            summary.grants += 1
        }
        decision.emit(.workspaceDeleted(name: name, mode: mode), in: name)
        return summary
    }
}
