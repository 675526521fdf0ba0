import Foundation
import LedgerLMDB
import Testing

@Suite struct ConcurrencyTests {
    @Test func readerKeepsItsSnapshotWhileAnotherThreadWrites() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("old")) }

            let (before, after, added) = try env.read { txn in
                let before = try txn.get(db, key: "k")
                // Commit a write on another thread while this read transaction is open.
                try onOtherThread {
                    try env.write { txn in
                        try txn.put(db, key: "k", value: bytes("new"))
                        try txn.put(db, key: "added", value: bytes("x"))
                    }
                }
                return (before, try txn.get(db, key: "k"), try txn.get(db, key: "added"))
            }
            #expect(before == bytes("old"))
            #expect(after == bytes("old"))
            #expect(added == nil)

            // A new read sees the commit.
            try env.read { txn throws in
                #expect(try txn.get(db, key: "k") == bytes("new"))
                #expect(try txn.get(db, key: "added") == bytes("x"))
            }
        }
    }

    @Test func readOnOtherThreadDoesNotSeeUncommittedWrite() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("old")) }
            let seenDuringWrite = try env.write { txn in
                try txn.put(db, key: "k", value: bytes("uncommitted"))
                // Readers never wait for the writer, and see only committed data.
                return try onOtherThread { try env.read { try $0.get(db, key: "k") } }
            }
            #expect(seenDuringWrite == bytes("old"))
            #expect(try env.read { try $0.get(db, key: "k") } == bytes("uncommitted"))
        }
    }

    @Test func readTransactionsMayRunOnAnyThread() throws {
        // MDB_NOTLS: several read transactions open at once, begun and ended on different threads.
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "k", value: bytes("v")) }
            let nested = try env.read { outer in
                let inner = try onOtherThread {
                    try env.read { try $0.get(db, key: "k") }
                }
                return (try outer.get(db, key: "k"), inner)
            }
            #expect(nested.0 == bytes("v"))
            #expect(nested.1 == bytes("v"))
        }
    }

    @Test func manyReadersSeeConsistentSnapshotsWhileAWriterWrites() throws {
        try withTemporaryDatabase { env, db in
            // Invariant of every committed state n: "a" == "b" == n, the entries keyed
            // 0..<n exist (entry n - 1 holding patternValue(n)), and entry n does not.
            try env.write { txn in
                try txn.put(db, key: "a", value: bigEndianKey(0))
                try txn.put(db, key: "b", value: bigEndianKey(0))
            }
            let rounds: UInt64 = 300
            let readers = 6
            let reads = Counter()
            let snapshotErrors = ErrorLog()

            let errors = runOnThreads(readers + 1) { worker in
                if worker == 0 {
                    for n in 1...rounds {
                        try env.write { txn in
                            try txn.put(db, key: "a", value: bigEndianKey(n))
                            try txn.put(db, key: bigEndianKey(n - 1), value: patternValue(n, count: 100))
                            try txn.put(db, key: "b", value: bigEndianKey(n))
                        }
                    }
                    return
                }
                var last: UInt64 = 0
                while last < rounds {
                    let (a, b, entryPresent, nextAbsent) = try env.read { txn -> (UInt64, UInt64, Bool, Bool) in
                        let a = decodeBigEndian(try present(txn.get(db, key: "a")))
                        let b = decodeBigEndian(try present(txn.get(db, key: "b")))
                        let entryPresent = try a == 0 || txn.get(db, key: bigEndianKey(a - 1)) == patternValue(a, count: 100)
                        let nextAbsent = try txn.get(db, key: bigEndianKey(a)) == nil
                        return (a, b, entryPresent, nextAbsent)
                    }
                    if a != b { snapshotErrors.record("torn snapshot: a=\(a) b=\(b)") }
                    if !entryPresent || !nextAbsent { snapshotErrors.record("snapshot at \(a) has wrong entries") }
                    if a < last { snapshotErrors.record("went back in time: \(a) after \(last)") }
                    last = a
                    reads.add(1)
                }
            }
            #expect(errors == [])
            #expect(snapshotErrors.all == [])
            // Every reader read at least once (it stops only on seeing the last round).
            #expect(reads.value >= readers)
            try env.read { txn throws in
                #expect(try txn.get(db, key: "a") == bigEndianKey(rounds))
                #expect(try txn.statistics(db).entries == Int(rounds) + 2)
            }
        }
    }

    @Test func concurrentWritersAreSerialised() throws {
        try withTemporaryDatabase { env, db in
            try env.write { txn in try txn.put(db, key: "counter", value: bigEndianKey(0)) }
            let threads = 4, increments = 100
            let errors = runOnThreads(threads) { _ in
                for _ in 0..<increments {
                    // Read-modify-write: a lost update would show as a smaller total.
                    try env.write { txn in
                        let current = decodeBigEndian(try present(txn.get(db, key: "counter")))
                        try txn.put(db, key: "counter", value: bigEndianKey(current + 1))
                    }
                }
            }
            #expect(errors == [])
            #expect(try env.read { try $0.get(db, key: "counter") } == bigEndianKey(UInt64(threads * increments)))
        }
    }

    @Test func readersAndGrowingWriterOnATinyMap() throws {
        // Readers hold the shared side of the resize lock; the writer must still be able to grow.
        try withTemporaryDatabase(testConfiguration(mapSize: 64 * 1024)) { env, db throws in
            let total: UInt64 = 3_000
            let snapshotErrors = ErrorLog()
            let errors = runOnThreads(4) { worker in
                if worker == 0 {
                    for start in stride(from: UInt64(0), to: total, by: 100) {
                        try env.write { txn in
                            for i in start..<start + 100 {
                                try txn.put(db, key: bigEndianKey(i), value: patternValue(i, count: 1024))
                            }
                        }
                    }
                    return
                }
                var seen = 0
                while seen < Int(total) {
                    seen = try env.read { txn in
                        let entries = try txn.statistics(db).entries
                        if entries > 0 {
                            let i = UInt64(entries - 1)
                            if try txn.get(db, key: bigEndianKey(i)) != patternValue(i, count: 1024) {
                                snapshotErrors.record("entry \(i) wrong in a snapshot of \(entries)")
                            }
                        }
                        return entries
                    }
                }
            }
            #expect(errors == [])
            #expect(snapshotErrors.all == [])
            #expect(env.mapSize >= 3 << 20)
            #expect(try env.read { try $0.statistics(db).entries } == Int(total))
        }
    }
}

/// The value, or a thrown `TestFailure` when it is `nil` (`#require` is for the test's own thread).
private func present<T>(_ value: T?) throws -> T {
    guard let value else { throw TestFailure(reason: "missing value") }
    return value
}

/// A lock-protected counter, added to from several threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ n: Int) {
        lock.lock(); defer { lock.unlock() }
        count += n
    }

    var value: Int {
        lock.lock(); defer { lock.unlock() }
        return count
    }
}
