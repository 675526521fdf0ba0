import Foundation
import LedgerLMDB
import Testing
@testable import LedgerCore

/// The staging table of a rebuild: an open-addressing hash table over an arena. Each test checks
/// it against a plain `Dictionary` model, or against LMDB itself.
@Suite struct StagingTableTests {
    typealias Random = RandomizedConsistencyTests.SplitMix64

    /// What the table holds for `key`, as a model value: `nil` absent, `.some(nil)` deleted.
    static func state(_ table: StagingTable, _ key: [UInt8]) -> [UInt8]?? {
        key.withUnsafeBytes { key in
            switch table.lookup(key) {
            case .absent: return nil
            case .deleted: return .some(nil)
            case .value(let bytes): return .some(Array(bytes))
            }
        }
    }

    static func put(_ table: StagingTable, _ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBytes { key in value.withUnsafeBytes { table.put(key, $0) } }
    }

    static func delete(_ table: StagingTable, _ key: [UInt8]) {
        key.withUnsafeBytes { table.delete($0) }
    }

    /// Appends `suffix` to the staged value of `key` in place (or stages `suffix` when nothing
    /// is), as a rebuild's metric records grow.
    static func append(_ table: StagingTable, _ key: [UInt8], _ suffix: [UInt8]) {
        func write(_ buffer: UnsafeMutableRawBufferPointer, _ length: Int?) -> Int {
            precondition(buffer.count >= (length ?? 0) + suffix.count)
            for (i, byte) in suffix.enumerated() { buffer[(length ?? 0) + i] = byte }
            return (length ?? 0) + suffix.count
        }
        key.withUnsafeBytes { key in
            if !table.modifyStaged(key, growth: suffix.count, write) { table.insert(key, initial: nil, growth: suffix.count, write) }
        }
    }

    /// The keys of `model` in LMDB's order (memcmp, shorter first), values or deletions.
    static func sorted(_ model: [[UInt8]: [UInt8]?], deletions: Bool) -> [([UInt8], [UInt8]?)] {
        model.filter { deletions || $0.value != nil }
            .sorted { a, b in a.key.lexicographicallyPrecedes(b.key) }
            .map { ($0.key, $0.value) }
    }

    static func entries(_ table: StagingTable, deletions: Bool) -> [([UInt8], [UInt8]?)] {
        table.sortedEntries(deletions: deletions).map { (Array($0.entry.key), $0.entry.value.map { Array($0) }) }
    }

