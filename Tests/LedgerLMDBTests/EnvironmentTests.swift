import Foundation
import LedgerLMDB
import Testing

@Suite struct EnvironmentTests {
    /// LMDB forbids two handles on one environment in a process: the second open is refused before
    /// it touches the files, and the path can be opened again once the first handle is gone.
    @Test func aSecondHandleInTheSameProcessIsRefused() throws {
        try withTemporaryDirectory { path in
            var first: Environment? = try Environment(path: path, configuration: testConfiguration())
            let refusal = #expect(throws: LMDBError.self) { _ = try Environment(path: path, configuration: testConfiguration()) }
            #expect(refusal?.code == .alreadyOpen)
            #expect(refusal?.description.contains("already has the environment open") == true)
            let database = try first!.openDatabase("main")
            try first!.write { try $0.put(database, key: "k", value: "v") }
            first = nil
            let again = try Environment(path: path, configuration: testConfiguration())
            let reopened = try again.openDatabase("main", create: false)
            let value = try again.read { try $0.get(reopened, key: "k") }
            #expect(value == Array("v".utf8))
        }
    }

    @Test func openCreatesTheFilesAndKeepsConfiguration() throws {
        try withTemporaryDirectory { path in
            var configuration = testConfiguration(mapSize: 8 << 20)
            configuration.maxDatabases = 4
            let env = try Environment(path: path, configuration: configuration)
            #expect(env.path == path)
            #expect(env.configuration.maxDatabases == 4)
            #expect(env.mapSize == 8 << 20)
            #expect(env.usedSize > 0)
            #expect(env.usedSize <= env.mapSize)
            let files = try FileManager.default.contentsOfDirectory(atPath: path)
            #expect(Set(files).isSuperset(of: ["data.mdb", "lock.mdb"]))
        }
    }

    @Test func libraryVersionNamesLMDB() {
        #expect(Environment.libraryVersion.hasPrefix("LMDB 0.9."))
    }

