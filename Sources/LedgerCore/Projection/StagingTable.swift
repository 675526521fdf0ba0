#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The staged entries of one view during a rebuild: byte keys mapped to a value or to a deletion,
/// in an open-addressing hash table whose keys and values live side by side in an arena.
///
/// A rebuild stages hundreds of thousands of keys and rewrites many values (a metric record at
/// every point). A `Dictionary` of arrays paid a heap allocation per key and per value, a retain
/// and release per access and a rehash of the key per probe; here an entry is one arena record
/// (header, key, value with room to grow), a probe compares a stored 64-bit hash before any byte,
/// a value is rewritten in place when it fits, and emptying the table frees a few blocks.
///
/// A value that outgrows its room moves to a new record with more room; the old one stays in the
/// arena until ``removeAll()`` and is counted in ``bytes``, so a staging budget bounds it. Entries
/// are never removed one by one (a deletion is a staged state), so probing needs no tombstones.
final class StagingTable {
    /// A record: `UInt32` value length (``deletedLength`` for a deletion), `UInt32` value
    /// capacity, `UInt16` key length, padding to ``headerSize``, the key, then the value.
    private static let headerSize = 16
    private static let deletedLength = UInt32.max
    private static let recordAlignment = 8
    private static let firstBlockSize = 4 << 10
    private static let largestBlockSize = 1 << 20

    /// A slot of the hash table: the key's hash and its record (`nil` when the slot is free).
    private struct Slot {
        var hash: UInt64
        var record: UnsafeMutableRawPointer?
    }

    /// One staged key and its state, pointing into the arena: valid until the table is emptied.
    struct Entry {
        fileprivate let record: UnsafeMutableRawPointer