    static func expectSame(_ table: StagingTable, _ model: [[UInt8]: [UInt8]?], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(table.count == model.count, sourceLocation: sourceLocation)
        for (key, value) in model { #expect(state(table, key) == .some(value), "key \(key)", sourceLocation: sourceLocation) }
        for deletions in [false, true] {
            let actual = entries(table, deletions: deletions)
            let expected = sorted(model, deletions: deletions)
            #expect(actual.map(\.0) == expected.map(\.0), sourceLocation: sourceLocation)
            #expect(actual.map(\.1) == expected.map(\.1), sourceLocation: sourceLocation)
        }
    }

    /// Random puts, deletions and in-place appends over keys of every length (empty ones, ones
    /// that are prefixes of others, shorter and longer than the 8-byte sort prefix): the table
    /// always holds what a dictionary holds, through many growths of its slots and arena.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomOperationsMatchADictionary(_ seed: UInt64) {
        var random = Random(seed: seed)
        let table = StagingTable()
        var model: [[UInt8]: [UInt8]?] = [:]
        // A small alphabet makes prefixes, repeats and equal 8-byte prefixes common.
        func bytes(_ maxCount: Int) -> [UInt8] { (0..<random.below(maxCount + 1)).map { _ in UInt8(random.below(3)) } }
        for step in 0..<20_000 {
            let key = step % 7 == 0 ? bytes(3) : bytes(24)
            switch random.below(10) {
            case 0, 1:
                Self.delete(table, key)
                model[key] = .some(nil)
            case 2, 3, 4:
                let suffix = bytes(40)
                Self.append(table, key, suffix)
                model[key] = .some((model[key] ?? nil).map { $0 + suffix } ?? suffix)
            default:
                let value = bytes(random.below(4) == 0 ? 600 : 30)
                Self.put(table, key, value)
                model[key] = .some(value)
            }
            #expect(Self.state(table, key) == .some(model[key]!))
            if step % 5_000 == 4_999 { Self.expectSame(table, model) }
        }
        Self.expectSame(table, model)
        #expect(model.count > 1_000)
        table.removeAll()
        #expect(table.isEmpty && table.bytes == 0)
        for key in model.keys { #expect(Self.state(table, key) == nil) }
    }

    /// Distinct keys with the same 64-bit hash are told apart by their bytes.
    @Test func keysWithTheSameHashAreDistinct() {
        // For 16-byte keys the hash is a bijection of (first word mixed) ^ second word, so a
        // second word can cancel a different first word.
        func mixed(_ first: UInt64) -> UInt64 {
            var h = (0x9E37_79B9_7F4A_7C15 ^ 16 ^ first) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            return h
        }
        func key(_ first: UInt64, _ second: UInt64) -> [UInt8] {
            withUnsafeBytes(of: first) { Array($0) } + withUnsafeBytes(of: second) { Array($0) }
        }
        let table = StagingTable()
        var model: [[UInt8]: [UInt8]?] = [:]
        for first in 0..<200 as Range<UInt64> {
            let colliding = key(first, mixed(first) ^ 0x5EED)
            model[colliding] = .some([UInt8(first & 0xFF), UInt8(first >> 8)])
            Self.put(table, colliding, model[colliding]!!)
        }
        let hashes = Set(model.keys.map { key in key.withUnsafeBytes { StagingTable.hash($0) } })
        #expect(hashes.count == 1, "the keys were built to collide")
        Self.expectSame(table, model)
        let deleted = key(7, mixed(7) ^ 0x5EED)
        Self.delete(table, deleted)
        model[deleted] = .some(nil)
        Self.expectSame(table, model)
    }

    /// An empty key and empty values are entries like any other, distinct from a deletion.
    @Test func emptyKeysAndValuesAreNotDeletions() {
        let table = StagingTable()
        Self.put(table, [], [])
        #expect(Self.state(table, []) == .some([]))
        Self.put(table, [0], [])
        Self.delete(table, [])
        #expect(Self.state(table, []) == .some(nil))
        #expect(Self.state(table, [0]) == .some([]))
        Self.put(table, [], [1, 2, 3])
        #expect(Self.state(table, []) == .some([1, 2, 3]))
        Self.expectSame(table, [[]: [1, 2, 3], [0]: []])
    }

    /// A deleted key put again holds the new value (in its old record when it fits, in a new one
    /// when not), and a deletion leaves the sorted entries only when asked for.
    @Test func deletesThenPutsAgain() {
        let table = StagingTable()
        let key: [UInt8] = Array("run\u{0}loss".utf8)
        Self.put(table, key, [1, 2, 3, 4])
        Self.delete(table, key)
        #expect(Self.state(table, key) == .some(nil))
        #expect(Self.entries(table, deletions: false).isEmpty)
        #expect(Self.entries(table, deletions: true).map(\.1) == [nil])
        Self.put(table, key, [9])
        #expect(Self.state(table, key) == .some([9]))
        Self.delete(table, key)
        Self.put(table, key, Array(repeating: 7, count: 100))
        #expect(Self.state(table, key) == .some(Array(repeating: 7, count: 100)))
        Self.delete(table, key)
        Self.append(table, key, [5])
        #expect(Self.state(table, key) == .some([5]), "an append to a deleted key starts from nothing")
        #expect(table.count == 1)
    }

    /// A value that grows one byte at a time keeps its bytes through every move, and the bytes
    /// the table reports (which the staging budget counts) include the records it left behind.
    @Test func growingValuesMoveAndAreCounted() {
        let table = StagingTable()
        var expected: [UInt8] = []
        for i in 0..<2_000 {
            Self.append(table, [42], [UInt8(i & 0xFF)])
            expected.append(UInt8(i & 0xFF))
        }
        #expect(Self.state(table, [42]) == .some(expected))
        #expect(table.bytes > expected.count)
        #expect(table.bytes < 8 * expected.count + 4_096, "records left behind stay proportionate")
    }

    /// An insert whose body throws stages nothing.
    @Test func failedInsertStagesNothing() {
        struct Refused: Error {}
        let table = StagingTable()
        #expect(throws: Refused.self) {
            try [UInt8]([1, 2]).withUnsafeBytes { key in try table.insert(key, initial: nil, growth: 8) { _, _ in throw Refused() } }
        }
        #expect(Self.state(table, [1, 2]) == nil)
        #expect(table.isEmpty)
    }

