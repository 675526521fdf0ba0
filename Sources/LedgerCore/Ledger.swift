import LedgerLMDB
import Foundation
import Synchronization

/// An event-sourced ledger of MLflow-style workspaces, stored in one LMDB directory.
///
/// Every change is a command: validated against current state inside the single write
/// transaction, then either appended to the log as events (with every view updated in the same
/// transaction) or refused with a ``LedgerError`` and nothing written. Many tasks may call at
/// once: their commands share commits (group commit). Reads run on snapshots and never wait.
///
/// Open one `Ledger` per directory per process. Another process (the `ledger` CLI) may open the
/// same directory at the same time, read-only or for writing; LMDB serialises the writers.
public final class Ledger: Sendable {
    /// How to open a ledger.
    public struct Configuration: Sendable {
        /// The ledger directory.
        public var directory: String
        /// The server's default artifact root: experiments of a workspace without a root of its own
        /// live under `<root>/workspaces/<workspace>/<id>`. `nil` means `<directory>/artifacts`.
        public var defaultArtifactRoot: String?
        /// Open read-only: no writes, nothing created, and the directory must hold a ledger.
        public var readOnly: Bool = false
        /// Create the directory and a new ledger when it holds none (read-write only).
        public var createIfMissing: Bool = true
        /// Flush every commit to disk (the default). Off only for disposable scratch ledgers.
        public var durable: Bool = true
        /// The initial LMDB map size; it grows on demand.
        public var initialMapSize: Int = 256 << 20
        /// The most commands one commit takes.
        public var maxBatchSize: Int = 1024

        public init(directory: String) {
            self.directory = directory
        }
    }

    public let configuration: Configuration
    /// How far ahead of its used pages a durable ledger keeps its file allocated: a top-up (a
    /// zero-fill and a flush of this much, a millisecond or two here) every megabyte of growth.
    static let preallocationStep = 1 << 20
    /// The absolute default artifact root in force.
    public let defaultArtifactRoot: String
    let environment: Environment
    let db: LedgerDatabases
    let log: EventLog
    /// Stored, not built per use: a fresh one copies every database handle, which cost a read
    /// more than its LMDB calls.
    let reader: StateReader
    let queue: CommitQueue?
    /// Set for temporary snapshots, whose directory goes when the ledger does.
    private let removesDirectory = Mutex(false)

    /// Opens the ledger in `configuration.directory`, creating it if allowed and needed.
    ///
    /// A new ledger starts with the workspace `default` and the experiment `0` (`Default`),
    /// created by the actor `system`. Views built by another projection version are rebuilt from
    /// the log before this returns.
    ///
    /// - Throws: ``LedgerError`` `notALedger` when the directory holds no ledger and may not be
    ///   created, `incompatibleFormat` for a ledger of a newer format, `storage` otherwise.
    public convenience init(configuration: Configuration) async throws {
        try self.init(opening: configuration)
        if queue != nil {
            let (format, isEmpty) = try environment.read { txn in
                (try log.metaUInt32(EventLog.MetaKey.format, txn), try log.head(txn).sequence == 0)
            }
            if let format { try Self.checkFormat(format, configuration.directory) }
            // Creating a ledger takes two commits (the format, then the first events). A ledger
            // without events is new, or its first start stopped between the two: finish it.
            if format == nil || isEmpty {
                try await initialize()
            } else {
                try upgradeAndRebuildIfNeeded()
            }
        } else {
            try environment.read { txn in
                guard let format = try log.metaUInt32(EventLog.MetaKey.format, txn) else {
                    throw LedgerError(.notALedger, "'\(configuration.directory)' holds no ledger: run the server once on it, or check --data-dir")
                }
                try Self.checkFormat(format, configuration.directory)
                // A layout can change within databases of the same names: only the recorded
                // version tells this build's views from another's, and only a writer rebuilds.
                let projection = try log.metaUInt32(EventLog.MetaKey.projectionVersion, txn)
                guard projection == Projector.version else {
                    throw LedgerError(.incompatibleFormat, "the views of the ledger at '\(configuration.directory)' were built by projection version \(projection.map(String.init) ?? "none"); this build reads version \(Projector.version): open it once for writing (such as 'ledger replay') to rebuild them")
                }
            }
        }
    }

