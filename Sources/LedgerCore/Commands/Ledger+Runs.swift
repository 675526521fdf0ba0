import LedgerLMDB

/// What a run update changes: `nil` leaves a field as it is.
public struct RunUpdate: Sendable, Hashable {
    public var status: RunStatus?
    public var endTime: Int64?
    public var runName: String?

    public init(status: RunStatus? = nil, endTime: Int64? = nil, runName: String? = nil) {
        self.status = status
        self.endTime = endTime
        self.runName = runName
    }
}

extension Ledger {
    /// MLflow's limits for one `log-batch` call.
    public static let maxBatchMetrics = 1000
    public static let maxBatchParams = 100
    public static let maxBatchTags = 100

    /// Starts a run in an active experiment of `workspace`.
    ///
    /// - Parameters:
    ///   - runName: The name; `nil` draws a readable one such as `brave-otter-042`.
    ///   - startTime: Milliseconds since 1970; `nil` is now.
    public func createRun(experimentID: Int64, runName: String? = nil, userID: String = "", startTime: Int64? = nil,
                          tags: [Tag] = [], in workspace: String, context: CommandContext) async throws -> Run {
        try Validation.tags(tags, "Tag")
        if let runName { try Validation.value(runName, "Run name", key: "run_name", limit: Validation.maxKeyLength) }
        let runID = Self.makeRunID()
        let name = runName.flatMap { $0.isEmpty ? nil : $0 } ?? RunNames.random()
        return try await submit(context) { txn, decision in
            let experiment = try decision.reader.requireExperiment(experimentID, in: workspace, txn)
            guard experiment.lifecycleStage == .active else {
                throw LedgerError(.invalidState, "Cannot create a run in experiment \(experimentID): it is deleted; restore it first")
            }
            let start = startTime ?? decision.milliseconds
            let artifactURI = ArtifactLocation.run(runID, experimentLocation: experiment.artifactLocation)
            decision.emit(.runCreated(runID: runID, experimentID: experimentID, name: name, userID: userID, startTime: start,
                                      artifactURI: artifactURI, tags: tags), in: workspace)
            let info = RunInfo(runID: runID, experimentID: experimentID, runName: name, userID: userID, status: .running,
                               startTime: start, endTime: nil, artifactURI: artifactURI, lifecycleStage: .active)
            return Run(info: info, params: [], tags: tags.normalized(), metrics: [])
        }
    }

    /// Updates a run's status, end time or name.
    public func updateRun(id runID: String, _ update: RunUpdate, in workspace: String, context: CommandContext) async throws -> RunInfo {
        if let name = update.runName { try Validation.value(name, "Run name", key: "run_name", limit: Validation.maxKeyLength) }
        return try await submit(context) { txn, decision in
            var run = try decision.reader.requireRun(runID, in: workspace, txn)
            guard run.lifecycleStage == .active else {
                throw LedgerError(.invalidParameterValue, "The run \(runID) must be in the 'active' state. Current state is deleted.")
            }
            var status: FieldChange<RunStatus>?
            var endTime: FieldChange<Int64?>?
            var name: FieldChange<String>?
            if let new = update.status, new != run.status { status = FieldChange(before: run.status, after: new); run.status = new }
            if let new = update.endTime, new != run.endTime { endTime = FieldChange(before: run.endTime, after: new); run.endTime = new }
            if let new = update.runName, !new.isEmpty, new != run.runName { name = FieldChange(before: run.runName, after: new); run.runName = new }
            if status != nil || endTime != nil || name != nil {
                decision.emit(.runUpdated(runID: runID, status: status, endTime: endTime, name: name), in: workspace)
            }
            return run
        }
    }

    /// Soft-deletes a run.
    public func deleteRun(id runID: String, in workspace: String, context: CommandContext) async throws {
        try await setRunStage(runID, .deleted, in: workspace, context: context)
    }

    /// Restores a soft-deleted run.
    public func restoreRun(id runID: String, in workspace: String, context: CommandContext) async throws {
        try await setRunStage(runID, .active, in: workspace, context: context)
    }

