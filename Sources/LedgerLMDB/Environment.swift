import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open LMDB environment: one directory holding `data.mdb` and `lock.mdb`.
///
/// Thread safety: the handle is opened with `MDB_NOTLS`, so read transactions may run on any
/// thread; a write transaction runs entirely inside one synchronous closure, so it begins and
/// commits on one thread. LMDB itself serialises writers, across threads and processes.
/// That is why the class is `@unchecked Sendable`.
///
/// The map grows on demand: a write that finds the map full is discarded, the map doubles, and
/// the write runs again. Growing needs every transaction of this process to be closed, so each
/// transaction holds a shared lock that the resize takes exclusively.
public final class Environment: @unchecked Sendable {
    /// How to open an environment.
    public struct Configuration: Sendable {
        /// The initial map size in bytes; the map grows past it on demand.
        public var mapSize: Int = 256 << 20
        /// The most named databases the environment may hold.
        public var maxDatabases: Int = 32
        /// The most concurrent read transactions, over all processes.
        public var maxReaders: Int = 256
        /// How many finished read transactions to keep for reuse (at most 8, and at most a
        /// quarter of the environment's reader slots). Each keeps a reader slot while kept; a
        /// renewed one saves the allocation and the reader-table lock of a new transaction.
        public var pooledReadTransactions: Int = 8
        /// Open read-only: writes fail, nothing is created.
        public var readOnly: Bool = false
        /// Flush to disk on every commit (the default). Turn off only for disposable scratch
        /// environments: a machine crash may then lose or corrupt recent commits.
        public var durable: Bool = true
        /// With `durable`, also flush the meta page in every commit (the default). When false
        /// (`MDB_NOMETASYNC`) a commit flushes its data pages, then writes the meta page without
        /// flushing it: the database stays consistent after a crash, but the last commits become
        /// durable only at the next flush (the next commit's, or ``Environment/sync()``). The owner
        /// must call `sync()` before it reports such a commit as durable.
        public var metaSync: Bool = true
        /// With `durable`, how many bytes of zero-filled, flushed file to keep past the last used
        /// page (0: none, the file grows page by page as LMDB writes past its end).
        ///
        /// A commit that writes past the end of the file changes the file's size and block map
        /// too, which its flush must then also write (on ext4, synchronous writes of their own);
        /// pages written into space already allocated and flushed cost only themselves. When less
        /// than half of it is left, the space is topped up in one zero-fill and flush, inside a
        /// write transaction so that no writer, in any process, writes pages meanwhile.
        public var preallocation: Int = 0
        /// File mode of new files.
        public var fileMode: mode_t = 0o600
        /// `path` names the data file itself (its lock file is `path-lock`) rather than a
        /// directory holding `data.mdb` and `lock.mdb`: how a backup file is opened.
        public var singleFile: Bool = false

        public init() {}
    }

    /// The directory of the environment.
    public let path: String
    /// The configuration it was opened with.
    public let configuration: Configuration

    let handle: OpaquePointer
    /// LMDB's page size (the OS page size when the environment was created).
    let pageSize: Int
    @usableFromInline let resizeLock: ReadWriteLock
    private let readPool: ReadTransactionPool

