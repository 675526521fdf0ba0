import LedgerLMDB

/// Applies events to the views, inside the write transaction that appends them (and during
/// replay). It is deterministic: the same log always yields byte-identical views.
///
/// It trusts its input: commands validate before they emit, so an event that contradicts the
/// views (a rename of a missing experiment, say) means a damaged log or a bug, and is reported as
/// `corruptedData`.
struct Projector: Sendable {
    /// Bump when a view's layout or content changes: the ledger rebuilds its views on open.
    static let version: UInt32 = 5

    let db: LedgerDatabases
    /// Called for every key written or removed, with the event's sequence (verify's diagnostics).
    var observer: (@Sendable (Database, [UInt8], UInt64) -> Void)?

    init(db: LedgerDatabases, observer: (@Sendable (Database, [UInt8], UInt64) -> Void)? = nil) {
        self.db = db
        self.observer = observer
    }

    /// The fields of an event the views need.
    struct Input {
        var sequence: UInt64
        var timestamp: Int64
        var actor: String
        var workspace: String
        var payload: EventPayload

        var milliseconds: Int64 { timestamp / 1000 }
    }

    /// Applies one event to the views: straight into `txn`, or, during a rebuild, into `staging`
    /// (which reads through to `txn` and writes later, in key order).
    ///
    /// - Parameter auditIndexes: Add the event to the audit index. A rebuild passes `false` when
    ///   it stages the entries itself with ``AuditEntries`` (the same entries, grouped on the
    ///   decoding thread), and a commit when it gathers them there to write at its end.
    func apply(_ event: Input, _ txn: borrowing Transaction, staging: ViewStaging? = nil, auditIndexes: Bool = true) throws {
        let seq = event.sequence
        let observer = self.observer
        func put(_ database: Database, _ key: [UInt8], _ value: [UInt8]) throws {
            if let observer { observer(database, key, seq) }
            if let staging { staging.put(database, key, value) } else { try txn.put(database, key: key, value: value) }
        }
        func delete(_ database: Database, _ key: [UInt8]) throws {
            if let observer { observer(database, key, seq) }
            if let staging { staging.delete(database, key) } else { try txn.delete(database, key: key) }
        }
        /// Adds the event's entry to the last audit chunk of a scope.
        func appendAudit(_ prefix: [UInt8], _ entry: UnsafeRawBufferPointer) throws {
            let key = if let staging {
                staging.auditChunks.add(entry, prefix: prefix, into: staging)
            } else {
                try AuditIndex.append(entry, prefix: prefix, in: db.audit, txn)
            }
            if let observer { observer(db.audit, key, seq) }
        }
        func read<T>(_ database: Database, _ key: some RawBytes, _ decode: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
            if let staging { return try staging.withValue(database, key, txn) { bytes in try bytes.map(decode) } }
            return try txn.withValue(database, key: key) { bytes in try bytes.map(decode) }
        }
        func contains(_ database: Database, _ key: some RawBytes) throws -> Bool {
            try read(database, key) { _ in true } ?? false
        }
        func deletePrefix(_ database: Database, _ prefix: [UInt8]) throws {
            // Rare (a purge): write what is staged, then delete in the database itself.
            if let staging { try staging.flush(txn) }
            var keys: [[UInt8]] = []
            try txn.withCursor(database) { cursor in
                var entry = try cursor.seek(atOrAfter: prefix)
                while let current = entry, current.key.hasPrefix(prefix) {
                    if let observer { observer(database, Array(current.key), seq) }
                    keys.append(Array(current.key))
                    entry = try cursor.next()
                }
            }
            for key in keys { try txn.delete(database, key: key) }
        }
        func missing(_ what: String) -> LedgerError {
            LedgerError(.corruptedData, "event \(seq) (\(event.payload.type.name)) refers to \(what), which the views do not hold")
        }
        func workspace(_ name: String) throws -> Workspace? { try read(db.workspaces, Array(name.utf8), Workspace.init(decoding:)) }
        func experiment(_ id: Int64) throws -> Experiment? { try read(db.experiments, Keys.id(id), Experiment.init(decoding:)) }
        func run(_ runID: String) throws -> RunInfo? { try read(db.runs, Array(runID.utf8), RunInfo.init(decoding:)) }
        func registeredModel(_ id: Int64) throws -> RegisteredModel? { try read(db.registeredModels, Keys.id(id), RegisteredModel.init(decoding:)) }
        func user(_ username: String) throws -> User? { try read(db.users, Array(username.utf8), User.init(decoding:)) }
        /// Keeps the next id of `database` (its counter key, beside the newest records) past `id`.
        func bumpCounter(_ database: Database, past id: Int64) throws {
            let next = try read(database, Keys.idCounter) { bytes in Int64(bitPattern: try Keys.decodeBE64(bytes)) } ?? 0
            if next <= id { try put(database, Keys.idCounter, Keys.id(id + 1)) }
        }
        func putExperiment(_ experiment: Experiment) throws {
            try put(db.experiments, Keys.id(experiment.id), experiment.encoded())
        }
        func listExperiment(_ experiment: Experiment, listed: Bool) throws {
            let key = Keys.experimentListing(experiment.lifecycleStage, workspace: experiment.workspace, id: experiment.id)
            if listed { try put(db.listing, key, []) } else { try delete(db.listing, key) }
        }
        func grantSet(_ resource: GrantResource, _ username: String, _ level: PermissionLevel) throws {
            try put(db.grants, Keys.grant(resource, username), [level.rank])
            try put(db.grantsByUser, Keys.grantByUser(username, resource), [level.rank])
        }

        switch event.payload {
        case let .workspaceCreated(name, description, root):
            let workspace = Workspace(
                name: name, description: description, defaultArtifactRoot: root, creationTime: event.milliseconds,
                lastUpdateTime: event.milliseconds, createdBy: event.actor, updatedBy: event.actor)
            try put(db.workspaces, Array(name.utf8), workspace.encoded())
            try put(db.listing, Keys.workspaceListing(name), [])

        case let .workspaceUpdated(name, description, root):
            guard var workspace = try workspace(name) else { throw missing("workspace '\(name)'") }
            if let description { workspace.description = description.after }
            if let root { workspace.defaultArtifactRoot = root.after }
            workspace.lastUpdateTime = event.milliseconds
            workspace.updatedBy = event.actor
            try put(db.workspaces, Array(name.utf8), workspace.encoded())

        case let .workspaceDeleted(name, _):
            guard try workspace(name) != nil else { throw missing("workspace '\(name)'") }
            try delete(db.workspaces, Array(name.utf8))
            try delete(db.listing, Keys.workspaceListing(name))

        case let .experimentCreated(id, name, location, tags):
            let experiment = Experiment(
                id: id, name: name, workspace: event.workspace, artifactLocation: location, lifecycleStage: .active,
                creationTime: event.milliseconds, lastUpdateTime: event.milliseconds, tags: tags.normalized())
            try putExperiment(experiment)
            try put(db.listing, Keys.experimentName(event.workspace, name), Keys.id(id))
            try listExperiment(experiment, listed: true)
            try bumpCounter(db.experiments, past: id)

        case let .experimentRenamed(id, from, to):
            guard var experiment = try experiment(id) else { throw missing("experiment \(id)") }
            try delete(db.listing, Keys.experimentName(experiment.workspace, from))
            try put(db.listing, Keys.experimentName(experiment.workspace, to), Keys.id(id))
            experiment.name = to
            experiment.lastUpdateTime = event.milliseconds
            try putExperiment(experiment)

        case let .experimentDeleted(id), let .experimentRestored(id):
            guard var experiment = try experiment(id) else { throw missing("experiment \(id)") }
            try listExperiment(experiment, listed: false)
            experiment.lifecycleStage = event.payload.type == .experimentDeleted ? .deleted : .active
            experiment.lastUpdateTime = event.milliseconds
            try listExperiment(experiment, listed: true)
            try putExperiment(experiment)

        case let .experimentTagSet(id, key, value, _):
            guard var experiment = try experiment(id) else { throw missing("experiment \(id)") }
            experiment.tags.set(key, value)
            try putExperiment(experiment)

        case let .experimentTagDeleted(id, key, _):
            guard var experiment = try experiment(id) else { throw missing("experiment \(id)") }
            experiment.tags.removeAll { $0.key == key }
            try putExperiment(experiment)

        case let .experimentMoved(id, _, to):
            guard var experiment = try experiment(id) else { throw missing("experiment \(id)") }
            try listExperiment(experiment, listed: false)
            try delete(db.listing, Keys.experimentName(experiment.workspace, experiment.name))
            experiment.workspace = to
            experiment.lastUpdateTime = event.milliseconds
            try put(db.listing, Keys.experimentName(to, experiment.name), Keys.id(id))
            try listExperiment(experiment, listed: true)
            try putExperiment(experiment)

        case let .experimentPurged(id, _):
            guard let experiment = try experiment(id) else { throw missing("experiment \(id)") }
            try listExperiment(experiment, listed: false)
            try delete(db.listing, Keys.experimentName(experiment.workspace, experiment.name))
            try delete(db.experiments, Keys.id(id))

        case let .runCreated(runID, experimentID, name, userID, startTime, artifactURI, tags):
            let run = RunInfo(
                runID: runID, experimentID: experimentID, runName: name, userID: userID, status: .running,
                startTime: startTime, endTime: nil, artifactURI: artifactURI, lifecycleStage: .active)
            try put(db.runs, Array(runID.utf8), run.encoded())
            try put(db.runsByExperiment, Keys.runsByExperiment(experimentID, startTime: startTime, runID: runID), [])
            for tag in tags { try put(db.runTags, Keys.scoped(runID, tag.key), Array(tag.value.utf8)) }

        case let .runUpdated(runID, status, endTime, name):
            guard var run = try run(runID) else { throw missing("run \(runID)") }
            if let status { run.status = status.after }
            if let endTime { run.endTime = endTime.after }
            if let name { run.runName = name.after }
            try put(db.runs, Array(runID.utf8), run.encoded())

        case let .runDeleted(runID), let .runRestored(runID):
            guard var run = try run(runID) else { throw missing("run \(runID)") }
            run.lifecycleStage = event.payload.type == .runDeleted ? .deleted : .active
            try put(db.runs, Array(runID.utf8), run.encoded())

        case let .runDataLogged(runID, params, metrics, tags):
            guard try contains(db.runs, runID) else { throw missing("run \(runID)") }
            for param in params { try put(db.runParams, Keys.scoped(runID, param.key), Array(param.value.utf8)) }
            for tag in tags { try put(db.runTags, Keys.scoped(runID, tag.key), Array(tag.value.utf8)) }
            for metric in metrics {
                // One record per run and metric: the point joins its tail (in place when
                // staged); a full tail is sealed into a chunk.
                let key = ScopedKey(runID, metric.key)
                var sealed: (index: UInt32, points: [UInt8])?
                func append(_ record: UnsafeRawBufferPointer?) throws -> [UInt8]? {
                    let next = try MetricSeries.appending(metric, to: record)
                    sealed = next.sealed
                    return next.record
                }
                if let observer { observer(db.runMetrics, key.bytes, seq) }
                if let staging {
                    try staging.modify(db.runMetrics, key, txn, growth: MetricSeries.maximumGrowth) { record, length in
                        let next = try MetricSeries.append(metric, toRecordIn: record, length: length)
                        sealed = next.sealed
                        return next.length
                    }
                } else if let record = try txn.withValue(db.runMetrics, key: key, append) {
                    try txn.put(db.runMetrics, key: key, value: record)
                }
                if let sealed { try put(db.metricChunks, Keys.metricChunk(runID, metric.key, sealed.index), sealed.points) }
            }

        case let .runTagDeleted(runID, key, _):
            try delete(db.runTags, Keys.scoped(runID, key))

        case let .runPurged(runID, experimentID):
            guard let run = try run(runID) else { throw missing("run \(runID)") }
            try delete(db.runs, Array(runID.utf8))
            try delete(db.runsByExperiment, Keys.runsByExperiment(experimentID, startTime: run.startTime, runID: runID))
            try deletePrefix(db.runParams, Keys.prefix(runID))
            try deletePrefix(db.runTags, Keys.prefix(runID))
            try deletePrefix(db.runMetrics, Keys.prefix(runID))
            try deletePrefix(db.metricChunks, Keys.prefix(runID))

        case let .registeredModelCreated(id, name, description, tags):
            let model = RegisteredModel(
                id: id, name: name, workspace: event.workspace, description: description,
                creationTimestamp: event.milliseconds, lastUpdatedTimestamp: event.milliseconds, tags: tags.normalized())
            try put(db.registeredModels, Keys.id(id), model.encoded())
            try put(db.listing, Keys.registeredModelName(event.workspace, name), Keys.id(id))
            try bumpCounter(db.registeredModels, past: id)

        case let .registeredModelRenamed(id, from, to):
            guard var model = try registeredModel(id) else { throw missing("registered model \(id)") }
            try delete(db.listing, Keys.registeredModelName(model.workspace, from))
            try put(db.listing, Keys.registeredModelName(model.workspace, to), Keys.id(id))
            model.name = to
            model.lastUpdatedTimestamp = event.milliseconds
            try put(db.registeredModels, Keys.id(id), model.encoded())

        case let .registeredModelUpdated(id, description):
            guard var model = try registeredModel(id) else { throw missing("registered model \(id)") }
            model.description = description.after
            model.lastUpdatedTimestamp = event.milliseconds
            try put(db.registeredModels, Keys.id(id), model.encoded())

        case let .registeredModelDeleted(id, _):
            guard let model = try registeredModel(id) else { throw missing("registered model \(id)") }
            try delete(db.listing, Keys.registeredModelName(model.workspace, model.name))
            try delete(db.registeredModels, Keys.id(id))

        case let .registeredModelTagSet(id, key, value, _):
            guard var model = try registeredModel(id) else { throw missing("registered model \(id)") }
            model.tags.set(key, value)
            model.lastUpdatedTimestamp = event.milliseconds
            try put(db.registeredModels, Keys.id(id), model.encoded())

        case let .registeredModelTagDeleted(id, key, _):
            guard var model = try registeredModel(id) else { throw missing("registered model \(id)") }
            model.tags.removeAll { $0.key == key }
            model.lastUpdatedTimestamp = event.milliseconds
            try put(db.registeredModels, Keys.id(id), model.encoded())

        case let .registeredModelMoved(id, name, from, to):
            guard var model = try registeredModel(id) else { throw missing("registered model \(id)") }
            try delete(db.listing, Keys.registeredModelName(from, name))
            try put(db.listing, Keys.registeredModelName(to, name), Keys.id(id))
            model.workspace = to
            model.lastUpdatedTimestamp = event.milliseconds
            try put(db.registeredModels, Keys.id(id), model.encoded())

        case let .userCreated(username, isAdmin, password):
            let user = User(username: username, isAdmin: isAdmin, password: password, creationTime: event.milliseconds)
            try put(db.users, Array(username.utf8), user.encoded())

        case let .userPasswordChanged(username, password):
            guard var user = try user(username) else { throw missing("user '\(username)'") }
            user.password = password
            try put(db.users, Array(username.utf8), user.encoded())

        case let .userAdminChanged(username, isAdmin):
            guard var user = try user(username) else { throw missing("user '\(username)'") }
            user.isAdmin = isAdmin.after
            try put(db.users, Array(username.utf8), user.encoded())

        case let .userDeleted(username):
            try delete(db.users, Array(username.utf8))

        case let .grantSet(resource, username, level, _):
            try grantSet(resource, username, level)

        case let .grantRevoked(resource, username, _):
            try delete(db.grants, Keys.grant(resource, username))
            try delete(db.grantsByUser, Keys.grantByUser(username, resource))
        }

        // The audit index: who changed what, found without reading the whole log.
        guard auditIndexes else { return }
        try withUnsafeTemporaryAllocation(byteCount: AuditIndex.entrySize, alignment: 8) { entry in
            AuditIndex.writeEntry(sequence: seq, type: event.payload.type, into: entry)
            let bytes = UnsafeRawBufferPointer(entry)
            try appendAudit(AuditIndex.prefix(.workspace, event.workspace), bytes)
            try appendAudit(AuditIndex.prefix(.actor, event.actor), bytes)
        }
    }
}

