import CLMDB

/// A read or write transaction. It exists only inside the closure given to
/// ``Environment/read(_:)`` or ``Environment/write(_:)`` and cannot escape it.
///
/// A transaction is bound to the thread that runs the closure: never suspend (`await`) inside one.
/// Byte buffers handed out by ``withValue(_:key:_:)`` and by cursors point into the memory map and
/// stay valid only until the transaction ends or the next write in it.
public struct Transaction: ~Copyable {
    @usableFromInline let handle: OpaquePointer
    /// True for a read-only transaction.
    public let isReadOnly: Bool

    @usableFromInline
    init(handle: OpaquePointer, isReadOnly: Bool) {
        self.handle = handle
        self.isReadOnly = isReadOnly
    }

    /// Reads a value without copying it.
    ///
    /// - Parameters:
    ///   - database: The database to read.
    ///   - key: The key, at most 511 bytes.
    ///   - body: Receives the value's bytes, or `nil` when the key is absent.
    /// - Returns: What `body` returns.
    ///
    /// Inlinable, like the other point reads, so that callers get it specialized for their key
    /// and result types: a query makes several such reads, and the generic entry points cost
    /// as much as the lookups of a small database.
    @inlinable
    public func withValue<R, E: Error>(
        _ database: Database, key: some RawBytes, _ body: (UnsafeRawBufferPointer?) throws(E) -> R
    ) throws -> R {
        var value = MDB_val()
        let rc = key.withRawBytes { k in
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_get(handle, database.dbi, &keyVal, &value)
        }
        if rc == MDB_NOTFOUND { return try body(nil) }
        try check(rc, "mdb_get")
        return try body(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }

    /// Returns a copy of the value stored under `key`, or `nil`.
    @inlinable
    public func get(_ database: Database, key: some RawBytes) throws -> [UInt8]? {
        try withValue(database, key: key) { $0.map { Array($0) } }
    }

    /// True when `key` is present.
    @inlinable
    public func contains(_ database: Database, key: some RawBytes) throws -> Bool {
        try withValue(database, key: key) { $0 != nil }
    }

    /// Stores `value` under `key`.
    ///
    /// - Throws: ``LMDBError`` with ``LMDBError/Code/keyExists`` when `options` forbid the write
    ///   (``PutOptions/noOverwrite`` on an existing key, ``PutOptions/append`` out of order), or
    ///   ``LMDBError/Code/mapFull`` when the map must grow (``Environment/write(_:)`` handles that).
    public func put(_ database: Database, key: some RawBytes, value: some RawBytes, options: PutOptions = []) throws(LMDBError) {
        let rc = key.withRawBytes { k in
            value.withRawBytes { v in
                var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var dataVal = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_put(handle, database.dbi, &keyVal, &dataVal, options.rawValue)
            }
        }
        try check(rc, "mdb_put")
    }

    /// Removes `key`.
    ///
    /// - Returns: `false` when the key was not there.
    @discardableResult
    public func delete(_ database: Database, key: some RawBytes) throws(LMDBError) -> Bool {
        let rc = key.withRawBytes { k in
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(handle, database.dbi, &keyVal, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del")
        return true
    }

    /// Removes every entry of `database`, keeping the database itself.
    public func removeAll(_ database: Database) throws(LMDBError) {
        try check(mdb_drop(handle, database.dbi, 0), "mdb_drop")
    }

    /// Deletes the named database itself (its entries and its name) when it exists, in this
    /// write transaction: how a view whose layout changed is retired.
    ///
    /// Call it only when no other handle to the database is in use, and never while another
    /// transaction of this process opens databases.
    ///
    /// - Returns: `false` when there is no such database.
    @discardableResult
    public func dropDatabase(named name: String) throws(LMDBError) -> Bool {
        var dbi: MDB_dbi = 0
        let rc = mdb_dbi_open(handle, name, 0, &dbi)
        if rc == MDB_NOTFOUND { return false }
        guard rc == MDB_SUCCESS else { throw LMDBError(code: .init(rawValue: rc), function: "mdb_dbi_open(\(name))") }
        try check(mdb_drop(handle, dbi, 1), "mdb_drop")
        return true
    }

    /// The database's entry count and page usage.
    public func statistics(_ database: Database) throws(LMDBError) -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(handle, database.dbi, &stat), "mdb_stat")
        return DatabaseStatistics(
            entries: stat.ms_entries, branchPages: stat.ms_branch_pages, leafPages: stat.ms_leaf_pages,
            overflowPages: stat.ms_overflow_pages, depth: Int(stat.ms_depth), pageSize: Int(stat.ms_psize))
    }

    /// Runs `body` with a cursor over `database`; the cursor is closed when `body` returns.
    public func withCursor<R, E: Error>(_ database: Database, _ body: (borrowing Cursor) throws(E) -> R) throws -> R {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, database.dbi, &cursor), "mdb_cursor_open")
        let c = Cursor(handle: cursor!)
        defer { mdb_cursor_close(cursor) }
        return try body(c)
    }
}

/// Something whose bytes can be handed to LMDB as a key or a value without copying.
public protocol RawBytes {
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: RawBytes where Element == UInt8 {
    @inlinable @inline(__always)
    public func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: RawBytes where Element == UInt8 {
    @inlinable @inline(__always)
    public func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

extension UnsafeRawBufferPointer: RawBytes {
    @inlinable @inline(__always)
    public func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(self)
    }
}

extension String: RawBytes {
    @inlinable
    public func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        // A native string lends its UTF-8 in place; only others (bridged) are copied first.
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}
