import Crypto
import Foundation
import LedgerLMDB

/// The references: what LMDB does on its own, through the same `Environment` wrapper the ledger
/// uses, on the same filesystem, in the same run.
struct BareLMDB {
    let environment: Environment
    let database: Database

    /// A 200-byte value (the size the SPEC's references use).
    static let value200: [UInt8] = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    /// Opens (creating) an environment in `directory` with one database `bench`.
    static func open(_ directory: String, durable: Bool = true) throws -> BareLMDB {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Environment.Configuration()
        configuration.durable = durable
        let environment = try Environment(path: directory, configuration: configuration)
        return BareLMDB(environment: environment, database: try environment.openDatabase("bench"))
    }

    @inline(__always)
    static func key(_ n: UInt64) -> [UInt8] {
        withUnsafeBytes(of: n.bigEndian) { Array($0) }
    }

    /// One transaction that puts one 200-byte value and commits. Returns its latency in ns.
    func timedSingleCommit(_ n: UInt64) throws -> Double {
        let key = Self.key(n)
        let value = Self.value200
        let database = self.database
        let start = nanos()
        try environment.write { txn in try txn.put(database, key: key, value: value) }
        return Double(nanos() - start)
    }

    /// `batches` transactions of `perBatch` `.append` puts each, stopping early at `deadline`
    /// (monotonic ns). Returns (puts, seconds).
    func batchedAppends(from first: UInt64, batches: Int, perBatch: Int, deadline: UInt64) throws -> (puts: Int, seconds: Double) {
        let value = Self.value200
        let database = self.database
        var next = first
        var puts = 0
        let start = nanos()
        for _ in 0..<batches {
            let base = next
            try environment.write { txn in
                for i in 0..<UInt64(perBatch) {
                    try txn.put(database, key: Self.key(base + i), value: value, options: .append)
                }
            }
            next += UInt64(perBatch)
            puts += perBatch
            if nanos() > deadline { break }
        }
        return (puts, seconds(since: start))
    }

    /// Durable transactions of `perBatch` puts of 200-byte values at scattered keys among
    /// 1...`keys` (filled before), until `commits` are done or `deadline` (monotonic ns) passes.
    /// Each put lands on a leaf page of its own, as a batch of commands on many runs does: what a
    /// durable commit of that many scattered changes costs this disk. Returns (puts, seconds).
    func scatteredBatches(keys: Int, perBatch: Int, commits: Int, deadline: UInt64) throws -> (puts: Int, seconds: Double) {
        let value = Self.value200
        let database = self.database
        var generator = SplitMix64(seed: 0x5EED)
        var puts = 0
        let start = nanos()
        for _ in 0..<commits {
            try environment.write { txn in
                for _ in 0..<perBatch {
                    try txn.put(database, key: Self.key(generator.next() % UInt64(keys) + 1), value: value)
                }
            }
            puts += perBatch
            if nanos() > deadline { break }
        }
        return (puts, seconds(since: start))
    }

    /// Fills keys 1...count with 200-byte values (for the read reference).
    func fill(_ count: Int) throws {
        let value = Self.value200
        let database = self.database
        var n: UInt64 = 1
        while n <= UInt64(count) {
            let base = n
            let end = min(UInt64(count), base + 9_999)
            try environment.write { txn in
                for k in base...end { try txn.put(database, key: Self.key(k), value: value, options: .append) }
            }
            n = end + 1
        }
    }

    /// A read transaction and one `get` (copying the value, as the ledger's reads copy theirs).
    @inline(__always)
    func readOne(_ key: [UInt8]) throws -> Int {
        let database = self.database
        return try environment.read { txn in try txn.get(database, key: key)?.count ?? 0 }
    }
}

/// Bare scans of a ledger's `events` database, opened without the ledger (read-only).
struct BareLog {
    let environment: Environment
    let events: Database

    /// Opens the environment read-only (the ledger must be closed: one handle per directory).
    static func open(_ directory: String) throws -> BareLog {
        var configuration = Environment.Configuration()
        configuration.readOnly = true
        let environment = try Environment(path: directory, configuration: configuration)
        return BareLog(environment: environment, events: try environment.openDatabase("events", create: false))
    }

    /// A sequential cursor scan touching every key and value byte count. Returns (entries, bytes).
    func scan() throws -> (entries: Int, bytes: Int) {
        let events = self.events
        return try environment.read { txn in
            try txn.withCursor(events) { cursor in
                var entries = 0
                var bytes = 0
                var entry = try cursor.first()
                while let current = entry {
                    entries += 1
                    bytes += current.key.count + current.value.count
                    entry = try cursor.next()
                }
                return (entries, bytes)
            }
        }
    }

