import LedgerLMDB

/// Point reads and prefix scans over the views, inside a caller's transaction.
///
/// Commands use it to validate against current state (inside the write transaction, so they see
/// the batch's earlier commands), queries use it inside read transactions.
struct StateReader: Sendable {
    /// The databases, behind one reference: every query passes its reader around, and
    /// LedgerDatabases by value (twenty handles) is a 636-byte copy at each call.
    private let handles: Handles

    private final class Handles: Sendable {
        let db: LedgerDatabases
        init(_ db: LedgerDatabases) { self.db = db }
    }

    init(db: LedgerDatabases) {
        handles = Handles(db)
    }

    var db: LedgerDatabases {
        _read { yield handles.db }
    }

    func workspace(_ name: String, _ txn: borrowing Transaction) throws -> Workspace? {
        try txn.withValue(db.workspaces, key: name) { (bytes) throws(LedgerError) in try bytes.map(Workspace.init(decoding:)) }
    }

    func experiment(_ id: Int64, _ txn: borrowing Transaction) throws -> Experiment? {
        try txn.withValue(db.experiments, key: Keys.id(id)) { (bytes) throws(LedgerError) in try bytes.map(Experiment.init(decoding:)) }
    }

    func experimentID(workspace: String, name: String, _ txn: borrowing Transaction) throws -> Int64? {
        try txn.withValue(db.listing, key: Keys.experimentName(workspace, name)) { (bytes) throws(LedgerError) in
            try bytes.map { (b) throws(LedgerError) in Int64(bitPattern: try Keys.decodeBE64(b)) }
        }
    }

    func run(_ runID: String, _ txn: borrowing Transaction) throws -> RunInfo? {
        try txn.withValue(db.runs, key: runID) { (bytes) throws(LedgerError) in try bytes.map(RunInfo.init(decoding:)) }
    }