    /// Opens (and, unless read-only, creates) the environment in directory `path`.
    ///
    /// The directory must exist. Open each directory once per process: LMDB's locks break if one
    /// process holds two handles to the same environment.
    public init(path: String, configuration: Configuration = .init()) throws(LMDBError) {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: .invalid, function: "mdb_env_create") }
        // LMDB must not be opened twice in one process: closing one handle would drop the other's
        // locks. Refuse the second open before it touches the files.
        var identity: FileIdentity?
        var readerSlots = 0
        var status = stat()
        if stat(path, &status) == 0 {
            let key = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
            // A handle being released on another thread (a writer thread finishing) goes within
            // moments: wait for it briefly before refusing.
            var claimed = false
            for attempt in 0..<200 {
                claimed = Self.openEnvironments.withLock { $0.insert(key).inserted }
                if claimed { break }
                if attempt < 199 { usleep(10_000) }
            }
            guard claimed else {
                mdb_env_close(env)
                throw LMDBError(code: .alreadyOpen, function: "open(\(path)): this process already has the environment open; share that handle")
            }
            identity = key
        }
        do throws(LMDBError) {
            try check(mdb_env_set_maxdbs(env, MDB_dbi(configuration.maxDatabases)), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, UInt32(configuration.maxReaders)), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, configuration.mapSize), "mdb_env_set_mapsize")
            // MDB_NOTLS ties reader slots to transactions, not threads: what lets read transactions
            // run on any thread and lets a reset one keep its slot for the next read.
            var flags = UInt32(MDB_NOTLS)
            if configuration.readOnly { flags |= UInt32(MDB_RDONLY) }
            if !configuration.durable { flags |= UInt32(MDB_NOSYNC) }
            if configuration.durable && !configuration.metaSync { flags |= UInt32(MDB_NOMETASYNC) }
            if configuration.singleFile { flags |= UInt32(MDB_NOSUBDIR) }
            try check(mdb_env_open(env, path, flags, configuration.fileMode), "mdb_env_open")
            // Clear reader slots left by processes that died while reading.
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)
            // The lock file fixes the slot count for every process that shares it.
            var slots: UInt32 = 0
            try check(mdb_env_get_maxreaders(env, &slots), "mdb_env_get_maxreaders")
            readerSlots = Int(slots)
        } catch {
            mdb_env_close(env)
            if let identity { _ = Self.openEnvironments.withLock { $0.remove(identity) } }
            throw error
        }
        var statistics = MDB_stat()
        mdb_env_stat(env, &statistics)
        self.pageSize = Int(statistics.ms_psize)
        self.identity = identity
        self.handle = env
        self.path = path
        self.configuration = configuration
        self.resizeLock = ReadWriteLock()
        // Keep most slots for other readers, in this process and others.
        self.readPool = ReadTransactionPool(capacity: min(configuration.pooledReadTransactions, readerSlots / 4))
    }

    deinit {
        // Nothing else can hold this environment now: free the kept transactions (and their
        // reader slots) before the environment they belong to.
        readPool.drain()
        mdb_env_close(handle)
        if let identity { _ = Self.openEnvironments.withLock { $0.remove(identity) } }
    }

    /// The device and inode of an open environment's path.
    struct FileIdentity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// Every environment open in this process, by device and inode.
    private static let openEnvironments = Mutex<Set<FileIdentity>>([])
    private let identity: FileIdentity?

    /// Opens the named database, creating it when `create` is true (needs a writable environment).
    ///
    /// Open every database once, right after opening the environment, and keep the handle.
    public func openDatabase(_ name: String, create: Bool = true) throws -> Database {
        try openDatabase(name, create: create, options: [])
    }

    /// Opens the named database with `options` (such as ``DatabaseOptions/duplicateSort``),
    /// creating it when `create` is true. An existing database keeps the options it was created
    /// with (LMDB ignores others): the handle's ``Database/options`` says which it has.
    public func openDatabase(_ name: String, create: Bool, options: DatabaseOptions) throws -> Database {
        try openDatabase(named: name, create: create, options: options)
    }

    /// The environment's unnamed database, which holds the names of the named ones.
    ///
    /// A few keys of the caller's may live there too, provided each holds a 0 byte: no database
    /// name can (names are C strings), so they never collide with one, and `mdb_stat -a` and
    /// `mdb_dump -a` pass over them. LMDB rewrites this database's page in every commit that
    /// changes a named database, so a value kept here and written in such a commit costs no page
    /// of its own.
    public func openMainDatabase() throws -> Database {
        try openDatabase(named: nil, create: false, options: [])
    }

    private func openDatabase(named name: String?, create: Bool, options: DatabaseOptions) throws -> Database {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        // The handle must be opened in a transaction that commits: LMDB closes handles first
        // opened in a transaction that is aborted, read-only ones included.
        let readOnly = configuration.readOnly || !create
        let txn = try beginTransaction(readOnly: readOnly)
        var dbi: MDB_dbi = 0
        let flagsToOpen = (create ? UInt32(MDB_CREATE) : 0) | options.rawValue
        let rc = name.map { mdb_dbi_open(txn, $0, flagsToOpen, &dbi) } ?? mdb_dbi_open(txn, nil, flagsToOpen, &dbi)
        let label = name ?? "(main)"
        guard rc == MDB_SUCCESS else {
            mdb_txn_abort(txn)
            throw LMDBError(code: .init(rawValue: rc), function: "mdb_dbi_open(\(label))")
        }
        var flags: UInt32 = 0
        let flagsRC = mdb_dbi_flags(txn, dbi, &flags)
        guard flagsRC == MDB_SUCCESS else {
            mdb_txn_abort(txn)
            throw LMDBError(code: .init(rawValue: flagsRC), function: "mdb_dbi_flags(\(label))")
        }
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
        return Database(dbi: dbi, name: label, options: DatabaseOptions(rawValue: flags & UInt32(MDB_DUPSORT | MDB_DUPFIXED)))
    }

    /// Runs `body` in a read-only snapshot of the latest commit. Readers never wait for writers.
    ///
    /// Do not start another transaction inside `body`.
    ///
    /// Inlinable so that callers get it specialized for their result type (no generic thunk
    /// around every read); the transaction itself comes from ``beginReadTransaction()``.
    @inlinable
    public func read<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        let txn = try beginReadTransaction()
        defer { endReadTransaction(txn) }
        return try body(Transaction(handle: txn, isReadOnly: true))
    }

    /// A read transaction on the latest snapshot: a kept one renewed, else a new one.
    /// Call with `resizeLock` held shared.
    @usableFromInline
    func beginReadTransaction() throws(LMDBError) -> OpaquePointer {
        guard let txn = readPool.take() else { return try beginTransaction(readOnly: true) }
        while true {
            let rc = mdb_txn_renew(txn)
            if rc == MDB_SUCCESS { return txn }
            if rc == MDB_MAP_RESIZED {
                // Another process grew the map. The transaction is reset again (still holding its
                // slot, no snapshot): adopt the new size as a begin would, then renew.
                do throws(LMDBError) {
                    try adoptMapSize()
                } catch {
                    mdb_txn_abort(txn)
                    throw error
                }
                continue
            }
            // Anything else (the slot lost, a panicked environment): give this transaction up
            // and begin afresh, which reports what is wrong.
            mdb_txn_abort(txn)
            return try beginTransaction(readOnly: true)
        }
    }

    /// Resets `txn` for the next read and keeps it, or aborts it when the pool is full.
    @usableFromInline
    func endReadTransaction(_ txn: OpaquePointer) {
        mdb_txn_reset(txn)
        if !readPool.put(txn) { mdb_txn_abort(txn) }
    }

    /// How many reset read transactions the environment keeps now (each holds a reader slot).
    var pooledReadTransactionCount: Int { readPool.count }

    /// The most read transactions the environment keeps.
    var readTransactionPoolCapacity: Int { readPool.capacity }

    /// Runs `body` in a write transaction and commits it when `body` returns.
    ///
    /// When `body` throws, the transaction is aborted and nothing is written. When the map is full
    /// (in a put or in the commit), the transaction is discarded, the map doubles and `body` runs
    /// again from the start: `body` must have no effects outside the transaction before it returns.
    /// Do not start another transaction inside `body`.
    public func write<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        precondition(!configuration.readOnly, "write transaction on a read-only environment")
        while true {
            let observed = mapSize
            do {
                return try writeOnce(body)
            } catch let error as LMDBError where error.code == .mapFull {
                try grow(from: observed)
            }
        }
    }

    private func writeOnce<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        let txn = try beginTransaction(readOnly: false)
        if configuration.durable && configuration.preallocation > 0 { preallocate() }
        let result: R
        do {
            result = try body(Transaction(handle: txn, isReadOnly: false))
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        // A failed commit has already freed the transaction: never abort after it.
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
        return result
    }

    /// Where the zero-filled, flushed part of the data file ends, as far as this handle knows.
    /// Only touched inside write transactions, which LMDB runs one at a time.
    private var preallocatedEnd = 0
    /// After a failed top-up (a full disk), the used size from which to try again.
    private var preallocationRetryAt = 0

    /// Tops up the zero-filled space past the last used page (see ``Configuration/preallocation``).
    /// Called inside a write transaction, before it writes anything. A failure (a full disk) only
    /// means commits grow the file again, as without preallocation: it is not reported, and the
    /// next try waits until the used part has grown by half a step.
    private func preallocate() {
        let step = configuration.preallocation
        let used = usedBytes()
        guard used + step / 2 > preallocatedEnd, used >= preallocationRetryAt else { return }
        var descriptor: mdb_filehandle_t = -1
        guard mdb_env_get_fd(handle, &descriptor) == MDB_SUCCESS else { return }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        preallocatedEnd = max(preallocatedEnd, Int(status.st_size))
        guard used + step / 2 > preallocatedEnd else { return }
        let end = used + step
        let zeros = [UInt8](repeating: 0, count: min(end - preallocatedEnd, 1 << 20))
        var offset = preallocatedEnd
        while offset < end {
            let written = zeros.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, min($0.count, end - offset), off_t(offset)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break }
            offset += written
        }
        guard offset > preallocatedEnd, fdatasync(descriptor) == 0 else {
            preallocationRetryAt = used + step / 2
            return
        }
        preallocatedEnd = offset
        preallocationRetryAt = offset < end ? used + step / 2 : 0
    }

    private func beginTransaction(readOnly: Bool) throws(LMDBError) -> OpaquePointer {
        while true {
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
            if rc == MDB_MAP_RESIZED {
                try adoptMapSize()
                continue
            }
            try check(rc, "mdb_txn_begin")
            return txn!
        }
    }

    /// Adopts the map size another process set. Called with `resizeLock` held shared, and
    /// returns with it held shared again; in between it holds it exclusively, since resizing the
    /// map needs every transaction of this process closed (kept reset ones do not count: they
    /// hold no pointer into the map).
    private func adoptMapSize() throws(LMDBError) {
        resizeLock.unlock()
        resizeLock.lockExclusive()
        let adopt = mdb_env_set_mapsize(handle, 0)
        resizeLock.unlock()
        resizeLock.lockShared()
        try check(adopt, "mdb_env_set_mapsize")
    }

    /// Doubles the map unless another thread already grew it past `observed`.
    private func grow(from observed: Int) throws(LMDBError) {
        resizeLock.lockExclusive()
        defer { resizeLock.unlock() }
        guard info().me_mapsize <= observed else { return }
        try check(mdb_env_set_mapsize(handle, observed * 2), "mdb_env_set_mapsize")
    }

    /// LMDB's environment info. `mdb_env_info` reads the meta pages inside the map, which a
    /// resize unmaps: call it only while holding `resizeLock`.
    private func info() -> MDB_envinfo {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info
    }

    /// The current map size in bytes.
    public var mapSize: Int {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        return info().me_mapsize
    }

    /// Bytes of the map in use (last page number × page size).
    public var usedSize: Int {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        return usedBytes()
    }

    /// Bytes up to the last used page. Call only while holding `resizeLock` (see ``info()``).
    private func usedBytes() -> Int {
        (info().me_last_pgno + 1) * pageSize
    }

    /// Writes a consistent copy of the environment into the existing, empty directory `path`,
    /// while other threads and processes go on reading and writing.
    ///
    /// - Parameter compact: Leave out free pages and renumber the rest (smaller, slower).
    public func copy(to path: String, compact: Bool = true) throws(LMDBError) {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        try check(mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2")
    }

    /// Writes a consistent copy of the environment into the new file `path` (which must not
    /// exist), flushed to disk, while others go on reading and writing. The file is a `data.mdb`:
    /// open it with ``Configuration/singleFile``, or put it in a directory as `data.mdb`.
    public func copy(toFile path: String, compact: Bool = true) throws(LMDBError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, configuration.fileMode)
        guard fd >= 0 else { throw LMDBError(code: .init(rawValue: errno), function: "open(\(path))") }
        var closed = false
        defer { if !closed { close(fd) } }
        do throws(LMDBError) {
            resizeLock.lockShared()
            let rc = mdb_env_copyfd2(handle, fd, compact ? UInt32(MDB_CP_COMPACT) : 0)
            resizeLock.unlock()
            try check(rc, "mdb_env_copyfd2")
            guard fsync(fd) == 0 else { throw LMDBError(code: .init(rawValue: errno), function: "fsync(\(path))") }
            closed = true
            guard close(fd) == 0 else { throw LMDBError(code: .init(rawValue: errno), function: "close(\(path))") }
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Flushes written pages to disk (`fdatasync`): what makes commits durable in an environment
    /// opened with `durable: false` or `metaSync: false`. Safe to call from any thread, also while
    /// another thread runs a write transaction.
    public func sync() throws(LMDBError) {
        resizeLock.lockShared()
        defer { resizeLock.unlock() }
        try check(mdb_env_sync(handle, 1), "mdb_env_sync")
        flushes.add(1, ordering: .relaxed)
    }

    /// How many ``sync()`` calls of this handle have completed.
    public var flushCount: Int { flushes.load(ordering: .relaxed) }
    private let flushes = Atomic<Int>(0)

    /// Clears reader slots of dead processes and returns how many were cleared.
    @discardableResult
    public func checkReaders() -> Int {
        var dead: Int32 = 0
        _ = mdb_reader_check(handle, &dead)
        return Int(dead)
    }

    /// The LMDB library version, such as `LMDB 0.9.24: (July 24, 2019)`.
    public static var libraryVersion: String {
        String(cString: mdb_version(nil, nil, nil))
    }
}

/// A writer-preferring reader/writer lock, so that a waiting map resize is not starved by readers.
@usableFromInline
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    @usableFromInline func lockShared() { pthread_rwlock_rdlock(lock) }
    func lockExclusive() { pthread_rwlock_wrlock(lock) }
    @usableFromInline func unlock() { pthread_rwlock_unlock(lock) }
}
