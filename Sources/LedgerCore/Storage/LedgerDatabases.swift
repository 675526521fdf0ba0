import LedgerLMDB

/// The named databases of a ledger environment: the log, its metadata and every view.
///
/// Everything except ``events`` and ``meta`` is a projection of the log: ``projections`` lists
/// them, and replay empties and rebuilds exactly those.
struct LedgerDatabases: Sendable {
    /// The log: 8-byte big-endian sequence → event body ‖ SHA-256 chain hash.
    let events: Database
    /// Format version and projection version (and, in format 1, the head).
    let meta: Database
    /// LMDB's unnamed database, which names the others: it also holds the head (sequence,
    /// timestamp, hash of the last event) under ``EventLog/MetaKey/head``, because LMDB rewrites
    /// its page in every commit anyway.
    let main: Database

    /// Workspace name → workspace record.
    let workspaces: Database
    /// BE64 experiment id → experiment record; ``Keys/idCounter`` → BE64 next id (after every id,
    /// so it shares a page with the newest experiments).
    let experiments: Database
    /// Run id → run record.
    let runs: Database
    /// BE64 experiment id ‖ BE64 inverted start time ‖ run id → empty (newest first).
    let runsByExperiment: Database
    /// Run id ‖ 0 ‖ key → value.
    let runParams: Database
    /// Run id ‖ 0 ‖ key → value.
    let runTags: Database
    /// Run id ‖ 0 ‖ metric key → the latest value and the newest points (``MetricSeries``).
    let runMetrics: Database
    /// Run id ‖ 0 ‖ metric key ‖ 0 ‖ BE32 index → a sealed chunk of older points, oldest first
    /// (``MetricSeries``).
    let metricChunks: Database
    /// BE64 model id → registered model record; ``Keys/idCounter`` → BE64 next id.
    let registeredModels: Database
    /// Username → user record.
    let users: Database
    /// kind ‖ resource ‖ 0 ‖ username → level.
    let grants: Database
    /// username ‖ 0 ‖ kind ‖ resource → level.
    let grantsByUser: Database
    /// The global sorted listing index (like DynamoDB's GSI2): partition ‖ sort key → empty, and
    /// the name partitions: `0x05`/`0x06` ‖ workspace ‖ 0 ‖ experiment or model name → BE64 id.
    let listing: Database
    /// Audit chunks (``AuditIndex``): kind ‖ scope ‖ 0 ‖ BE64 first sequence → packed entries of
    /// the workspace's or the actor's events.
    let audit: Database

    /// Every projection, in a fixed order; replay rebuilds these and verify compares them.
    var projections: [Database] {
        [workspaces, experiments, runs, runsByExperiment, runParams, runTags, runMetrics,
         metricChunks, registeredModels, users, grants, grantsByUser, listing, audit]
    }

    static let projectionNames = [
        "workspaces", "experiments", "runs", "runs_by_experiment", "run_params", "run_tags",
        "run_metrics", "metric_chunks", "registered_models", "users", "grants", "grants_by_user", "listing", "audit",
    ]

    /// Views of earlier projection versions that are gone or were replaced under new names (LMDB
    /// cannot change a database's options): a rebuild deletes them.
    static let retiredProjectionNames = [
        "metric_history", "events_by_workspace", "events_by_actor", "metric_points",
        "counters", "audit_by_workspace", "audit_by_actor", "experiment_names", "registered_model_names",
    ]

    /// Opens (or creates) every database of the environment.
    static func open(in environment: Environment, create: Bool) throws -> LedgerDatabases {
        func db(_ name: String) throws -> Database {
            let database = try environment.openDatabase(name, create: create)
            // LMDB keeps the flags a database was created with, whatever the open asks for.
            guard database.options.isEmpty else {
                throw LedgerError(.incompatibleFormat, "the database '\(name)' of the ledger at '\(environment.path)' has another layout than this build expects")
            }
            return database
        }
        let events = try db("events")
        let meta = try db("meta")
        let main = try environment.openMainDatabase()
        let p: [Database]
        do {
            p = try projectionNames.map(db)
        } catch let error as LMDBError where !create && error.code == .notFound {
            // A log whose views an earlier version built under other names: only a writer can
            // rebuild them.
            throw LedgerError(.incompatibleFormat, "the views of the ledger at '\(environment.path)' were built by an earlier version; open it once for writing (such as 'ledger replay') to rebuild them")
        }
        return LedgerDatabases(
            events: events, meta: meta, main: main,
            workspaces: p[0], experiments: p[1], runs: p[2], runsByExperiment: p[3], runParams: p[4],
            runTags: p[5], runMetrics: p[6], metricChunks: p[7], registeredModels: p[8], users: p[9],
            grants: p[10], grantsByUser: p[11], listing: p[12], audit: p[13])
    }
}