        var key: UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: record + StagingTable.headerSize, count: Int(record.load(fromByteOffset: 8, as: UInt16.self)))
        }

        /// The staged value, or `nil` for a staged deletion.
        var value: UnsafeRawBufferPointer? {
            let length = record.load(as: UInt32.self)
            if length == StagingTable.deletedLength { return nil }
            return UnsafeRawBufferPointer(start: record + StagingTable.headerSize + key.count, count: Int(length))
        }
    }

    /// What the table holds for a key.
    enum Lookup {
        /// Nothing staged: the key has whatever the database holds.
        case absent
        /// A deletion is staged.
        case deleted
        case value(UnsafeRawBufferPointer)
    }

    private var slots: UnsafeMutablePointer<Slot>?
    private var capacity = 0
    /// Keys staged (values and deletions).
    private(set) var count = 0

    private var blocks: [UnsafeMutableRawPointer] = []
    private var free: UnsafeMutableRawPointer?
    private var freeBytes = 0
    private var nextBlockSize = StagingTable.firstBlockSize
    /// Bytes of arena records handed out since the table was last emptied, abandoned ones included.
    private var recordBytes = 0

    init() {}

    deinit { release() }

    /// Memory the table holds for its entries: records (with their spare room and abandoned
    /// ones) and slots.
    var bytes: Int { recordBytes + capacity * MemoryLayout<Slot>.stride }

    var isEmpty: Bool { count == 0 }

    // MARK: Reading

    func lookup(_ key: UnsafeRawBufferPointer) -> Lookup {
        guard let record = find(key, hash: Self.hash(key)) else { return .absent }
        return Entry(record: record).value.map(Lookup.value) ?? .deleted
    }

    // MARK: Writing

    /// Stages `value` for `key`, replacing what was staged.
    func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        let hash = Self.hash(key)
        if let record = find(key, hash: hash) {
            if Int(record.load(fromByteOffset: 4, as: UInt32.self)) >= value.count {
                Self.setValue(value, in: record)
                return
            }
            replace(record, hash: hash, with: makeRecord(key, value: value, capacity: Self.roomy(value.count)))
            return
        }
        insert(makeRecord(key, value: value, capacity: value.count), hash: hash)
    }

    /// Stages the deletion of `key`, replacing what was staged.
    func delete(_ key: UnsafeRawBufferPointer) {
        let hash = Self.hash(key)
        if let record = find(key, hash: hash) {
            record.storeBytes(of: Self.deletedLength, as: UInt32.self)
            return
        }
        let record = makeRecord(key, value: nil, capacity: 0)
        record.storeBytes(of: Self.deletedLength, as: UInt32.self)
        insert(record, hash: hash)
    }

    /// Rewrites the staged value of `key` in place: `body` gets a buffer holding the current value
    /// (its length, or `nil` when a deletion is staged) with at least `growth` bytes of room after
    /// it, and returns the new length. `body` must leave the buffer as it was when it throws.
    ///
    /// - Returns: `false`, without calling `body`, when nothing is staged for `key`.
    func modifyStaged(_ key: UnsafeRawBufferPointer, growth: Int,
                      _ body: (UnsafeMutableRawBufferPointer, Int?) throws -> Int) rethrows -> Bool {
        let hash = Self.hash(key)
        guard var record = find(key, hash: hash) else { return false }
        let stored = record.load(as: UInt32.self)
        let length = stored == Self.deletedLength ? nil : Int(stored)
        if Int(record.load(fromByteOffset: 4, as: UInt32.self)) < (length ?? 0) + growth {
            let current = length.map { UnsafeRawBufferPointer(start: record + Self.headerSize + key.count, count: $0) }
            let moved = makeRecord(key, value: current, capacity: Self.roomy((length ?? 0) + growth))
            if length == nil { moved.storeBytes(of: Self.deletedLength, as: UInt32.self) }
            replace(record, hash: hash, with: moved)
            record = moved
        }
        try rewrite(record, keyCount: key.count, length: length, body)
        return true
    }

    /// Stages a value for a key that nothing is staged for (``modifyStaged(_:growth:_:)`` returned
    /// `false`): `body` gets a buffer holding `initial` (the value the database holds, or `nil`)
    /// with at least `growth` bytes of room after it, and returns the new length. Nothing is staged
    /// when `body` throws.
    func insert(_ key: UnsafeRawBufferPointer, initial: UnsafeRawBufferPointer?, growth: Int,
                _ body: (UnsafeMutableRawBufferPointer, Int?) throws -> Int) rethrows {
        let record = makeRecord(key, value: initial, capacity: (initial?.count ?? 0) + growth)
        try rewrite(record, keyCount: key.count, length: initial?.count, body)
        insert(record, hash: Self.hash(key))
    }

    private func rewrite(_ record: UnsafeMutableRawPointer, keyCount: Int, length: Int?,
                         _ body: (UnsafeMutableRawBufferPointer, Int?) throws -> Int) rethrows {
        let capacity = Int(record.load(fromByteOffset: 4, as: UInt32.self))
        let newLength = try body(UnsafeMutableRawBufferPointer(start: record + Self.headerSize + keyCount, count: capacity), length)
        precondition(newLength >= 0 && newLength <= capacity, "a staged value of \(newLength) bytes overflows its room of \(capacity)")
        record.storeBytes(of: UInt32(newLength), as: UInt32.self)
    }

    // MARK: Flushing

    /// An entry with the first 8 bytes of its key, big-endian and zero-padded: most comparisons
    /// of a sort are settled by this number alone.
    struct SortedEntry {
        let prefix: UInt64
        let entry: Entry
    }

    /// Every entry in LMDB's default key order (memcmp, then the shorter key first), staged
    /// deletions included only when `deletions` is true.
    func sortedEntries(deletions: Bool) -> [SortedEntry] {
        var sorted: [SortedEntry] = []
        sorted.reserveCapacity(count)
        if let slots {
            for index in 0..<capacity {
                guard let record = slots[index].record else { continue }
                let entry = Entry(record: record)
                if !deletions && record.load(as: UInt32.self) == Self.deletedLength { continue }
                sorted.append(SortedEntry(prefix: Self.keyPrefix(entry.key), entry: entry))
            }
        }
        sorted.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return a.entry.key.compareInKeyOrder(b.entry.key) < 0
        }
        return sorted
    }

    /// Empties the table and frees its memory.
    func removeAll() {
        release()
        slots = nil
        capacity = 0
        count = 0
        blocks = []
        free = nil
        freeBytes = 0
        nextBlockSize = Self.firstBlockSize
        recordBytes = 0
    }

    // MARK: Keys

    /// The hash the table keys on.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 { ByteHash.of(key) }

    /// The first 8 bytes of `key` as a big-endian number, zero-padded.
    @inline(__always)
    static func keyPrefix(_ key: UnsafeRawBufferPointer) -> UInt64 {
        if key.count >= 8 { return UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)) }
        var prefix: UInt64 = 0
        for i in 0..<8 { prefix = prefix << 8 | (i < key.count ? UInt64(key[i]) : 0) }
        return prefix
    }

    // MARK: Slots

    @inline(__always)
    private func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UnsafeMutableRawPointer? {
        guard let slots else { return nil }
        let mask = capacity - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while let record = slots[index].record {
            if slots[index].hash == hash && Self.holdsKey(record, key) { return record }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Compares 8 bytes at a time, inline: keys are short, and a call to memcmp per probe costs
    /// more than the comparison.
    @inline(__always)
    private static func holdsKey(_ record: UnsafeMutableRawPointer, _ key: UnsafeRawBufferPointer) -> Bool {
        guard Int(record.load(fromByteOffset: 8, as: UInt16.self)) == key.count else { return false }
        let stored = UnsafeRawPointer(record + headerSize)
        var i = 0
        while i + 8 <= key.count {
            if stored.loadUnaligned(fromByteOffset: i, as: UInt64.self) != key.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < key.count {
            if stored.load(fromByteOffset: i, as: UInt8.self) != key[i] { return false }
            i += 1
        }
        return true
    }

    /// Adds a slot for a key that has none.
    private func insert(_ record: UnsafeMutableRawPointer, hash: UInt64) {
        // At most 70% full: short probe runs.
        if (count + 1) * 10 > capacity * 7 { grow() }
        place(record, hash: hash, in: slots!, mask: capacity - 1)
        count += 1
    }

    /// Points the slot of `old` (a key's record) at `new`, a record of the same key.
    private func replace(_ old: UnsafeMutableRawPointer, hash: UInt64, with new: UnsafeMutableRawPointer) {
        let slots = self.slots!
        let mask = capacity - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].record != old { index = (index + 1) & mask }
        slots[index].record = new
    }

    @inline(__always)
    private func place(_ record: UnsafeMutableRawPointer, hash: UInt64, in slots: UnsafeMutablePointer<Slot>, mask: Int) {
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index].record != nil { index = (index + 1) & mask }
        slots[index] = Slot(hash: hash, record: record)
    }

    private func grow() {
        let newCapacity = max(8, capacity * 2)
        let grown = UnsafeMutablePointer<Slot>.allocate(capacity: newCapacity)
        grown.initialize(repeating: Slot(hash: 0, record: nil), count: newCapacity)
        if let slots {
            for index in 0..<capacity {
                if slots[index].record != nil { place(slots[index].record!, hash: slots[index].hash, in: grown, mask: newCapacity - 1) }
            }
            slots.deallocate()
        }
        slots = grown
        capacity = newCapacity
    }

    // MARK: Arena

    /// A value that outgrew its record gets room for as much again (up to 256 bytes more), so a
    /// value that keeps growing moves a few times, not at every write.
    @inline(__always)
    private static func roomy(_ length: Int) -> Int { length + min(max(length, 16), 256) }

    /// A new record holding `key` and `value` (its length; `nil` leaves it 0) with `capacity`
    /// bytes of room for the value.
    private func makeRecord(_ key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer?, capacity: Int) -> UnsafeMutableRawPointer {
        precondition(key.count <= Int(UInt16.max) && capacity < Int(Self.deletedLength), "staged key or value too large")
        let record = allocate(Self.headerSize + key.count + max(capacity, value?.count ?? 0))
        record.storeBytes(of: UInt32(0), as: UInt32.self)
        record.storeBytes(of: UInt32(max(capacity, value?.count ?? 0)), toByteOffset: 4, as: UInt32.self)
        record.storeBytes(of: UInt16(key.count), toByteOffset: 8, as: UInt16.self)
        if !key.isEmpty { (record + Self.headerSize).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if let value { Self.setValue(value, in: record) }
        return record
    }

    @inline(__always)
    private static func setValue(_ value: UnsafeRawBufferPointer, in record: UnsafeMutableRawPointer) {
        let keyCount = Int(record.load(fromByteOffset: 8, as: UInt16.self))
        if !value.isEmpty { (record + headerSize + keyCount).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        record.storeBytes(of: UInt32(value.count), as: UInt32.self)
    }

    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let rounded = (size + Self.recordAlignment - 1) & ~(Self.recordAlignment - 1)
        if rounded > freeBytes {
            let blockSize = max(nextBlockSize, rounded)
            let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: Self.recordAlignment)
            blocks.append(block)
            free = block
            freeBytes = blockSize
            nextBlockSize = min(nextBlockSize * 2, Self.largestBlockSize)
        }
        let record = free!
        free = record + rounded
        freeBytes -= rounded
        recordBytes += rounded
        return record
    }

    private func release() {
        slots?.deallocate()
        for block in blocks { block.deallocate() }
    }
}
