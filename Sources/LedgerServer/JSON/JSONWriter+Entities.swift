import LedgerCore

/// MLflow's JSON shapes of the ledger's entities: snake_case names, ids as strings, unset
/// optional fields and empty lists omitted.
extension JSONWriter {
    mutating func workspace(_ workspace: Workspace) {
        beginObject()
        field("name", workspace.name)
        field("description", workspace.description)
        field("default_artifact_root", workspace.defaultArtifactRoot)
        endObject()
    }

    mutating func experiment(_ experiment: Experiment) {
        beginObject()
        field("experiment_id", String(experiment.id))
        field("name", experiment.name)
        field("artifact_location", experiment.artifactLocation)
        field("lifecycle_stage", experiment.lifecycleStage.rawValue)
        field("last_update_time", experiment.lastUpdateTime)
        field("creation_time", experiment.creationTime)
        tags("tags", experiment.tags)
        field("workspace", experiment.workspace)
        endObject()
    }

    mutating func runInfo(_ info: RunInfo) {
        beginObject()
        field("run_id", info.runID)
        field("run_uuid", info.runID)
        field("run_name", info.runName)
        field("experiment_id", String(info.experimentID))
        field("user_id", info.userID)
        field("status", info.status.rawValue)
        field("start_time", info.startTime)
        field("end_time", info.endTime)
        field("artifact_uri", info.artifactURI)
        field("lifecycle_stage", info.lifecycleStage.rawValue)
        endObject()
    }

    mutating func run(_ run: Run) {
        beginObject()
        key("info")
        runInfo(run.info)
        key("data")
        beginObject()
        if !run.metrics.isEmpty {
            key("metrics")
            beginArray()
            for metric in run.metrics { self.metric(metric) }
            endArray()
        }
        tags("params", run.params)
        tags("tags", run.tags)
        endObject()
        key("inputs")
        beginObject()
        endObject()
        endObject()
    }

    mutating func metric(_ metric: Metric) {
        beginObject()
        field("key", metric.key)
        key("value")
        value(metric.value)
        field("timestamp", metric.timestamp)
        field("step", metric.step)
        endObject()
    }

    mutating func registeredModel(_ model: RegisteredModel) {
        beginObject()
        field("name", model.name)
        field("creation_timestamp", model.creationTimestamp)
        field("last_updated_timestamp", model.lastUpdatedTimestamp)
        field("description", model.description)
        tags("tags", model.tags)
        endObject()
    }

    /// `"name": [{"key": ..., "value": ...}, ...]`, omitted when empty.
    mutating func tags(_ name: String, _ tags: [Tag]) {
        guard !tags.isEmpty else { return }
        key(name)
        beginArray()
        for tag in tags {
            beginObject()
            field("key", tag.key)
            field("value", tag.value)
            endObject()
        }
        endArray()
    }

    /// `{}`: what MLflow answers for calls that return nothing.
    static var emptyObject: JSONWriter {
        var writer = JSONWriter()
        writer.beginObject()
        writer.endObject()
        return writer
    }

    /// `{"name": <one object written by body>}`.
    static func wrapped(_ name: String, _ body: (inout JSONWriter) -> Void) -> JSONWriter {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key(name)
        body(&writer)
        writer.endObject()
        return writer
    }
}
