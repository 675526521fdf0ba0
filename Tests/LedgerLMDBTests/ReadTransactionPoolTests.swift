import Foundation
@testable import LedgerLMDB
import Testing

/// Read transactions are kept reset and renewed: reuse must never cost a stale snapshot, a
/// transaction shared by two threads, a broken map resize or reader slots other processes need.
@Suite struct ReadTransactionPoolTests {
    @Test func sequentialReadsReuseOneTransactionAndSeeEveryCommit() throws {
        try withTemporaryDatabase { env, db in
            for i in 0..<500 as Range<UInt64> {
                try env.write { txn in try txn.put(db, key: "k", value: bigEndianKey(i)) }
                // A renewed transaction takes the latest snapshot, not the one it had before.
                let seen = try env.read { txn in try txn.get(db, key: "k") }
                #expect(seen == bigEndianKey(i))
            }
            // One thread reading in turn needs one kept transaction, and holds one reader slot.
            #expect(env.pooledReadTransactionCount == 1)
            #expect(try readerSlots(of: getpid(), in: env.path) == 1)
        }
    }

    @Test func aRenewedTransactionKeepsItsSnapshotWhileAnotherThreadWrites() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("old")) }
            // Put a transaction in the pool first, so that the next read renews it.
            _ = try env.read { try $0.get(db, key: "k") }
            #expect(env.pooledReadTransactionCount == 1)
            let (before, after) = try env.read { txn in
                let before = try txn.get(db, key: "k")
                try onOtherThread { try env.write { txn in try txn.put(db, key: "k", value: bytes("new")) } }
                return (before, try txn.get(db, key: "k"))
            }
            #expect(before == bytes("old"))
            #expect(after == bytes("old"))
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("new"))
        }
    }

    @Test func nestedReadsOnTwoThreadsUseTwoTransactions() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            _ = try env.read { try $0.get(db, key: "k") }
            let inner = try env.read { outer in
                // The outer read holds the kept transaction: the inner one must not be handed it.
                try onOtherThread { try env.read { try $0.get(db, key: "k") } }
            }
            #expect(inner == bytes("v"))
            #expect(env.pooledReadTransactionCount == 2)
        }
    }

    @Test func concurrentReadersSeeConsistentSnapshotsWhileAWriterCommits() throws {
        // Each commit sets both keys to the same number: a reader that sees them differ shares a
        // transaction with another thread, or reads a snapshot that is not one commit.
        try withTemporaryDatabase { env, db in
            try env.write { txn in
                try txn.put(db, key: "a", value: bigEndianKey(0))
                try txn.put(db, key: "b", value: bigEndianKey(0))
            }
            let commits: UInt64 = 300
            let mismatches = ErrorLog()
            let errors = runOnThreads(6) { worker in
                if worker == 0 {
                    for i in 1...commits {
                        try env.write { txn in
                            try txn.put(db, key: "a", value: bigEndianKey(i))
                            try txn.put(db, key: "b", value: bigEndianKey(i))
                        }
                    }
                    return
                }
                var last: UInt64 = 0
                // A reader stuck on an old snapshot would never see the last commit.
                let deadline = Date().addingTimeInterval(60)
                while last < commits {
                    if Date() > deadline { throw TestFailure(reason: "reads still see commit \(last) of \(commits) after 60 s") }
                    let (a, b) = try env.read { txn in (try txn.get(db, key: "a"), try txn.get(db, key: "b")) }
                    let seenA = decodeBigEndian(a ?? []), seenB = decodeBigEndian(b ?? [])
                    if seenA != seenB { mismatches.record("a=\(seenA) b=\(seenB)") }
                    // Snapshots never go back in time on one thread.
                    if seenA < last { mismatches.record("went back from \(last) to \(seenA)") }
                    last = seenA
                }
            }
            #expect(errors == [])
            #expect(mismatches.all == [])
            #expect(env.pooledReadTransactionCount <= env.readTransactionPoolCapacity)
        }
    }

    @Test func thePoolKeepsAtMostAQuarterOfTheReaderSlots() throws {
        var configuration = testConfiguration()
        configuration.maxReaders = 8
        try withTemporaryDatabase(configuration) { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            #expect(env.readTransactionPoolCapacity == 2)
            // Eight reads open at once (every slot), then all end.
            try holdReadsOpenTogether(8, env, db)
            #expect(env.pooledReadTransactionCount == 2)
            // mdb_stat, another process, finds a free slot, and sees the two this one keeps.
            #expect(try readerSlots(of: getpid(), in: env.path) == 2)
        }
    }

    @Test func anotherProcessStillGetsAReaderSlotWhenFewExist() throws {
        var configuration = testConfiguration()
        configuration.maxReaders = 4
        try withTemporaryDatabase(configuration) { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            try holdReadsOpenTogether(4, env, db)
            #expect(env.pooledReadTransactionCount == 1)
            let stat = try runTool("/usr/bin/mdb_stat", ["-s", "main", env.path])
            #expect(stat.status == 0, "mdb_stat: \(stat.output)")
            #expect(stat.output.contains("Entries: 1"))
        }
    }

    @Test func aPoolOfNoneBeginsEveryRead() throws {
        var configuration = testConfiguration()
        configuration.pooledReadTransactions = 0
        try withTemporaryDatabase(configuration) { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("v"))
            #expect(env.pooledReadTransactionCount == 0)
            #expect(try readerSlots(of: getpid(), in: env.path) == 0)
        }
    }

    @Test func readsOnKeptTransactionsDuringAndAfterTheMapGrows() throws {
        try withTemporaryDatabase(testConfiguration(mapSize: 64 * 1024)) { env, db in
            try env.write { txn in try txn.put(db, key: bigEndianKey(0), value: patternValue(0, count: 1024)) }
            try holdReadsOpenTogether(4, env, db, key: bigEndianKey(0))
            #expect(env.pooledReadTransactionCount == 4)
            // Grow the map many times over while three threads read on kept transactions.
            let total: UInt64 = 2_000
            let errors = runOnThreads(4) { worker in
                if worker == 0 {
                    for start in stride(from: UInt64(1), to: total, by: 100) {
                        try env.write { txn in
                            for i in start..<min(start + 100, total) { try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 1024)) }
                        }
                    }
                    return
                }
                var entries = 0
                while entries < Int(total) {
                    entries = try env.read { txn in
                        let entries = try txn.statistics(db).entries
                        let last = UInt64(entries - 1)
                        guard try txn.get(db, key: bigEndianKey(last)) == patternValue(last, count: 1024) else {
                            throw TestFailure(reason: "entry \(last) wrong in a snapshot of \(entries)")
                        }
                        return entries
                    }
                }
            }
            #expect(errors == [])
            #expect(env.mapSize > 64 * 1024 * 16)
            // After the growth, kept transactions read pages far past the first map.
            try env.read { txn throws in
                for i in stride(from: 0, to: total, by: 7) {
                    #expect(try txn.get(db, key: bigEndianKey(i)) == patternValue(i, count: 1024))
                }
            }
            #expect(env.pooledReadTransactionCount >= 1)
        }
    }

    @Test func aKeptTransactionAdoptsTheMapAnotherProcessGrew() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, configuration: testConfiguration(mapSize: 1 << 20))
            let db = try env.openDatabase("main")
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            _ = try env.read { try $0.get(db, key: "k") }
            #expect(env.pooledReadTransactionCount == 1)

            // mdb_load, another process, opens the environment with a 64 MiB map and writes 8 MB
            // into it: past this process's 1 MiB map.
            let dumpPath = path + "/big.dump"
            var dump = "VERSION=3\nformat=bytevalue\ntype=btree\nmapsize=67108864\nHEADER=END\n"
            let value = String(repeating: "ab", count: 4000)
            for i in 0..<2_000 { dump += " \(String(format: "%016x", i))\n \(value)\n" }
            dump += "DATA=END\n"
            try dump.write(toFile: dumpPath, atomically: false, encoding: .utf8)
            let load = try runTool("/usr/bin/mdb_load", ["-s", "big", "-f", dumpPath, path])
            try #require(load.status == 0, "mdb_load: \(load.output)")

            // The next read renews the kept transaction, which finds the map too small
            // (MDB_MAP_RESIZED): it adopts the new size and reads.
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("v"))
            #expect(env.mapSize >= 64 << 20)
            let big = try env.openDatabase("big", create: false)
            #expect(try env.read { try $0.statistics(big).entries } == 2_000)
            #expect(try env.read { try $0.get(big, key: bigEndianKey(1_999)) } == [UInt8](repeating: 0xAB, count: 4000))
        }
    }

    @Test func closingAnEnvironmentWithKeptTransactionsFreesTheirSlots() throws {
        try withTemporaryDirectory { path in
            do {
                let env = try Environment(path: path, configuration: testConfiguration())
                let db = try env.openDatabase("main")
                try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
                try holdReadsOpenTogether(3, env, db)
                #expect(env.pooledReadTransactionCount == 3)
                #expect(try readerSlots(of: getpid(), in: path) == 3)
            }
            // Closed: no slot left behind, and the directory opens again in this process.
            #expect(try readerSlots(of: getpid(), in: path) == 0)
            let env = try Environment(path: path, configuration: testConfiguration())
            let db = try env.openDatabase("main")
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("v"))
        }
    }
}

/// Runs `count` reads of `key` on as many threads, all open at the same moment, and waits for them.
private func holdReadsOpenTogether(_ count: Int, _ env: Environment, _ db: Database, key: [UInt8] = Array("k".utf8)) throws {
    let barrier = Barrier(count)
    let errors = runOnThreads(count) { _ in
        try env.read { txn in
            guard try txn.get(db, key: key) != nil else { throw TestFailure(reason: "key missing") }
            barrier.arriveAndWait()
        }
    }
    #expect(errors == [])
}

/// Releases its waiters once `count` of them have arrived.
private final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: Int

    init(_ count: Int) { waiting = count }

    func arriveAndWait() {
        condition.lock(); defer { condition.unlock() }
        waiting -= 1
        if waiting == 0 { condition.broadcast() }
        while waiting > 0 { condition.wait() }
    }
}
