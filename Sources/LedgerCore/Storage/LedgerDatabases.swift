import LedgerLMDB

/// The named databases of a ledger environment: the log, its metadata and every view.
///
/// Everything except ``events`` and ``meta`` is a projection of the log: ``projections`` lists
/// them, and replay empties and rebuilds exactly those.
struct LedgerDatabases: Sendable {
    /// The log: 8-byte big-endian sequence → event body ‖ SHA-256 chain hash.
    let events: Database
    /// Format version, head (sequence, timestamp, hash) and projection version.
    let meta: Database

    /// Workspace name → workspace record.
    let workspaces: Database
    /// BE64 experiment id → experiment record.
    let experiments: Database
    /// workspace ‖ 0 ‖ experiment name → BE64 id (names are unique per workspace).
    let experimentNames: Database
    /// Run id → run record.
    let runs: Database
    /// BE64 experiment id ‖ BE64 inverted start time ‖ run id → empty (newest first).
    let runsByExperiment: Database
    /// Run id ‖ 0 ‖ key → value.
    let runParams: Database
    /// Run id ‖ 0 ‖ key → value.
    let runTags: Database
    /// Run id ‖ 0 ‖ metric key → latest value, timestamp, step.
    let runMetrics: Database
    /// Run id ‖ 0 ‖ metric key ‖ 0 ‖ BE64 sequence ‖ BE32 index → value, timestamp, step.
    let metricHistory: Database
    /// BE64 model id → registered model record.
    let registeredModels: Database
    /// workspace ‖ 0 ‖ model name → BE64 id.
    let registeredModelNames: Database
    /// Username → user record.
    let users: Database
    /// kind ‖ resource ‖ 0 ‖ username → level.
    let grants: Database
    /// username ‖ 0 ‖ kind ‖ resource → level.
    let grantsByUser: Database
    /// The global sorted listing index (like DynamoDB's GSI2): partition ‖ sort key → empty.
    let listing: Database
    /// Id counters: `experiment`, `registered_model` → BE64 next id.
    let counters: Database
    /// workspace ‖ 0 ‖ BE64 sequence → BE16 event type (audit by workspace).
    let eventsByWorkspace: Database
    /// actor ‖ 0 ‖ BE64 sequence → BE16 event type (audit by actor).
    let eventsByActor: Database

    /// Every projection, in a fixed order; replay rebuilds these and verify compares them.
    var projections: [Database] {
        [workspaces, experiments, experimentNames, runs, runsByExperiment, runParams, runTags, runMetrics,
         metricHistory, registeredModels, registeredModelNames, users, grants, grantsByUser, listing, counters,
         eventsByWorkspace, eventsByActor]
    }

    static let projectionNames = [
        "workspaces", "experiments", "experiment_names", "runs", "runs_by_experiment", "run_params", "run_tags",
        "run_metrics", "metric_history", "registered_models", "registered_model_names", "users", "grants",
        "grants_by_user", "listing", "counters", "events_by_workspace", "events_by_actor",
    ]

    /// Opens (or creates) every database of the environment.
    static func open(in environment: Environment, create: Bool) throws -> LedgerDatabases {
        func db(_ name: String) throws -> Database { try environment.openDatabase(name, create: create) }
        let p = try projectionNames.map(db)
        return LedgerDatabases(
            events: try db("events"), meta: try db("meta"),
            workspaces: p[0], experiments: p[1], experimentNames: p[2], runs: p[3], runsByExperiment: p[4],
            runParams: p[5], runTags: p[6], runMetrics: p[7], metricHistory: p[8], registeredModels: p[9],
            registeredModelNames: p[10], users: p[11], grants: p[12], grantsByUser: p[13], listing: p[14],
            counters: p[15], eventsByWorkspace: p[16], eventsByActor: p[17])
    }
}
