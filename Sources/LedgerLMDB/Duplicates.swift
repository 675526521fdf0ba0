import CLMDB

/// How ``Environment/openDatabase(_:create:options:)`` opens a database.
public struct DatabaseOptions: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Each key holds a sorted set of values (`MDB_DUPSORT`): a put adds a value beside the ones
    /// already stored under the key; a delete without a value removes them all.
    public static let duplicateSort = DatabaseOptions(rawValue: UInt32(MDB_DUPSORT))
    /// With ``duplicateSort``: every value of the database has the same size (`MDB_DUPFIXED`), so
    /// values are packed side by side without per-value headers, and
    /// ``Transaction/putDuplicates(_:key:items:itemSize:)`` stores many in one call.
    public static let duplicateFixed = DatabaseOptions(rawValue: UInt32(MDB_DUPFIXED))
}

extension PutOptions {
    /// In a ``DatabaseOptions/duplicateSort`` database: the value sorts after every value of its
    /// key (`MDB_APPENDDUP`), a fast append. A value that does not sort last throws
    /// ``LMDBError/Code/keyExists``.
    public static let appendDuplicate = PutOptions(rawValue: UInt32(MDB_APPENDDUP))
    /// In a ``DatabaseOptions/duplicateSort`` database: refuse to add a value the key already holds
    /// (`MDB_NODUPDATA`); the put throws ``LMDBError/Code/keyExists``.
    public static let noDuplicateData = PutOptions(rawValue: UInt32(MDB_NODUPDATA))
}

extension Transaction {
    /// Adds `items.count / itemSize` values of `itemSize` bytes each, packed side by side in
    /// `items`, under `key` of a ``DatabaseOptions/duplicateFixed`` database, in one call
    /// (`MDB_MULTIPLE`).
    ///
    /// - Parameters:
    ///   - itemSize: The size of every value; `items.count` must be a multiple of it. It must be
    ///     the size of the values already stored: LMDB does not check it.
    /// - Throws: ``LMDBError`` (`MDB_INCOMPATIBLE` when the database is not
    ///   ``DatabaseOptions/duplicateFixed``).
    public func putDuplicates(_ database: Database, key: some RawBytes, items: some RawBytes, itemSize: Int) throws(LMDBError) {
        precondition(itemSize > 0, "putDuplicates needs a positive item size")
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, database.dbi, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        try putMultiple(cursor, key: key, items: items, itemSize: itemSize)
    }

    /// Removes one value of `key` in a ``DatabaseOptions/duplicateSort`` database (the key goes
    /// with its last value). ``delete(_:key:)`` removes every value of the key.
    ///
    /// - Returns: `false` when the key does not hold that value.
    @discardableResult
    public func deleteDuplicate(_ database: Database, key: some RawBytes, value: some RawBytes) throws(LMDBError) -> Bool {
        let rc = key.withRawBytes { k in
            value.withRawBytes { v in
                var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var dataVal = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_del(handle, database.dbi, &keyVal, &dataVal)
            }
        }
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del")
        return true
    }

    /// The options the database was opened with (``DatabaseOptions/duplicateSort``, …).
    public func options(of database: Database) throws(LMDBError) -> DatabaseOptions {
        var flags: UInt32 = 0
        try check(mdb_dbi_flags(handle, database.dbi, &flags), "mdb_dbi_flags")
        return DatabaseOptions(rawValue: flags & UInt32(MDB_DUPSORT | MDB_DUPFIXED))
    }
}

extension Cursor {
    /// Stores `value` under `key` through the cursor (which then stands on the new entry); for
    /// loading many sorted entries, cheaper than ``Transaction/put(_:key:value:options:)``.
    ///
    /// - Throws: As ``Transaction/put(_:key:value:options:)``.
    public func put(key: some RawBytes, value: some RawBytes, options: PutOptions = []) throws(LMDBError) {
        let rc = key.withRawBytes { k in
            value.withRawBytes { v in
                var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var dataVal = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_cursor_put(handle, &keyVal, &dataVal, options.rawValue)
            }
        }
        try check(rc, "mdb_cursor_put")
    }

    /// Adds the packed `itemSize`-byte values of `items` under `key` of a
    /// ``DatabaseOptions/duplicateFixed`` database in one call, as
    /// ``Transaction/putDuplicates(_:key:items:itemSize:)`` does.
    public func putDuplicates(key: some RawBytes, items: some RawBytes, itemSize: Int) throws(LMDBError) {
        precondition(itemSize > 0, "putDuplicates needs a positive item size")
        try putMultiple(handle, key: key, items: items, itemSize: itemSize)
    }
}

/// `mdb_cursor_put` with `MDB_MULTIPLE`: the packed `itemSize`-byte values of `items` under `key`.
private func putMultiple(_ cursor: OpaquePointer?, key: some RawBytes, items: some RawBytes, itemSize: Int) throws(LMDBError) {
    let rc = key.withRawBytes { k in
        items.withRawBytes { v -> Int32 in
            precondition(v.count % itemSize == 0, "putDuplicates: \(v.count) bytes are not a whole number of \(itemSize)-byte items")
            if v.isEmpty { return MDB_SUCCESS }
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            // MDB_MULTIPLE takes two MDB_vals: the item size and first item, then the item count.
            var data = (MDB_val(mv_size: itemSize, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress)),
                        MDB_val(mv_size: v.count / itemSize, mv_data: nil))
            return withUnsafeMutablePointer(to: &data) { pair in
                pair.withMemoryRebound(to: MDB_val.self, capacity: 2) { vals in
                    mdb_cursor_put(cursor, &keyVal, vals, UInt32(MDB_MULTIPLE))
                }
            }
        }
    }
    try check(rc, "mdb_cursor_put(MDB_MULTIPLE)")
}
