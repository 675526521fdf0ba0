import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One key/value pair seen through a cursor. Both buffers point into the memory map and are valid
/// until the transaction ends or the next write in it; copy them (`Array(entry.key)`) to keep them.
public struct CursorEntry {
    public let key: UnsafeRawBufferPointer
    public let value: UnsafeRawBufferPointer
}

/// A position in a database, valid only inside ``Transaction/withCursor(_:_:)``.
///
/// Each move returns the entry it lands on, or `nil` when there is none.
public struct Cursor: ~Copyable {
    let handle: OpaquePointer

    /// The first entry.
    public func first() throws(LMDBError) -> CursorEntry? { try move(MDB_FIRST) }
    /// The last entry.
    public func last() throws(LMDBError) -> CursorEntry? { try move(MDB_LAST) }
    /// The entry after the current one.
    public func next() throws(LMDBError) -> CursorEntry? { try move(MDB_NEXT) }
    /// The entry before the current one.
    public func previous() throws(LMDBError) -> CursorEntry? { try move(MDB_PREV) }
    /// The entry the cursor is on.
    public func current() throws(LMDBError) -> CursorEntry? { try move(MDB_GET_CURRENT) }

    /// The first entry whose key is greater than or equal to `key`.
    public func seek(atOrAfter key: some RawBytes) throws(LMDBError) -> CursorEntry? {
        try seek(key, MDB_SET_RANGE)
    }

    /// The entry whose key is exactly `key`.
    public func seek(exactly key: some RawBytes) throws(LMDBError) -> CursorEntry? {
        try seek(key, MDB_SET_KEY)
    }

    /// In a ``DatabaseOptions/duplicateSort`` database: the next value of the current key, or
    /// `nil` after its last value.
    public func nextDuplicate() throws(LMDBError) -> CursorEntry? { try move(MDB_NEXT_DUP) }
    /// In a ``DatabaseOptions/duplicateSort`` database: the first value of the next key.
    public func nextKey() throws(LMDBError) -> CursorEntry? { try move(MDB_NEXT_NODUP) }

    /// In a ``DatabaseOptions/duplicateSort`` database: the first value of `key` that is greater
    /// than or equal to `value`, or `nil` when the key is absent or has no such value.
    public func seek(key: some RawBytes, atOrAfterValue value: some RawBytes) throws(LMDBError) -> CursorEntry? {
        var keyVal = MDB_val()
        var dataVal = MDB_val()
        let rc = key.withRawBytes { k in
            value.withRawBytes { v in
                keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                dataVal = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_cursor_get(handle, &keyVal, &dataVal, MDB_GET_BOTH_RANGE)
            }
        }
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return entry(keyVal, dataVal)
    }

    /// In a ``DatabaseOptions/duplicateSort`` database: how many values the current key holds.
    public func duplicateCount() throws(LMDBError) -> Int {
        var count: Int = 0
        try check(mdb_cursor_count(handle, &count), "mdb_cursor_count")
        return count
    }

    /// Removes the entry the cursor is on; the cursor then stands on the entry that followed it.
    public func deleteCurrent() throws(LMDBError) {
        try check(mdb_cursor_del(handle, 0), "mdb_cursor_del")
    }

    private func seek(_ key: some RawBytes, _ op: MDB_cursor_op) throws(LMDBError) -> CursorEntry? {
        var keyVal = MDB_val()
        var dataVal = MDB_val()
        let rc = key.withRawBytes { k in
            keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_cursor_get(handle, &keyVal, &dataVal, op)
        }
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return entry(keyVal, dataVal)
    }

    @inline(__always)
    private func move(_ op: MDB_cursor_op) throws(LMDBError) -> CursorEntry? {
        var keyVal = MDB_val()
        var dataVal = MDB_val()
        let rc = mdb_cursor_get(handle, &keyVal, &dataVal, op)
        if rc == MDB_NOTFOUND || rc == EINVAL && op == MDB_GET_CURRENT { return nil }
        try check(rc, "mdb_cursor_get")
        return entry(keyVal, dataVal)
    }

    @inline(__always)
    private func entry(_ key: MDB_val, _ value: MDB_val) -> CursorEntry {
        CursorEntry(
            key: UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
            value: UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}