    private func setRunStage(_ runID: String, _ stage: LifecycleStage, in workspace: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            guard try decision.reader.requireRunStage(runID, in: workspace, txn) != stage else { return }
            decision.emit(stage == .deleted ? .runDeleted(runID: runID) : .runRestored(runID: runID), in: workspace)
        }
    }

    /// Logs one parameter. A parameter is immutable: the same key with another value is refused.
    public func logParam(runID: String, key: String, value: String, in workspace: String, context: CommandContext) async throws {
        try await logBatch(runID: runID, params: [Tag(key: key, value: value)], in: workspace, context: context)
    }

    /// Logs one metric value; every value is kept in the metric's history.
    public func logMetric(runID: String, _ metric: Metric, in workspace: String, context: CommandContext) async throws {
        try await logBatch(runID: runID, metrics: [metric], in: workspace, context: context)
    }

    /// Sets a tag on a run.
    public func setRunTag(runID: String, key: String, value: String, in workspace: String, context: CommandContext) async throws {
        try await logBatch(runID: runID, tags: [Tag(key: key, value: value)], in: workspace, context: context)
    }

    /// Logs parameters, metric values and tags to an active run, all or nothing.
    ///
    /// - Throws: `invalidParameterValue` for a bad key or value, a batch over MLflow's limits, a
    ///   deleted run, or a parameter that would change value.
    public func logBatch(runID: String, params: [Tag] = [], metrics: [Metric] = [], tags: [Tag] = [],
                         in workspace: String, context: CommandContext) async throws {
        guard metrics.count <= Self.maxBatchMetrics, params.count <= Self.maxBatchParams, tags.count <= Self.maxBatchTags,
              metrics.count + params.count + tags.count <= Self.maxBatchMetrics else {
            throw LedgerError(.invalidParameterValue, "A batch logging request can contain at most \(Self.maxBatchMetrics) metrics, \(Self.maxBatchParams) params and \(Self.maxBatchTags) tags, \(Self.maxBatchMetrics) in all; got \(metrics.count) metrics, \(params.count) params and \(tags.count) tags.")
        }
        for param in params {
            try Validation.key(param.key, "Param")
            try Validation.value(param.value, "Param", key: param.key, limit: Validation.maxParamValueLength)
        }
        try Validation.tags(tags, "Tag")
        for metric in metrics { try Validation.key(metric.key, "Metric") }
        var seen: [String: String] = [:]
        for param in params {
            if let earlier = seen[param.key], earlier != param.value {
                throw LedgerError(.invalidParameterValue, "Duplicate parameter key '\(param.key)' with different values ('\(earlier)' and '\(param.value)') in one batch.")
            }
            seen[param.key] = param.value
        }
        try await submit(context) { txn, decision in
            guard try decision.reader.requireRunStage(runID, in: workspace, txn) == .active else {
                throw LedgerError(.invalidParameterValue, "The run \(runID) must be in the 'active' state. Current state is deleted.")
            }
            var newParams: [Tag] = []
            for param in params where !newParams.contains(param) {
                if let existing = try decision.reader.runParam(runID, param.key, txn) {
                    guard existing == param.value else {
                        throw LedgerError(.invalidParameterValue, "Changing param values is not allowed. Param with key='\(param.key)' was already logged with value='\(existing)' for run ID='\(runID)'. Attempted logging new value '\(param.value)'.")
                    }
                    continue
                }
                newParams.append(param)
            }
            guard !newParams.isEmpty || !metrics.isEmpty || !tags.isEmpty else { return }
            decision.emit(.runDataLogged(runID: runID, params: newParams, metrics: metrics, tags: tags), in: workspace)
        }
    }

    /// Deletes a tag of a run.
    public func deleteRunTag(runID: String, key: String, in workspace: String, context: CommandContext) async throws {
        try await submit(context) { txn, decision in
            guard try decision.reader.requireRunStage(runID, in: workspace, txn) == .active else {
                throw LedgerError(.invalidParameterValue, "The run \(runID) must be in the 'active' state. Current state is deleted.")
            }
            guard let previous = try decision.reader.runTag(runID, key, txn) else {
                throw LedgerError(.resourceDoesNotExist, "No tag with name: \(key) in run with id \(runID)")
            }
            decision.emit(.runTagDeleted(runID: runID, key: key, previous: previous), in: workspace)
        }
    }

    /// A new run id: 32 lowercase hex digits, as MLflow makes them.
    static func makeRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.hexString
    }
}

/// Readable random run names, like MLflow's `brave-otter-042`.
enum RunNames {
    static let adjectives = ["able", "brave", "calm", "clever", "bold", "bright", "gentle", "keen", "lively", "merry", "nimble", "quiet", "rare", "sly", "swift", "wise"]
    static let nouns = ["otter", "falcon", "lynx", "heron", "bison", "panda", "crane", "finch", "koala", "moose", "newt", "owl", "seal", "stoat", "wren", "yak"]

    static func random() -> String {
        "\(adjectives.randomElement()!)-\(nouns.randomElement()!)-\(String(format: "%03d", Int.random(in: 0..<1000)))"
    }
}

import Foundation
