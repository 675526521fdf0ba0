import LedgerLMDB
import Testing

/// Duplicate-sorted databases (`MDB_DUPSORT | MDB_DUPFIXED`), bulk puts through a cursor, and
/// dropping a named database.
@Suite struct DuplicateTests {
    /// A 10-byte value: BE64 `n` ‖ two bytes of `tag`.
    private func item(_ n: UInt64, _ tag: UInt16 = 7) -> [UInt8] { bigEndianKey(n) + [UInt8(tag >> 8), UInt8(tag & 0xFF)] }

    private func withDuplicates<R>(_ body: (Environment, Database) throws -> R) throws -> R {
        try withTemporaryEnvironment { env, _ in
            let db = try env.openDatabase("dups", create: true, options: [.duplicateSort, .duplicateFixed])
            #expect(db.options == [.duplicateSort, .duplicateFixed])
            return try body(env, db)
        }
    }

    private func values(_ txn: borrowing Transaction, _ db: Database, _ key: [UInt8]) throws -> [[UInt8]] {
        try txn.withCursor(db) { cursor throws in
            var out: [[UInt8]] = []
            var entry = try cursor.seek(exactly: key)
            while let current = entry {
                out.append(Array(current.value))
                entry = try cursor.nextDuplicate()
            }
            return out
        }
    }

    @Test func putDuplicatesStoresManyValuesInOneCallInOrder() throws {
        try withDuplicates { env, db in
            let packed = (1...1_000).flatMap { item(UInt64($0)) }
            try env.write { txn throws in
                try txn.putDuplicates(db, key: bytes("alice"), items: packed, itemSize: 10)
                try txn.putDuplicates(db, key: bytes("bob"), items: item(5) + item(9), itemSize: 10)
                try txn.putDuplicates(db, key: bytes("carol"), items: [UInt8](), itemSize: 10)
            }
            try env.read { txn throws in
                #expect(try values(txn, db, bytes("alice")) == (1...1_000).map { item(UInt64($0)) })
                #expect(try values(txn, db, bytes("bob")) == [item(5), item(9)])
                #expect(try values(txn, db, bytes("carol")).isEmpty)
                #expect(try txn.statistics(db).entries == 1_002)
                #expect(try txn.options(of: db) == [.duplicateSort, .duplicateFixed])
                try txn.withCursor(db) { cursor throws in
                    _ = try cursor.seek(exactly: bytes("alice"))
                    #expect(try cursor.duplicateCount() == 1_000)
                    // nextKey skips the rest of alice's values.
                    #expect(try cursor.nextKey().map { Array($0.key) } == bytes("bob"))
                }
            }
        }
    }

