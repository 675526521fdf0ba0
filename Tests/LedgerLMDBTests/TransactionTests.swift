import Foundation
import LedgerLMDB
import Testing

@Suite struct TransactionTests {
    @Test func putThenGetRoundTrips() throws {
        try withTemporaryDatabase { env, db in
            let value = patternValue(1, count: 300)
            try env.write { txn in
                try txn.put(db, key: bytes("alpha"), value: value)
                // Visible inside the same write transaction.
                #expect(try txn.get(db, key: bytes("alpha")) == value)
            }
            let read = try env.read { txn in try txn.get(db, key: bytes("alpha")) }
            #expect(read == value)
            let missing = try env.read { txn in try txn.get(db, key: bytes("beta")) }
            #expect(missing == nil)
        }
    }

    @Test func keyAndValueTypesAreInterchangeable() throws {
        try withTemporaryDatabase { env, db in
            let key = bytes("k")
            try env.write { txn in
                try txn.put(db, key: "k", value: "from a String")
                #expect(try txn.get(db, key: key) == bytes("from a String"))
                try txn.put(db, key: bytes("xky")[1...1], value: bytes("from a slice"))
                #expect(try txn.get(db, key: "k") == bytes("from a slice"))
                try key.withUnsafeBytes { raw in
                    try txn.put(db, key: raw, value: "from a raw buffer")
                }
            }
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("from a raw buffer"))
        }
    }

    @Test func emptyValueIsStoredAndDistinctFromMissing() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "empty", value: [UInt8]()) }
            try env.read { txn throws in
                #expect(try txn.get(db, key: "empty") == [])
                #expect(try txn.contains(db, key: "empty"))
                #expect(try txn.get(db, key: "absent") == nil)
            }
        }
    }

    @Test func withValueSeesBytesWithoutCopying() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("hello")) }
            let (count, first, absentWasNil) = try env.read { txn in
                let seen = try txn.withValue(db, key: "k") { buffer in
                    (buffer?.count ?? -1, buffer?.first ?? 0)
                }
                let absent = try txn.withValue(db, key: "nope") { $0 == nil }
                return (seen.0, seen.1, absent)
            }
            #expect(count == 5)
            #expect(first == UInt8(ascii: "h"))
            #expect(absentWasNil)
        }
    }

    @Test func overwriteReplacesValue() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("first, and longer")) }
            try env.write { txn in try txn.put(db, key: "k", value: bytes("second")) }
            try env.read { txn throws in
                #expect(try txn.get(db, key: "k") == bytes("second"))
                #expect(try txn.statistics(db).entries == 1)
            }
        }
    }

    @Test func deleteReportsWhetherTheKeyWasThere() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                try txn.put(db, key: "a", value: bytes("1"))
                try txn.put(db, key: "b", value: bytes("2"))
            }
            let (first, second, never) = try env.write { txn in
                (try txn.delete(db, key: "a"), try txn.delete(db, key: "a"), try txn.delete(db, key: "zzz"))
            }
            #expect(first == true)
            #expect(second == false)
            #expect(never == false)
            try env.read { txn throws in
                #expect(try txn.get(db, key: "a") == nil)
                #expect(try txn.get(db, key: "b") == bytes("2"))
                #expect(try txn.statistics(db).entries == 1)
            }
        }
    }

    @Test func containsFollowsPutAndDelete() throws {
        try withTemporaryDatabase { env, db in
            #expect(try env.read { try $0.contains(db, key: "k") } == false)
            try env.write { try $0.put(db, key: "k", value: bytes("v")) }
            #expect(try env.read { try $0.contains(db, key: "k") } == true)
            #expect(try env.read { try $0.contains(db, key: "K") } == false)
            try env.write { _ = try $0.delete(db, key: "k") }
            #expect(try env.read { try $0.contains(db, key: "k") } == false)
        }
    }

    @Test func statisticsCountEntries() throws {
        try withTemporaryDatabase { env, db in
            #expect(try env.read { try $0.statistics(db).entries } == 0)
            try env.write { txn in
                for i in 0..<1_000 as Range<UInt64> {
                    try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 40))
                }
            }
            let stats = try env.read { try $0.statistics(db) }
            #expect(stats.entries == 1_000)
            #expect(stats.leafPages > 1)
            #expect(stats.depth >= 2)
            #expect(stats.pageSize >= 4096)
            try env.write { txn in
                for i in 0..<250 as Range<UInt64> { _ = try txn.delete(db, key: bigEndianKey(i * 4)) }
            }
            #expect(try env.read { try $0.statistics(db).entries } == 750)
        }
    }

    @Test func removeAllEmptiesTheDatabaseOnly() throws {
        try withTemporaryEnvironment { env, _ in
            let a = try env.openDatabase("a")
            let b = try env.openDatabase("b")
            #expect(a != b)
            try env.write { txn in
                try txn.put(a, key: "1", value: bytes("x"))
                try txn.put(a, key: "2", value: bytes("y"))
                try txn.put(b, key: "1", value: bytes("z"))
            }
            try env.write { try $0.removeAll(a) }
            try env.read { txn throws in
                #expect(try txn.statistics(a).entries == 0)
                #expect(try txn.get(a, key: "1") == nil)
                #expect(try txn.get(b, key: "1") == bytes("z"))
            }
            // The emptied database is still usable.
            try env.write { try $0.put(a, key: "3", value: bytes("w")) }
            #expect(try env.read { try $0.get(a, key: "3") } == bytes("w"))
        }
    }

    @Test func namedDatabasesAreSeparateKeySpaces() throws {
        try withTemporaryEnvironment { env, _ in
            let a = try env.openDatabase("a")
            let b = try env.openDatabase("b")
            try env.write { txn in
                try txn.put(a, key: "k", value: bytes("in a"))
                try txn.put(b, key: "k", value: bytes("in b"))
            }
            try env.read { txn throws in
                #expect(try txn.get(a, key: "k") == bytes("in a"))
                #expect(try txn.get(b, key: "k") == bytes("in b"))
            }
        }
    }

    @Test func throwingWriteBodyWritesNothing() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "kept", value: bytes("old")) }
            #expect(throws: TestFailure()) {
                try env.write { (txn: borrowing Transaction) throws -> Void in
                    try txn.put(db, key: "kept", value: bytes("new"))
                    try txn.put(db, key: "added", value: bytes("x"))
                    _ = try txn.delete(db, key: "kept")
                    throw TestFailure()
                }
            }
            try env.read { txn throws in
                #expect(try txn.get(db, key: "kept") == bytes("old"))
                #expect(try txn.get(db, key: "added") == nil)
                #expect(try txn.statistics(db).entries == 1)
            }
            // The environment is still writable after the rollback.
            try env.write { txn in try txn.put(db, key: "after", value: bytes("y")) }
            #expect(try env.read { try $0.get(db, key: "after") } == bytes("y"))
        }
    }

    @Test func writeReturnsBodyResultAndTransactionKinds() throws {
        try withTemporaryDatabase { env, db in
            let writeKind = try env.write { txn in txn.isReadOnly }
            let readKind = try env.read { txn in txn.isReadOnly }
            #expect(writeKind == false)
            #expect(readKind == true)
            let returned = try env.write { txn in
                try txn.put(db, key: "k", value: bytes("v"))
                return 42
            }
            #expect(returned == 42)
        }
    }

    @Test func noOverwriteOnExistingKeyThrowsKeyExists() throws {
        try withTemporaryDatabase { env, db in
            // On a new key it writes.
            try env.write { txn in try txn.put(db, key: "k", value: bytes("original"), options: .noOverwrite) }
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in
                    try txn.put(db, key: "k", value: bytes("replacement"), options: .noOverwrite)
                }
            }
            #expect(error?.code == .keyExists)
            #expect(error?.function == "mdb_put")
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("original"))
        }
    }

    @Test func noOverwriteFailureCanBeHandledInsideTheTransaction() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("original")) }
            let code = try env.write { txn -> LMDBError.Code? in
                do throws(LMDBError) {
                    try txn.put(db, key: "k", value: bytes("replacement"), options: .noOverwrite)
                    return nil
                } catch {
                    try txn.put(db, key: "other", value: bytes("written after the refusal"))
                    return error.code
                }
            }
            #expect(code == .keyExists)
            try env.read { txn throws in
                #expect(try txn.get(db, key: "k") == bytes("original"))
                #expect(try txn.get(db, key: "other") == bytes("written after the refusal"))
            }
        }
    }

    @Test func appendInOrderWithBigEndianKeys() throws {
        try withTemporaryDatabase { env, db in
            // 300 > 255, so a little-endian encoding would be out of byte order.
            let count: UInt64 = 2_000
            try env.write { txn in
                for i in 0..<count {
                    try txn.put(db, key: bigEndianKey(i * 3 + 1), value: patternValue(i, count: 16), options: .append)
                }
            }
            // A later transaction can keep appending after the last key.
            try env.write { txn in
                try txn.put(db, key: bigEndianKey(1 << 40), value: bytes("tail"), options: .append)
            }
            let entries = try allEntries(env, db)
            #expect(entries.count == Int(count) + 1)
            let keys = entries.map { decodeBigEndian($0.0) }
            #expect(keys == (0..<count).map { $0 * 3 + 1 } + [1 << 40])
            #expect(entries[257].1 == patternValue(257, count: 16))
            #expect(try env.read { try $0.get(db, key: bigEndianKey(1 << 40)) } == bytes("tail"))
        }
    }

    @Test(arguments: [UInt64(5), 10]) // Before the last key, and equal to it.
    func appendOutOfOrderThrowsKeyExists(badKey: UInt64) throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                for i: UInt64 in [1, 2, 10] {
                    try txn.put(db, key: bigEndianKey(i), value: bytes("v\(i)"), options: .append)
                }
            }
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in
                    try txn.put(db, key: bigEndianKey(11), value: bytes("fine"), options: .append)
                    try txn.put(db, key: bigEndianKey(badKey), value: bytes("bad"), options: .append)
                }
            }
            #expect(error?.code == .keyExists)
            try env.read { txn throws in
                // The whole transaction rolled back, including the in-order put before the error.
                #expect(try txn.get(db, key: bigEndianKey(11)) == nil)
                #expect(try txn.get(db, key: bigEndianKey(badKey)) == (badKey == 10 ? bytes("v10") : nil))
                #expect(try txn.statistics(db).entries == 3)
            }
        }
    }

    @Test func keyLongerThanTheLimitThrowsBadValueSize() throws {
        try withTemporaryDatabase { env, db in
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(db, key: [UInt8](repeating: 7, count: 512), value: bytes("v")) }
            }
            #expect(error?.code == .badValueSize)
            // 511 bytes is the limit and works.
            let longest = [UInt8](repeating: 7, count: 511)
            try env.write { txn in try txn.put(db, key: longest, value: bytes("v")) }
            #expect(try env.read { try $0.get(db, key: longest) } == bytes("v"))
        }
    }

    @Test func largeValuesRoundTrip() throws {
        try withTemporaryDatabase { env, db in
            let big = patternValue(99, count: 3 << 20)
            try env.write { txn in try txn.put(db, key: "big", value: big) }
            #expect(try env.read { try $0.get(db, key: "big") } == big)
            #expect(try env.read { try $0.statistics(db).overflowPages } > 0)
        }
    }
}