    @Test func openingAMissingDirectoryThrowsNoSuchFile() throws {
        let missing = FileManager.default.temporaryDirectory
            .appendingPathComponent("LedgerLMDBTests-missing-\(UUID().uuidString)").path
        let error = #expect(throws: LMDBError.self) {
            _ = try Environment(path: missing, configuration: testConfiguration())
        }
        #expect(error?.code == .noSuchFile)
        #expect(error?.function == "mdb_env_open")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func dataSurvivesClosingAndReopening() throws {
        try withTemporaryDirectory { path in
            var configuration = testConfiguration()
            configuration.durable = true
            do {
                let env = try Environment(path: path, configuration: configuration)
                let db = try env.openDatabase("main")
                try env.write { txn in try txn.put(db, key: "k", value: bytes("persisted")) }
            }
            let env = try Environment(path: path, configuration: configuration)
            let db = try env.openDatabase("main")
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("persisted"))
        }
    }

    @Test func tooManyDatabasesThrowsDatabasesFull() throws {
        var configuration = testConfiguration()
        configuration.maxDatabases = 2
        try withTemporaryEnvironment(configuration) { env, _ in
            _ = try env.openDatabase("one")
            _ = try env.openDatabase("two")
            let error = #expect(throws: LMDBError.self) { _ = try env.openDatabase("three") }
            #expect(error?.code == .databasesFull)
        }
    }

    @Test func openingAnExistingDatabaseAgainGivesTheSameHandle() throws {
        try withTemporaryEnvironment { env, _ in
            let first = try env.openDatabase("events")
            try env.write { txn in try txn.put(first, key: "k", value: bytes("v")) }
            let again = try env.openDatabase("events")
            #expect(again == first)
            #expect(again.name == "events")
            #expect(try env.read { try $0.get(again, key: "k") } == bytes("v"))
        }
    }

    @Test func openingAMissingDatabaseWithoutCreateThrowsNotFound() throws {
        try withTemporaryEnvironment { env, _ in
            _ = try env.openDatabase("present")
            let error = #expect(throws: LMDBError.self) { _ = try env.openDatabase("absent", create: false) }
            #expect(error?.code == .notFound)
            #expect(error?.function.hasPrefix("mdb_dbi_open") == true)
        }
    }

    /// `openDatabase(_:create: false)` of a database that exists must give a usable handle
    /// (LMDB closes handles first opened in an aborted transaction, read-only ones included).
    @Test func openingAnExistingDatabaseWithoutCreateGivesAUsableHandle() throws {
        try withTemporaryDirectory { path in
            do {
                let env = try Environment(path: path, configuration: testConfiguration())
                let db = try env.openDatabase("main")
                try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            }
            let env = try Environment(path: path, configuration: testConfiguration())
            let db = try env.openDatabase("main", create: false)
            let value = try env.read { try $0.get(db, key: "k") }
            #expect(value == bytes("v"))
        }
    }

    /// Keys of one's own in the main database (with a 0 byte) live beside the records of the
    /// named databases: both survive reopening, named databases still open, and a read-only
    /// environment reads them.
    @Test func mainDatabaseHoldsOwnKeysBesideNamedDatabases() throws {
        try withTemporaryDirectory { path in
            let key: [UInt8] = [0] + bytes("head")
            do {
                let env = try Environment(path: path, configuration: testConfiguration())
                let named = try env.openDatabase("events")
                let main = try env.openMainDatabase()
                #expect(main.name == "(main)")
                try env.write { txn in
                    try txn.put(named, key: "k", value: bytes("v"))
                    try txn.put(main, key: key, value: bytes("h1"))
                }
                try env.write { txn in try txn.put(main, key: key, value: bytes("h2")) }
            }
            var readOnly = testConfiguration()
            readOnly.readOnly = true
            let env = try Environment(path: path, configuration: readOnly)
            let named = try env.openDatabase("events", create: false)
            let main = try env.openMainDatabase()
            #expect(try env.read { try $0.get(named, key: "k") } == bytes("v"))
            #expect(try env.read { try $0.get(main, key: key) } == bytes("h2"))
        }
    }

    @Test func readOnlyEnvironmentReadsDataWrittenEarlier() throws {
        try withTemporaryDirectory { path in
            let values = (0..<100 as Range<UInt64>).map { patternValue($0, count: 64) }
            try Self.populate(path, values) // The writable handle is closed when it returns.

            var configuration = testConfiguration()
            configuration.readOnly = true
            let reader = try Environment(path: path, configuration: configuration)
            #expect(reader.configuration.readOnly)

            // A missing database cannot be created in a read-only environment.
            let missing = #expect(throws: LMDBError.self) { _ = try reader.openDatabase("absent", create: false) }
            #expect(missing?.code == .notFound)

            try Self.expectReadOnlyContents(reader, values)
        }
    }

    private static func populate(_ path: String, _ values: [[UInt8]]) throws {
        let writer = try Environment(path: path, configuration: testConfiguration())
        let db = try writer.openDatabase("main")
        try writer.write { txn in
            for (i, value) in values.enumerated() { try txn.put(db, key: bigEndianKey(UInt64(i)), value: value) }
        }
        _ = try writer.openDatabase("other")
    }

    private static func expectReadOnlyContents(_ reader: Environment, _ values: [[UInt8]]) throws {
        let db = try reader.openDatabase("main", create: false)
        let count = try reader.read { try $0.statistics(db).entries }
        let first = try reader.read { try $0.get(db, key: bigEndianKey(0)) }
        let last = try reader.read { try $0.get(db, key: bigEndianKey(99)) }
        #expect(count == 100)
        #expect(first == values[0])
        #expect(last == values[99])
        let entries = try allEntries(reader, db)
        #expect(entries.map(\.1) == values)
    }

    @Test func readOnlyEnvironmentOnAnEmptyDirectoryFails() throws {
        try withTemporaryDirectory { path throws in
            var configuration = testConfiguration()
            configuration.readOnly = true
            let error = #expect(throws: LMDBError.self) {
                _ = try Environment(path: path, configuration: configuration)
            }
            #expect(error?.code == .noSuchFile)
            // Nothing was created.
            #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty)
        }
    }

    // MARK: - Map growth

    @Test func mapGrowsAcrossManySmallTransactions() throws {
        let initial = 64 * 1024
        try withTemporaryDatabase(testConfiguration(mapSize: initial)) { env, db in
            #expect(env.mapSize == initial)
            // 20 MB in 400 transactions of 50 KB (values of 1 KB, so in leaf pages).
            let transactions: UInt64 = 400, perTransaction: UInt64 = 50, size = 1024
            for t in 0..<transactions {
                try env.write { txn in
                    for j in 0..<perTransaction {
                        let i = t * perTransaction + j
                        try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: size))
                    }
                }
            }
            let total = transactions * perTransaction
            #expect(env.mapSize > 20 << 20)
            #expect(env.usedSize <= env.mapSize)
            try env.read { txn throws in
                #expect(try txn.statistics(db).entries == Int(total))
                for i in stride(from: 0, to: total, by: 97) {
                    #expect(try txn.get(db, key: bigEndianKey(i)) == patternValue(i, count: size))
                }
                #expect(try txn.get(db, key: bigEndianKey(total - 1)) == patternValue(total - 1, count: size))
            }
        }
    }

    @Test func mapGrowsInsideOneBigTransactionAndRerunsTheBody() throws {
        let initial = 64 * 1024
        try withTemporaryDatabase(testConfiguration(mapSize: initial)) { env, db in
            // 20 MB in one transaction: 2,000 values of 10 KB (overflow pages).
            let count: UInt64 = 2_000, size = 10 * 1024
            var runs = 0
            let returned = try env.write { txn in
                runs += 1
                for i in 0..<count {
                    try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: size))
                }
                return "done"
            }
            #expect(returned == "done")
            // The map had to double from 64 KB past 20 MB: the body was discarded and rerun.
            #expect(runs > 1)
            #expect(env.mapSize > 20 << 20)
            try env.read { txn throws in
                #expect(try txn.statistics(db).entries == Int(count))
                for i in stride(from: 0, to: count, by: 37) {
                    #expect(try txn.get(db, key: bigEndianKey(i)) == patternValue(i, count: size))
                }
            }
            // A rerun body starts from scratch: no entry was written twice or left over.
            let entries = try allEntries(env, db)
            #expect(entries.map { decodeBigEndian($0.0) } == Array(0..<count))
        }
    }

    @Test func grownMapIsKeptAfterReopening() throws {
        try withTemporaryDirectory { path in
            let grown: Int
            do {
                let env = try Environment(path: path, configuration: testConfiguration(mapSize: 64 * 1024))
                let db = try env.openDatabase("main")
                try env.write { txn in
                    for i in 0..<400 as Range<UInt64> { try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 1024)) }
                }
                grown = env.mapSize
                #expect(grown > 64 * 1024)
            }
            // Reopening with the small configured size still gives a map that holds the data.
            let env = try Environment(path: path, configuration: testConfiguration(mapSize: 64 * 1024))
            let db = try env.openDatabase("main")
            #expect(env.mapSize >= env.usedSize)
            #expect(try env.read { try $0.statistics(db).entries } == 400)
            try env.write { txn in
                for i in 400..<800 as Range<UInt64> { try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 1024)) }
            }
            #expect(try env.read { try $0.get(db, key: bigEndianKey(799)) } == patternValue(799, count: 1024))
        }
    }

    @Test func concurrentWritersGrowTheMapWithoutErrors() throws {
        try withTemporaryDatabase(testConfiguration(mapSize: 64 * 1024)) { env, db in
            let threads = 4, transactions = 25, perTransaction = 20
            let errors = runOnThreads(threads) { t in
                for n in 0..<transactions {
                    try env.write { txn in
                        for j in 0..<perTransaction {
                            let i = UInt64((t * transactions + n) * perTransaction + j)
                            try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 1024))
                        }
                    }
                }
            }
            #expect(errors == [])
            let total = threads * transactions * perTransaction
            #expect(try env.read { try $0.statistics(db).entries } == total)
            #expect(env.mapSize > 2 << 20)
            try env.read { txn throws in
                for i in stride(from: 0, to: UInt64(total), by: 13) {
                    #expect(try txn.get(db, key: bigEndianKey(i)) == patternValue(i, count: 1024))
                }
            }
        }
    }

    // MARK: - Copy

    @Test(arguments: [true, false])
    func copyProducesAnEnvironmentWithTheSameData(compact: Bool) throws {
        try withTemporaryDatabase { env, db in
            let other = try env.openDatabase("other")
            try env.write { txn in
                for i in 0..<500 as Range<UInt64> { try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 200)) }
                try txn.put(other, key: "meta", value: bytes("copied"))
            }
            // Free some pages, which a compacting copy leaves out.
            try env.write { txn in
                for i in 0..<250 as Range<UInt64> { _ = try txn.delete(db, key: bigEndianKey(i * 2)) }
            }
            let expected = try allEntries(env, db)
            #expect(expected.count == 250)

            try withTemporaryDirectory { copyPath in
                try env.copy(to: copyPath, compact: compact)
                // The source stays writable and the copy does not see later writes.
                try env.write { txn in try txn.put(other, key: "meta", value: bytes("changed after copy")) }

                let copy = try Environment(path: copyPath, configuration: testConfiguration())
                let copiedDb = try copy.openDatabase("main")
                let copiedOther = try copy.openDatabase("other")
                let actual = try allEntries(copy, copiedDb)
                #expect(actual.count == expected.count)
                #expect(actual.map(\.0) == expected.map(\.0))
                #expect(actual.map(\.1) == expected.map(\.1))
                #expect(try copy.read { try $0.get(copiedOther, key: "meta") } == bytes("copied"))
                // The copy is a working environment of its own.
                try copy.write { txn in try txn.put(copiedDb, key: "new", value: bytes("x")) }
                #expect(try copy.read { try $0.get(copiedDb, key: "new") } == bytes("x"))
                #expect(try env.read { try $0.get(db, key: "new") } == nil)
            }
        }
    }

    @Test func compactCopyLeavesOutFreePages() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                for i in 0..<2_000 as Range<UInt64> { try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 1024)) }
            }
            try env.write { txn in
                for i in 100..<2_000 as Range<UInt64> { _ = try txn.delete(db, key: bigEndianKey(i)) }
            }
            func copySize(compact: Bool) throws -> (size: Int, entries: Int) {
                try withTemporaryDirectory { copyPath in
                    try env.copy(to: copyPath, compact: compact)
                    let attributes = try FileManager.default.attributesOfItem(atPath: copyPath + "/data.mdb")
                    let size = try #require(attributes[.size] as? Int)
                    let copy = try Environment(path: copyPath, configuration: testConfiguration())
                    let copiedDb = try copy.openDatabase("main")
                    return (size, try copy.read { try $0.statistics(copiedDb).entries })
                }
            }
            let full = try copySize(compact: false)
            let compacted = try copySize(compact: true)
            #expect(full.entries == 100)
            #expect(compacted.entries == 100)
            // About 2 MB of freed pages are copied as-is without compaction, left out with it.
            #expect(full.size >= 2 << 20)
            #expect(compacted.size < full.size / 4)
        }
    }

    @Test func copyIntoAMissingDirectoryThrows() throws {
        try withTemporaryEnvironment { env, _ in
            let missing = FileManager.default.temporaryDirectory
                .appendingPathComponent("LedgerLMDBTests-missing-\(UUID().uuidString)").path
            let error = #expect(throws: LMDBError.self) { try env.copy(to: missing) }
            #expect(error?.code == .noSuchFile)
            #expect(error?.function == "mdb_env_copy2")
        }
    }

    @Test func syncAndCheckReadersSucceed() throws {
        try withTemporaryDatabase { env, db in
            try env.write { try $0.put(db, key: "k", value: bytes("v")) }
            try env.sync()
            #expect(env.checkReaders() == 0)
        }
    }
}
