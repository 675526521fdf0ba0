/// Hands out one `String` for each distinct stored string a decoder meets, so that a string
/// repeated from event to event (an actor, a workspace, a run id) is built once instead of
/// allocated and validated every time.
///
/// A direct-mapped cache keyed by the stored bytes (and their form: UTF-8 or packed
/// hexadecimal), which each slot keeps beside its string: a miss builds the string and takes the
/// slot. Only strings too long to be stored inline in a `String` (more than 15 UTF-8 bytes) and
/// stored in at most ``maximumStoredLength`` bytes go through it. One interner serves one thread.
final class StringInterner {
    /// Enough for the distinct long strings of a few thousand events (a rebuild's chunk: its
    /// actors, workspaces and a few hundred runs) to rarely take each other's slots.
    private static let slotCount = 2_048
    /// The longest stored form kept: a run id (16 packed bytes), a long actor or workspace name.
    static let maximumStoredLength = 32

    private struct Slot {
        var hash: UInt64 = 0
        var count = -1
        var packedHex = false
        /// The stored form, zero-padded.
        var stored: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var string = ""
    }

    private var slots: UnsafeMutableBufferPointer<Slot>

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot())
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// The string whose stored form is `stored` (at most ``maximumStoredLength`` bytes), built by
    /// `make` unless an equal stored form was met before and still holds its slot.
    @inline(__always)
    func string(stored: UnsafeRawBufferPointer, packedHex: Bool, _ make: (UnsafeRawBufferPointer) -> String) -> String {
        precondition(stored.count <= Self.maximumStoredLength)
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: stored) }
        let hash = ByteHash.of(stored)
        let index = Int(truncatingIfNeeded: hash >> 17) & (Self.slotCount - 1)
        let slot = slots[index]
        if slot.hash == hash, slot.count == stored.count, slot.packedHex == packedHex, slot.stored == words {
            return slot.string
        }
        let string = make(stored)
        slots[index] = Slot(hash: hash, count: stored.count, packedHex: packedHex, stored: words, string: string)
        return string
    }
}
