import CLMDB
import Synchronization

/// Reset read transactions kept for reuse, so that a read renews one (`mdb_txn_renew`: a fresh
/// snapshot) instead of allocating a transaction and claiming a reader slot under the reader-table
/// mutex (`mdb_txn_begin`), then freeing both again (`mdb_txn_abort`).
///
/// With `MDB_NOTLS` a reset transaction keeps its reader slot, marked as reading no snapshot: it
/// holds no pages back from reuse, but the slot is taken until the transaction is aborted. The pool
/// therefore keeps few of them (``capacity``), so that other processes (a CLI beside the server)
/// still find free slots; a read that finds the pool empty begins a transaction of its own, and one
/// that finds it full aborts its transaction at the end as before.
///
/// Each slot holds one transaction or none; taking and returning exchange a slot's content
/// atomically, so a transaction is never handed to two threads at once. No allocation, no lock.
final class ReadTransactionPool: Sendable {
    /// How many slots this pool uses (at most 8).
    let capacity: Int
    /// Each holds the bit pattern of an `MDB_txn` pointer, or 0 for an empty slot.
    private let slots: InlineArray<8, Atomic<UInt>> = InlineArray { _ in Atomic<UInt>(0) }

    init(capacity: Int) {
        self.capacity = max(0, min(capacity, slots.count))
    }

    /// A reset transaction, now owned by the caller; `nil` when the pool is empty.
    func take() -> OpaquePointer? {
        for index in 0..<capacity where slots[index].load(ordering: .relaxed) != 0 {
            let bits = slots[index].exchange(0, ordering: .acquiring)
            if bits != 0 { return OpaquePointer(bitPattern: bits) }
        }
        return nil
    }

    /// Keeps the reset transaction `txn`; `false` (and the caller still owns it) when full.
    func put(_ txn: OpaquePointer) -> Bool {
        let bits = UInt(bitPattern: txn)
        for index in 0..<capacity where slots[index].load(ordering: .relaxed) == 0 {
            if slots[index].compareExchange(expected: 0, desired: bits, ordering: .releasing).exchanged { return true }
        }
        return false
    }

    /// How many transactions the pool holds now (for tests and diagnostics; others may be
    /// taking and returning meanwhile).
    var count: Int {
        (0..<capacity).count { slots[$0].load(ordering: .relaxed) != 0 }
    }

    /// Aborts every kept transaction. Only when no other thread can use the pool any more.
    func drain() {
        while let txn = take() { mdb_txn_abort(txn) }
    }
}