    func runParam(_ runID: String, _ key: String, _ txn: borrowing Transaction) throws -> String? {
        try txn.withValue(db.runParams, key: Keys.scoped(runID, key)) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    func runTag(_ runID: String, _ key: String, _ txn: borrowing Transaction) throws -> String? {
        try txn.withValue(db.runTags, key: Keys.scoped(runID, key)) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    func latestMetric(_ runID: String, _ key: String, _ txn: borrowing Transaction) throws -> Metric? {
        try txn.withValue(db.runMetrics, key: Keys.scoped(runID, key)) { (bytes) throws(LedgerError) in
            try bytes.map { (b) throws(LedgerError) in try MetricSeries.latest(key: key, record: b) }
        }
    }

    func registeredModel(_ id: Int64, _ txn: borrowing Transaction) throws -> RegisteredModel? {
        try txn.withValue(db.registeredModels, key: Keys.id(id)) { (bytes) throws(LedgerError) in try bytes.map(RegisteredModel.init(decoding:)) }
    }

    func registeredModelID(workspace: String, name: String, _ txn: borrowing Transaction) throws -> Int64? {
        try txn.withValue(db.listing, key: Keys.registeredModelName(workspace, name)) { (bytes) throws(LedgerError) in
            try bytes.map { (b) throws(LedgerError) in Int64(bitPattern: try Keys.decodeBE64(b)) }
        }
    }

    func user(_ username: String, _ txn: borrowing Transaction) throws -> User? {
        try txn.withValue(db.users, key: username) { (bytes) throws(LedgerError) in try bytes.map(User.init(decoding:)) }
    }

    @inline(__always)
    func grant(_ resource: GrantResource, _ username: String, _ txn: borrowing Transaction) throws -> PermissionLevel? {
        try Self.withGrantKey(resource, username) { key in
            try txn.withValue(db.grants, key: key) { (bytes) throws(LedgerError) -> PermissionLevel? in
                guard let bytes else { return nil }
                guard bytes.count == 1 else { throw LedgerError(.corruptedData, "grant record of \(bytes.count) bytes") }
                return try PermissionLevel(rank: bytes[0])
            }
        }
    }

    /// Whether the workspace `name` exists (nothing decoded).
    @inline(__always)
    func workspaceExists(_ name: String, _ txn: borrowing Transaction) throws -> Bool {
        try txn.contains(db.workspaces, key: name)
    }

    /// Whether experiment `id` exists and lives in `workspace`; reads only the head of its record.
    @inline(__always)
    func experimentExists(_ id: Int64, in workspace: String, _ txn: borrowing Transaction) throws -> Bool {
        try withUnsafeBytes(of: UInt64(bitPattern: id).bigEndian) { key in
            try txn.withValue(db.experiments, key: key) { (bytes) throws(LedgerError) -> Bool in
                guard let bytes else { return false }
                return try Experiment.record(bytes, isInWorkspace: workspace)
            }
        }
    }

    /// Whether registered model `id` exists (nothing decoded).
    func registeredModelExists(_ id: Int64, _ txn: borrowing Transaction) throws -> Bool {
        try withUnsafeBytes(of: UInt64(bitPattern: id).bigEndian) { key in try txn.contains(db.registeredModels, key: key) }
    }

    /// The admin flag of `username`, `nil` for an unknown user; the password hash is not decoded.
    @inline(__always)
    func userIsAdmin(_ username: String, _ txn: borrowing Transaction) throws -> Bool? {
        try txn.withValue(db.users, key: username) { (bytes) throws(LedgerError) -> Bool? in
            try bytes.map { (b) throws(LedgerError) in try User.isAdmin(record: b) }
        }
    }

    /// Runs `body` with the `grants` key of `resource` and `username` (``Keys/grant(_:_:)``'s
    /// bytes) built in a temporary buffer: a permission check makes one or two, and building
    /// them as arrays took several allocations each.
    @inline(__always)
    static func withGrantKey<R>(_ resource: GrantResource, _ username: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        switch resource {
        case .workspace(let name):
            try name.withRawBytes { name in try withGrantKey(kind: resource.kindByte, name, username, body) }
        case .experiment(let id), .registeredModel(let id):
            try withUnsafeBytes(of: UInt64(bitPattern: id).bigEndian) { id in try withGrantKey(kind: resource.kindByte, id, username, body) }
        }
    }

    /// kind ‖ resource ‖ 0 ‖ username.
    private static func withGrantKey<R>(kind: UInt8, _ resource: UnsafeRawBufferPointer, _ username: String,
                                        _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try username.withRawBytes { user in
            try withUnsafeTemporaryAllocation(byteCount: 2 + resource.count + user.count, alignment: 1) { key in
                key[0] = kind
                UnsafeMutableRawBufferPointer(rebasing: key[1...]).copyMemory(from: resource)
                key[1 + resource.count] = 0
                UnsafeMutableRawBufferPointer(rebasing: key[(2 + resource.count)...]).copyMemory(from: user)
                return try body(UnsafeRawBufferPointer(key))
            }
        }
    }

    /// Every grant on `resource`, by username.
    func grants(on resource: GrantResource, _ txn: borrowing Transaction) throws -> [Grant] {
        let prefix = Keys.grantsPrefix(resource)
        return try scan(db.grants, prefix: prefix, txn) { (key, value) throws(LedgerError) in
            guard value.count == 1 else { throw LedgerError(.corruptedData, "grant record of \(value.count) bytes") }
            let username = String(decoding: key[prefix.count...], as: UTF8.self)
            return Grant(resource: resource, username: username, level: try PermissionLevel(rank: value[0]))
        }
    }

    /// Every grant held by `username`.
    func grants(of username: String, _ txn: borrowing Transaction) throws -> [Grant] {
        let prefix = Keys.prefix(username)
        return try scan(db.grantsByUser, prefix: prefix, txn) { (key, value) throws(LedgerError) in
            guard value.count == 1 else { throw LedgerError(.corruptedData, "grant record of \(value.count) bytes") }
            let resource = try Keys.decodeGrantResource(key[prefix.count...])
            return Grant(resource: resource, username: username, level: try PermissionLevel(rank: value[0]))
        }
    }

    /// The id the next experiment gets.
    func nextExperimentID(_ txn: borrowing Transaction) throws -> Int64 { try nextID(db.experiments, txn) }

    /// The id the next registered model gets.
    func nextRegisteredModelID(_ txn: borrowing Transaction) throws -> Int64 { try nextID(db.registeredModels, txn) }

    /// The next id of `database` (`experiments` or `registered_models`; 0 when none was made).
    private func nextID(_ database: Database, _ txn: borrowing Transaction) throws -> Int64 {
        try txn.withValue(database, key: Keys.idCounter) { (bytes) throws(LedgerError) -> Int64 in
            guard let bytes else { return 0 }
            return Int64(bitPattern: try Keys.decodeBE64(bytes))
        }
    }

    /// Ids of every experiment of `workspace`, soft-deleted included, in id order.
    func experimentIDs(in workspace: String, _ txn: borrowing Transaction) throws -> [Int64] {
        var ids: [Int64] = []
        for stage in [LifecycleStage.active, .deleted] {
            let prefix = Keys.experimentListingPrefix(stage, workspace: workspace)
            ids += try scan(db.listing, prefix: prefix, txn) { (key, _) throws(LedgerError) in
                Int64(bitPattern: try Keys.decodeBE64(UnsafeRawBufferPointer(rebasing: key[prefix.count...])))
            }
        }
        return ids.sorted()
    }

    /// Ids of every run of an experiment, newest first.
    func runIDs(ofExperiment experimentID: Int64, _ txn: borrowing Transaction) throws -> [String] {
        let prefix = Keys.id(experimentID)
        return try scan(db.runsByExperiment, prefix: prefix, txn) { (key, _) throws(LedgerError) in
            String(decoding: key[(prefix.count + 8)...], as: UTF8.self)
        }
    }

    /// (name, id) of every registered model of `workspace`, in name order.
    func registeredModels(in workspace: String, _ txn: borrowing Transaction) throws -> [(name: String, id: Int64)] {
        let prefix = Keys.registeredModelNamesPrefix(workspace: workspace)
        return try scan(db.listing, prefix: prefix, txn) { (key, value) throws(LedgerError) in
            (String(decoding: key[prefix.count...], as: UTF8.self), Int64(bitPattern: try Keys.decodeBE64(value)))
        }
    }

    /// Applies `transform` to every entry whose key starts with `prefix`, in key order.
    func scan<T>(_ database: Database, prefix: [UInt8], _ txn: borrowing Transaction,
                 _ transform: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(LedgerError) -> T) throws -> [T] {
        try txn.withCursor(database) { cursor in
            var results: [T] = []
            // LMDB refuses an empty key (MDB_BAD_VALSIZE): an empty prefix starts at the first entry.
            var entry = prefix.isEmpty ? try cursor.first() : try cursor.seek(atOrAfter: prefix)
            while let current = entry, current.key.hasPrefix(prefix) {
                results.append(try transform(current.key, current.value))
                entry = try cursor.next()
            }
            return results
        }
    }
}