    // MARK: - The staging over LMDB

    /// Random puts, deletions and in-place appends through ``ViewStaging``, flushed at random
    /// (into an empty database first, then into one that holds earlier flushes), leave the
    /// database byte for byte as the same operations applied to LMDB one by one.
    @Test(arguments: [11, 12] as [UInt64])
    func stagedOperationsEqualDirectWrites(_ seed: UInt64) throws {
        var random = Random(seed: seed)
        try Ledger.withScratchEnvironment { staged, stagedDB in
            try Ledger.withScratchEnvironment { direct, directDB in
                try staged.write { stagedTxn in
                    try direct.write { directTxn in
                        let staging = ViewStaging(databases: stagedDB.projections, audit: stagedDB.audit, targetIsEmpty: true, budget: .max)
                        let views = [(stagedDB.runParams, directDB.runParams), (stagedDB.runMetrics, directDB.runMetrics)]
                        for step in 0..<6_000 {
                            let (stagedView, directView) = random.pick(views)
                            let key = (0..<(1 + random.below(12))).map { _ in UInt8(random.below(4)) }
                            switch random.below(8) {
                            case 0, 1:
                                staging.delete(stagedView, key)
                                try directTxn.delete(directView, key: key)
                            case 2, 3:
                                let suffix = (0..<random.below(20)).map { _ in UInt8(random.below(256)) }
                                try staging.modify(stagedView, key, stagedTxn, growth: suffix.count) { buffer, length in
                                    for (i, byte) in suffix.enumerated() { buffer[(length ?? 0) + i] = byte }
                                    return (length ?? 0) + suffix.count
                                }
                                let current = try directTxn.get(directView, key: key) ?? []
                                try directTxn.put(directView, key: key, value: current + suffix)
                            default:
                                let value = (0..<random.below(40)).map { _ in UInt8(random.below(256)) }
                                staging.put(stagedView, key, value)
                                try directTxn.put(directView, key: key, value: value)
                            }
                            let read = try staging.withValue(stagedView, key, stagedTxn) { $0.map { Array($0) } }
                            #expect(read == (try directTxn.get(directView, key: key)))
                            if step % 1_000 == 999 || random.below(400) == 0 { try staging.flush(stagedTxn) }
                        }
                        try staging.flush(stagedTxn)
                        #expect(staging.flushes > 3)
                        for (stagedView, directView) in views {
                            let expected = try RandomizedConsistencyTests.entries(directView, directTxn)
                            #expect(try RandomizedConsistencyTests.entries(stagedView, stagedTxn) == expected)
                            #expect(expected.count > 50)
                        }
                    }
                }
            }
        }
    }
}

/// Keys assembled on the stack are the bytes of the arrays they stand for.
@Suite struct ScopedKeyTests {
    @Test(arguments: [("", ""), ("0123456789abcdef0123456789abcdef", "loss"), ("run", ""), ("", "k"), ("ünï", "cödé ✓"), (String(repeating: "r", count: 300), String(repeating: "m", count: 200))])
    func scopedKeyIsTheKeyOfKeysScoped(_ scope: String, _ name: String) {
        let key = ScopedKey(scope, name)
        #expect(key.bytes == Keys.scoped(scope, name))
        #expect(key.withRawBytes { Array($0) } == Keys.scoped(scope, name))
    }
}
