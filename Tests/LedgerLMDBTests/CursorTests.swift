import LedgerLMDB
import Testing

@Suite struct CursorTests {
    /// Keys 10, 20, …, 100 as 8-byte big-endian, values "v10", "v20", ….
    private func withTenEntries<R>(_ body: (Environment, Database) throws -> R) throws -> R {
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                for i in stride(from: UInt64(100), through: 10, by: -10) { // inserted in reverse
                    try txn.put(db, key: bigEndianKey(i), value: bytes("v\(i)"))
                }
            }
            return try body(env, db)
        }
    }

    private func key(_ entry: CursorEntry?) -> UInt64? { entry.map { decodeBigEndian($0.key) } }
    private func value(_ entry: CursorEntry?) -> String? { entry.map { String(decoding: $0.value, as: UTF8.self) } }

    @Test func emptyDatabaseHasNoEntries() throws {
        try withTemporaryDatabase { env, db in
            try env.read { txn in
                try txn.withCursor(db) { cursor throws in
                    #expect(try cursor.first() == nil)
                    #expect(try cursor.last() == nil)
                    #expect(try cursor.seek(atOrAfter: bigEndianKey(0)) == nil)
                    #expect(try cursor.seek(exactly: bigEndianKey(0)) == nil)
                }
            }
        }
    }

    @Test func firstLastNextPrevious() throws {
        try withTenEntries { env, db in
            try env.read { txn in
                try txn.withCursor(db) { cursor in
                    let first = try cursor.first()
                    #expect(key(first) == 10)
                    #expect(value(first) == "v10")
                    #expect(key(try cursor.next()) == 20)
                    #expect(key(try cursor.next()) == 30)
                    #expect(key(try cursor.previous()) == 20)
                    #expect(value(try cursor.current()) == "v20")

                    let last = try cursor.last()
                    #expect(key(last) == 100)
                    #expect(value(last) == "v100")
                    #expect(try cursor.next() == nil)
                    #expect(key(try cursor.previous()) == 90)

                    _ = try cursor.first()
                    #expect(try cursor.previous() == nil)
                }
            }
        }
    }

    @Test func currentOnAnUnpositionedCursorIsNil() throws {
        try withTenEntries { env, db in
            try env.read { txn in
                try txn.withCursor(db) { cursor throws in
                    #expect(try cursor.current() == nil)
                }
            }
        }
    }

    @Test func nextOnAFreshCursorStartsAtTheFirstEntry() throws {
        try withTenEntries { env, db in
            let keys = try env.read { txn in
                try txn.withCursor(db) { cursor in
                    var keys: [UInt64] = []
                    while let entry = try cursor.next() { keys.append(decodeBigEndian(entry.key)) }
                    return keys
                }
            }
            #expect(keys == Array(stride(from: 10, through: 100, by: 10)))
        }
    }

    @Test func iterationBackwardsFromLast() throws {
        try withTenEntries { env, db in
            let keys = try env.read { txn in
                try txn.withCursor(db) { cursor in
                    var keys: [UInt64] = []
                    var entry = try cursor.last()
                    while let e = entry {
                        keys.append(decodeBigEndian(e.key))
                        entry = try cursor.previous()
                    }
                    return keys
                }
            }
            #expect(keys == Array(stride(from: 100, through: 10, by: -10)))
        }
    }

    @Test func seekAtOrAfter() throws {
        try withTenEntries { env, db in
            try env.read { txn in
                try txn.withCursor(db) { cursor in
                    #expect(key(try cursor.seek(atOrAfter: bigEndianKey(0))) == 10)
                    #expect(key(try cursor.seek(atOrAfter: bigEndianKey(30))) == 30) // exact
                    let between = try cursor.seek(atOrAfter: bigEndianKey(31))
                    #expect(key(between) == 40)
                    #expect(value(between) == "v40")
                    #expect(key(try cursor.next()) == 50) // the cursor is positioned there
                    #expect(key(try cursor.seek(atOrAfter: bigEndianKey(100))) == 100)
                    #expect(try cursor.seek(atOrAfter: bigEndianKey(101)) == nil)
                    // A shorter key sorts before every 8-byte key with the same prefix.
                    #expect(key(try cursor.seek(atOrAfter: [UInt8](repeating: 0, count: 7))) == 10)
                }
            }
        }
    }

    @Test func seekExactly() throws {
        try withTenEntries { env, db in
            try env.read { txn in
                try txn.withCursor(db) { cursor in
                    let hit = try cursor.seek(exactly: bigEndianKey(70))
                    #expect(key(hit) == 70)
                    #expect(value(hit) == "v70")
                    #expect(key(try cursor.previous()) == 60)
                    #expect(try cursor.seek(exactly: bigEndianKey(71)) == nil)
                    #expect(try cursor.seek(exactly: bigEndianKey(5)) == nil)
                    #expect(try cursor.seek(exactly: bigEndianKey(1000)) == nil)
                }
            }
        }
    }

    @Test func deleteCurrentRemovesAndMovesToTheFollowingEntry() throws {
        try withTenEntries { env, db in
            let afterDelete = try env.write { txn in
                try txn.withCursor(db) { cursor in
                    _ = try cursor.seek(exactly: bigEndianKey(40))
                    try cursor.deleteCurrent()
                    return key(try cursor.next())
                }
            }
            #expect(afterDelete == 50)
            try env.read { txn throws in
                #expect(try txn.get(db, key: bigEndianKey(40)) == nil)
                #expect(try txn.get(db, key: bigEndianKey(50)) == bytes("v50"))
                #expect(try txn.statistics(db).entries == 9)
            }
        }
    }

    @Test func deleteCurrentWhileIteratingRemovesTheSelectedEntries() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                for i in 0..<2_000 as Range<UInt64> { try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 32)) }
            }
            // Delete every multiple of 3 in one pass (spans many pages).
            try env.write { txn in
                try txn.withCursor(db) { cursor in
                    var entry = try cursor.first()
                    while let e = entry {
                        if decodeBigEndian(e.key) % 3 == 0 {
                            try cursor.deleteCurrent()
                        }
                        entry = try cursor.next()
                    }
                }
            }
            let keys = try allEntries(env, db).map { decodeBigEndian($0.0) }
            #expect(keys == (0..<2_000).filter { $0 % 3 != 0 })
        }
    }

    @Test func deleteCurrentInAReadTransactionThrows() throws {
        try withTenEntries { env, db throws in
            let error = #expect(throws: LMDBError.self) {
                try env.read { txn in
                    try txn.withCursor(db) { cursor in
                        _ = try cursor.first()
                        try cursor.deleteCurrent()
                    }
                }
            }
            #expect(error?.function == "mdb_cursor_del")
            #expect(try env.read { try $0.statistics(db).entries } == 10)
        }
    }

    @Test func iterationOrderIsByteOrder() throws {
        try withTemporaryDatabase { env, db in
            let keys: [[UInt8]] = [
                [0xFF], [0x00], [0x00, 0x00], [0x01], [0x80, 0x00], [0x7F, 0xFF, 0xFF],
                bytes("b"), bytes("a"), bytes("ab"), bytes("B"), bytes("aa"), bytes("a\u{0}"),
                bigEndianKey(256), bigEndianKey(1), bigEndianKey(UInt64.max),
            ]
            try env.write { txn in
                for (i, key) in keys.enumerated() { try txn.put(db, key: key, value: bytes("\(i)")) }
            }
            let entries = try allEntries(env, db)
            let expected = keys.sorted { $0.lexicographicallyPrecedes($1) }
            #expect(entries.map(\.0) == expected)
            // Values travel with their keys.
            for (key, value) in entries {
                let index = try #require(keys.firstIndex(of: key))
                #expect(value == bytes("\(index)"))
            }
            // Spot-check a few orderings that are not numeric or case-insensitive.
            #expect(expected.first == [0x00])
            #expect(expected.last == bigEndianKey(UInt64.max))
            #expect(expected.firstIndex(of: [0xFF]) == expected.count - 2)
            #expect(try #require(expected.firstIndex(of: bytes("B"))) < expected.firstIndex(of: bytes("a"))!)
        }
    }

    @Test func littleEndianKeysAreNotInNumericOrder() throws {
        // Shows why the ledger uses big-endian keys: byte order differs from numeric order.
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                for i: UInt64 in [1, 256, 2] {
                    try txn.put(db, key: withUnsafeBytes(of: i.littleEndian) { Array($0) }, value: bytes("\(i)"))
                }
            }
            let values = try allEntries(env, db).map { String(decoding: $0.1, as: UTF8.self) }
            #expect(values == ["256", "1", "2"])
        }
    }

    @Test func cursorInsideAWriteTransactionSeesUncommittedPuts() throws {
        try withTenEntries { env, db in
            let keys = try env.write { txn in
                try txn.put(db, key: bigEndianKey(15), value: bytes("v15"))
                _ = try txn.delete(db, key: bigEndianKey(20))
                return try txn.withCursor(db) { cursor in
                    var keys: [UInt64] = []
                    var entry = try cursor.seek(atOrAfter: bigEndianKey(10))
                    while let e = entry, keys.count < 3 {
                        keys.append(decodeBigEndian(e.key))
                        entry = try cursor.next()
                    }
                    return keys
                }
            }
            #expect(keys == [10, 15, 30])
        }
    }

    @Test func errorThrownFromCursorBodyPropagates() throws {
        try withTenEntries { env, db throws in
            #expect(throws: TestFailure(reason: "from cursor")) {
                try env.write { txn in
                    try txn.withCursor(db) { cursor in
                        _ = try cursor.first()
                        try cursor.deleteCurrent()
                        throw TestFailure(reason: "from cursor")
                    }
                }
            }
            // The delete rolled back with the transaction.
            #expect(try env.read { try $0.statistics(db).entries } == 10)
        }
    }
}