    private init(opening configuration: Configuration) throws {
        let directory = URL(fileURLWithPath: configuration.directory).standardizedFileURL.path
        self.configuration = configuration
        let root = configuration.defaultArtifactRoot ?? URL(fileURLWithPath: directory).appendingPathComponent("artifacts").path
        self.defaultArtifactRoot = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root

        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fileManager.fileExists(atPath: directory, isDirectory: &isDirectory)
        // A single file is a backup (`ledger backup`): it opens read-only.
        let singleFile = exists && !isDirectory.boolValue
        if singleFile && !configuration.readOnly {
            throw LedgerError(.notALedger, "'\(directory)' is a file (a backup?), not a ledger directory: open it read-only, or restore it with 'mkdir DIR && cp \(directory) DIR/data.mdb'")
        }
        let hasData = singleFile || fileManager.fileExists(atPath: directory + "/data.mdb")
        if configuration.readOnly || !configuration.createIfMissing {
            guard exists, hasData else {
                throw LedgerError(.notALedger, "'\(directory)' holds no ledger (no data.mdb): check --data-dir")
            }
        } else if !exists {
            do {
                try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LedgerError(.storage, "cannot create the ledger directory '\(directory)': \(error.localizedDescription)")
            }
        }

        var lmdb = Environment.Configuration()
        lmdb.readOnly = configuration.readOnly
        lmdb.durable = configuration.durable
        // Commits flush their data; the writer flushes once more before it answers (CommitFlusher).
        lmdb.metaSync = false
        lmdb.mapSize = configuration.initialMapSize
        // Durable commits write into space already allocated and flushed (see `preallocation`).
        lmdb.preallocation = configuration.durable ? Self.preallocationStep : 0
        lmdb.singleFile = singleFile
        do {
            environment = try Environment(path: directory, configuration: lmdb)
            db = try LedgerDatabases.open(in: environment, create: !configuration.readOnly)
        } catch let error as LMDBError where error.code == .alreadyOpen {
            throw LedgerError(.storage, "the ledger at '\(directory)' is already open in this process; use that Ledger (LMDB allows one handle per process)")
        } catch let error as LMDBError where error.code == .notFound || error.code == .invalid {
            throw LedgerError(.notALedger, "'\(directory)' is not a ledger directory (\(error))")
        } catch let error as LMDBError {
            throw CommitQueue.ledgerError(error)
        }
        reader = StateReader(db: db)
        log = EventLog(db: db, projector: Projector(db: db))
        queue = configuration.readOnly ? nil : CommitQueue(
            environment: environment, log: log, defaultArtifactRoot: defaultArtifactRoot, maxBatchSize: configuration.maxBatchSize)
    }

    deinit {
        queue?.stop()
        if removesDirectory.withLock({ $0 }) {
            try? FileManager.default.removeItem(atPath: environment.path)
        }
    }

    func removesDirectoryOnRelease() {
        removesDirectory.withLock { $0 = true }
    }

    /// Finishes the queued commands and stops the writer. Later writes fail with `closed`.
    public func close() {
        queue?.stop()
    }

    /// Flushes everything committed to disk. Only a ledger opened with `durable: false` (a scratch
    /// or generated ledger) needs it, before it is handed over; a durable one flushes every commit.
    public func flush() throws {
        do {
            try environment.sync()
        } catch {
            throw CommitQueue.ledgerError(error, directory: environment.path)
        }
    }

    /// The end of the log.
    public func head() throws -> LogHead {
        try read { txn in try log.head(txn) }
    }

    // MARK: - Internals shared by commands and queries

    /// Runs `decide` in the writer's transaction and returns its result once committed.
    func submit<R: Sendable>(_ context: CommandContext, _ decide: @escaping (borrowing Transaction, inout Decision) throws -> R) async throws -> R {
        guard let queue else {
            throw LedgerError(.readOnly, "the ledger at '\(configuration.directory)' is open read-only")
        }
        let value = try await withCheckedThrowingContinuation { continuation in
            queue.submit(PendingCommand(context: context, decide: { txn, decision in try decide(txn, &decision) }, continuation: continuation))
        }
        return value as! R
    }

    /// Runs `body` in a read snapshot, mapping storage errors to ``LedgerError``.
    func read<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        do {
            return try environment.read(body)
        } catch {
            throw CommitQueue.ledgerError(error, directory: environment.path)
        }
    }

    /// Runs `body` in a write transaction outside the queue (replay), mapping storage errors.
    func writeDirectly<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        do {
            let result = try environment.write(body)
            // The environment does not flush the meta page on commit (see CommitFlusher).
            if configuration.durable { try environment.sync() }
            return result
        } catch {
            throw CommitQueue.ledgerError(error, directory: environment.path)
        }
    }

    private func initialize() async throws {
        let log = self.log
        try writeDirectly { txn in
            // Another process may have initialised it between our check and this transaction.
            if try log.metaUInt32(EventLog.MetaKey.format, txn) == nil {
                try log.setMetaUInt32(EventLog.MetaKey.format, EventLog.formatVersion, txn)
                try log.setMetaUInt32(EventLog.MetaKey.projectionVersion, Projector.version, txn)
            }
        }
        _ = try await submit(.system()) { txn, decision in
            guard try decision.reader.workspace(Workspace.defaultName, txn) == nil else { return false }
            decision.emit(.workspaceCreated(name: Workspace.defaultName, description: "Default workspace for legacy resources", defaultArtifactRoot: nil), in: Workspace.defaultName)
            let location = ArtifactLocation.experiment(Experiment.defaultExperimentID, workspace: nil, workspaceName: Workspace.defaultName, serverRoot: decision.defaultArtifactRoot)
            decision.emit(.experimentCreated(id: Experiment.defaultExperimentID, name: Experiment.defaultExperimentName, artifactLocation: location, tags: []), in: Workspace.defaultName)
            return true
        }
    }

    private static func checkFormat(_ format: UInt32, _ directory: String) throws {
        guard (1...EventLog.formatVersion).contains(format) else {
            throw LedgerError(.incompatibleFormat, "the ledger at '\(directory)' has format \(format); this build reads formats 1 to \(EventLog.formatVersion)")
        }
    }

    /// Brings an existing ledger opened for writing to this build's format and projection version.
    private func upgradeAndRebuildIfNeeded() throws {
        let log = self.log
        let (format, projection) = try read { txn in
            (try log.metaUInt32(EventLog.MetaKey.format, txn) ?? 0, try log.metaUInt32(EventLog.MetaKey.projectionVersion, txn))
        }
        try Self.checkFormat(format, configuration.directory)
        if format < EventLog.formatVersion {
            try writeDirectly { txn in _ = try log.upgradeFormat(txn) }
        }
        if projection != Projector.version {
            _ = try rebuildProjections()
        }
    }
}