    @Test func appendDuplicateRefusesAValueThatDoesNotSortLast() throws {
        try withDuplicates { env, db in
            try env.write { txn throws in
                try txn.put(db, key: bytes("k"), value: item(1), options: .appendDuplicate)
                try txn.put(db, key: bytes("k"), value: item(2), options: .appendDuplicate)
                let error = #expect(throws: LMDBError.self) { try txn.put(db, key: bytes("k"), value: item(1, 0), options: .appendDuplicate) }
                #expect(error?.code == .keyExists)
                // Without the option the value goes in its place.
                try txn.put(db, key: bytes("k"), value: item(1, 0))
                let again = #expect(throws: LMDBError.self) { try txn.put(db, key: bytes("k"), value: item(2), options: .noDuplicateData) }
                #expect(again?.code == .keyExists)
            }
            try env.read { txn throws in #expect(try values(txn, db, bytes("k")) == [item(1, 0), item(1), item(2)]) }
        }
    }

    @Test func seekToAValueAndDeleteOneOrAllValues() throws {
        try withDuplicates { env, db in
            try env.write { txn throws in
                try txn.putDuplicates(db, key: bytes("k"), items: [10, 20, 30].flatMap { item($0) }, itemSize: 10)
                try txn.putDuplicates(db, key: bytes("z"), items: item(1), itemSize: 10)
            }
            try env.read { txn throws in
                try txn.withCursor(db) { cursor throws in
                    let found = try cursor.seek(key: bytes("k"), atOrAfterValue: bigEndianKey(15) + [0, 0])
                    #expect(found.map { Array($0.value) } == item(20))
                    #expect(try cursor.nextDuplicate().map { Array($0.value) } == item(30))
                    #expect(try cursor.nextDuplicate() == nil)
                    #expect(try cursor.seek(key: bytes("k"), atOrAfterValue: bigEndianKey(31) + [0, 0]) == nil)
                    #expect(try cursor.seek(key: bytes("absent"), atOrAfterValue: bigEndianKey(0) + [0, 0]) == nil)
                }
            }
            try env.write { txn throws in
                #expect(try txn.deleteDuplicate(db, key: bytes("k"), value: item(20)))
                #expect(try !txn.deleteDuplicate(db, key: bytes("k"), value: item(20)))
                #expect(try values(txn, db, bytes("k")) == [item(10), item(30)])
                #expect(try txn.delete(db, key: bytes("k")), "a delete without a value removes them all")
                #expect(try values(txn, db, bytes("k")).isEmpty)
                #expect(try values(txn, db, bytes("z")) == [item(1)])
            }
        }
    }

    /// LMDB keeps the options a database was created with; a handle reports those, whatever the
    /// open asked for.
    @Test func aDatabaseKeepsTheOptionsItWasCreatedWith() throws {
        try withTemporaryDirectory { path in
            do {
                let env = try Environment(path: path, configuration: testConfiguration())
                _ = try env.openDatabase("plain")
                _ = try env.openDatabase("dups", create: true, options: [.duplicateSort, .duplicateFixed])
            }
            let env = try Environment(path: path, configuration: testConfiguration())
            let plain = try env.openDatabase("plain", create: false, options: [.duplicateSort])
            #expect(plain.options == [])
            let dups = try env.openDatabase("dups", create: false)
            #expect(dups.options == [.duplicateSort, .duplicateFixed])
        }
    }

    @Test func cursorPutAppendsSortedEntries() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn throws in
                try txn.withCursor(db) { cursor throws in
                    for i in 1...500 { try cursor.put(key: bigEndianKey(UInt64(i)), value: bytes("v\(i)"), options: .append) }
                    let error = #expect(throws: LMDBError.self) { try cursor.put(key: bigEndianKey(3), value: bytes("x"), options: .append) }
                    #expect(error?.code == .keyExists)
                    try cursor.put(key: bigEndianKey(3), value: bytes("x"))
                }
            }
            try env.read { txn throws in
                #expect(try txn.statistics(db).entries == 500)
                #expect(try txn.get(db, key: bigEndianKey(3)) == bytes("x"))
                #expect(try txn.get(db, key: bigEndianKey(500)) == bytes("v500"))
            }
        }
    }

    @Test func cursorPutDuplicatesLoadsSeveralKeys() throws {
        try withDuplicates { env, db in
            try env.write { txn throws in
                try txn.withCursor(db) { cursor throws in
                    for key in ["a", "b", "c"] { try cursor.putDuplicates(key: bytes(key), items: (1...50).flatMap { item(UInt64($0)) }, itemSize: 10) }
                }
            }
            try env.read { txn throws in
                #expect(try txn.statistics(db).entries == 150)
                #expect(try values(txn, db, bytes("b")).count == 50)
            }
        }
    }

    @Test func dropDatabaseRemovesTheNamedDatabase() throws {
        try withTemporaryEnvironment { env, _ in
            let old = try env.openDatabase("old")
            try env.write { txn throws in try txn.put(old, key: bytes("k"), value: bytes("v")) }
            try env.write { txn throws in
                #expect(try txn.dropDatabase(named: "old"))
                #expect(try !txn.dropDatabase(named: "never-existed"))
            }
            let error = #expect(throws: LMDBError.self) { _ = try env.openDatabase("old", create: false) }
            #expect(error?.code == .notFound)
            // The name can be used again, with other options.
            let renewed = try env.openDatabase("old", create: true, options: [.duplicateSort, .duplicateFixed])
            try env.read { txn throws in #expect(try txn.statistics(renewed).entries == 0) }
        }
    }
}
