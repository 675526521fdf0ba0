import LedgerLMDB

/// Look-ups that turn "absent" (or "in another workspace") into the `resourceDoesNotExist` error
/// MLflow gives: a resource of another workspace does not exist for the caller.
extension StateReader {
    func requireWorkspace(_ name: String, _ txn: borrowing Transaction) throws -> Workspace {
        guard let workspace = try workspace(name, txn) else {
            throw LedgerError(.resourceDoesNotExist, "Workspace '\(name)' not found")
        }
        return workspace
    }

    func requireExperiment(_ id: Int64, in workspace: String, _ txn: borrowing Transaction) throws -> Experiment {
        guard let experiment = try experiment(id, txn), experiment.workspace == workspace else {
            throw LedgerError(.resourceDoesNotExist, "No Experiment with id=\(id) exists")
        }
        return experiment
    }

    func requireExperiment(named name: String, in workspace: String, _ txn: borrowing Transaction) throws -> Experiment {
        guard let id = try experimentID(workspace: workspace, name: name, txn), let experiment = try experiment(id, txn) else {
            throw LedgerError(.resourceDoesNotExist, "Could not find experiment with name '\(name)'")
        }
        return experiment
    }

    /// The run, if its experiment lives in `workspace`. Reads of the experiment only the fields
    /// that name its workspace, not the whole record: every run command and query starts here.
    func requireRun(_ runID: String, in workspace: String, _ txn: borrowing Transaction) throws -> RunInfo {
        guard let run = try run(runID, txn), try experimentExists(run.experimentID, in: workspace, txn) else {
            throw LedgerError(.resourceDoesNotExist, "Run with id=\(runID) not found")
        }
        return run
    }

    /// The lifecycle stage of the run, if its experiment lives in `workspace`: ``requireRun(_:in:_:)``
    /// without building the run's strings, for commands that check only that the run is active.
    func requireRunStage(_ runID: String, in workspace: String, _ txn: borrowing Transaction) throws -> LifecycleStage {
        let record = try txn.withValue(db.runs, key: runID) { (bytes) throws(LedgerError) in try bytes.map(RunInfo.experimentAndStage(ofRecord:)) }
        guard let record, try experimentExists(record.experimentID, in: workspace, txn) else {
            throw LedgerError(.resourceDoesNotExist, "Run with id=\(runID) not found")
        }
        return record.stage
    }

    func requireRegisteredModel(_ name: String, in workspace: String, _ txn: borrowing Transaction) throws -> RegisteredModel {
        guard let id = try registeredModelID(workspace: workspace, name: name, txn), let model = try registeredModel(id, txn) else {
            throw LedgerError(.resourceDoesNotExist, "Registered Model with name=\(name) not found")
        }
        return model
    }

    func requireUser(_ username: String, _ txn: borrowing Transaction) throws -> User {
        guard let user = try user(username, txn) else {
            throw LedgerError(.resourceDoesNotExist, "User '\(username)' not found")
        }
        return user
    }

    /// Resolves a public permission target to the stored grant resource.
    ///
    /// Every permission check does this, so it only checks that the target exists (in its
    /// workspace) and decodes none of its record; the errors are those of the `require` reads.
    @inline(__always)
    func resolve(_ target: PermissionTarget, _ txn: borrowing Transaction) throws -> (GrantResource, workspace: String) {
        switch target {
        case .workspace(let name):
            guard try workspaceExists(name, txn) else {
                throw LedgerError(.resourceDoesNotExist, "Workspace '\(name)' not found")
            }
            return (.workspace(name), name)
        case .experiment(let id, let workspace):
            guard try experimentExists(id, in: workspace, txn) else {
                throw LedgerError(.resourceDoesNotExist, "No Experiment with id=\(id) exists")
            }
            return (.experiment(id), workspace)
        case .registeredModel(let name, let workspace):
            guard let id = try registeredModelID(workspace: workspace, name: name, txn), try registeredModelExists(id, txn) else {
                throw LedgerError(.resourceDoesNotExist, "Registered Model with name=\(name) not found")
            }
            return (.registeredModel(id), workspace)
        }
    }
}

/// A resource that permissions are granted on, as callers name it.
public enum PermissionTarget: Sendable, Hashable {
    case workspace(String)
    case experiment(id: Int64, workspace: String)
    case registeredModel(name: String, workspace: String)

    /// The workspace the target lives in.
    public var workspace: String {
        switch self {
        case .workspace(let name): name
        case .experiment(_, let workspace), .registeredModel(_, let workspace): workspace
        }
    }
}