    /// The scan plus the chain: SHA-256(previous stored hash ‖ body) compared with the stored hash
    /// (the last 32 bytes of each value), with swift-crypto, the library the ledger uses.
    /// Returns (entries, mismatches).
    func scanAndHash() throws -> (entries: Int, mismatches: Int) {
        let events = self.events
        return try environment.read { txn in
            try txn.withCursor(events) { cursor in
                var entries = 0
                var mismatches = 0
                var previous = [UInt8](repeating: 0, count: 32)
                var entry = try cursor.first()
                while let current = entry {
                    let value = current.value
                    let cut = value.count - 32
                    var hasher = SHA256()
                    previous.withUnsafeBytes { hasher.update(bufferPointer: $0) }
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: value[..<cut]))
                    let digest = hasher.finalize()
                    let stored = UnsafeRawBufferPointer(rebasing: value[cut...])
                    let same = digest.withUnsafeBytes { memcmp($0.baseAddress!, stored.baseAddress!, 32) == 0 }
                    if !same { mismatches += 1 }
                    previous.withUnsafeMutableBytes { $0.copyMemory(from: stored) }
                    entries += 1
                    entry = try cursor.next()
                }
                return (entries, mismatches)
            }
        }
    }

    /// (count, value bytes) of the stored events `first..<first+count`.
    func valueBytes(from first: UInt64, count: Int) throws -> (count: Int, bytes: Int) {
        let events = self.events
        return try environment.read { txn in
            try txn.withCursor(events) { cursor in
                var n = 0
                var bytes = 0
                var entry = try cursor.seek(atOrAfter: BareLMDB.key(first))
                while let current = entry, n < count {
                    n += 1
                    bytes += current.value.count
                    entry = try cursor.next()
                }
                return (n, bytes)
            }
        }
    }

    /// Pages of the `events` database and of the whole environment.
    func usage() throws -> (eventsBytes: Int, entries: Int, usedBytes: Int, mapBytes: Int) {
        let events = self.events
        let stats = try environment.read { txn in try txn.statistics(events) }
        let pages = stats.branchPages + stats.leafPages + stats.overflowPages
        return (pages * stats.pageSize, stats.entries, environment.usedSize, environment.mapSize)
    }
}

/// The size of a file in bytes, or 0.
func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}

/// Counters read from outside LMDB's API, for diagnostics only.
enum Diagnostics {
    /// The last committed transaction id of the environment in `directory`, read from the two
    /// meta pages of `data.mdb` (LMDB 0.9 layout: page header 16 B, then magic, version,
    /// address, map size, two 48-byte database records, last page, txnid at offset 144).
    static func lastTransactionID(_ directory: String) -> UInt64? {
        guard let handle = FileHandle(forReadingAtPath: directory + "/data.mdb") else { return nil }
        defer { try? handle.close() }
        guard let first = try? handle.read(upToCount: 4096), first.count >= 152 else { return nil }
        func u32(_ data: Data, _ offset: Int) -> UInt32 { data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) } }
        func u64(_ data: Data, _ offset: Int) -> UInt64 { data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) } }
        guard u32(first, 16) == 0xBEEF_C0DE else { return nil }
        let pageSize = Int(u32(first, 40))
        guard pageSize >= 512, (try? handle.seek(toOffset: UInt64(pageSize))) != nil,
              let second = try? handle.read(upToCount: 152), second.count == 152, u32(second, 16) == 0xBEEF_C0DE else { return nil }
        return max(u64(first, 144), u64(second, 144))
    }

    /// Bytes this process caused to be written to storage so far (Linux /proc/self/io).
    /// `major:minor` of the device holding `path` (glibc's encoding of `dev_t`).
    static func device(holding path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let dev = UInt64(status.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff)
        let minor = (dev & 0xff) | ((dev >> 12) & ~0xff)
        return "\(major):\(minor)"
    }

    /// Completed writes of the block device holding `path` (Linux: /sys/dev/block/M:m/stat).
    static func deviceWrites(holding path: String) -> Int? {
        guard let device = device(holding: path),
              let text = try? String(contentsOfFile: "/sys/dev/block/\(device)/stat", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        return fields.count > 4 ? Int(fields[4]) : nil
    }
}
