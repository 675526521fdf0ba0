import LedgerLMDB
import Foundation
import Crypto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Replay's machinery: the log read in chunks, decoded on a second core while the first applies
// the previous chunk to staged views (``ViewStaging``), and the hash chain checked in parallel.

extension Ledger {
    /// Events per chunk handed between the reading and the decoding thread.
    static let replayChunk = 4_096
    /// Chunks decoded or decoding ahead of the one being applied: the decoder and the applier
    /// each work through a run of slow chunks without waiting for the other.
    static let replayDepth = 3

    /// Stored events of a chunk (pointers into the map, valid for the source transaction), and
    /// what decoding them gave.
    final class DecodeJob: @unchecked Sendable {
        let values: [UnsafeRawBufferPointer]
        var inputs: [Projector.Input] = []
        /// The chunk's audit index entries, when the decoder stages them.
        var audit: AuditEntries?
        /// The first event that did not decode, by index in `values`.
        var failure: (index: Int, error: any Error)?
        /// Inputs of an earlier chunk, already applied: freed here, on the decoding thread, when the
        /// applying one has no time to spare (their strings and arrays cost about as much to free
        /// as to make).
        private var retired: [Projector.Input]
        /// Set by the thread that decodes the job: the decoder, or the applying thread in a wait.
        private let taken = Atomic<Bool>(false)
        private let done = DispatchSemaphore(value: 0)

        init(_ values: [UnsafeRawBufferPointer], stagesAudit: Bool, retiring retired: [Projector.Input] = []) {
            self.values = values
            self.retired = retired
            if stagesAudit { audit = AuditEntries() }
        }

        /// The decoded inputs, which the job no longer holds.
        func takeInputs() -> [Projector.Input] {
            defer { inputs = [] }
            return inputs
        }

        func run() {
            retired = []
            inputs.reserveCapacity(values.count)
            // This chunk's strings; a new interner per job, so that no string is shared with the
            // chunk being applied on the other thread.
            let strings = StringInterner()
            for (index, stored) in values.enumerated() {
                do {
                    let input = try Ledger.projectorInput(stored: stored, strings: strings)
                    audit?.add(input)
                    inputs.append(input)
                } catch {
                    failure = (index, error)
                    return
                }
            }
        }

        /// Decodes on `queue`, after the jobs started on it before, unless another thread has
        /// taken the job by then (``runHereUnlessTaken()``).
        func start(on queue: DispatchQueue) {
            queue.async { _ = self.runHereUnlessTaken() }
        }

        /// Decodes on this thread unless another has started to: how the applying thread puts a
        /// wait to use. Returns false when the job was taken.
        func runHereUnlessTaken() -> Bool {
            guard !taken.exchange(true, ordering: .acquiringAndReleasing) else { return false }
            run()
            done.signal()
            return true
        }

        private var waited = false

        /// Waits for the decoding to finish; later calls return at once (one thread only).
        func wait() {
            if !waited {
                done.wait()
                waited = true
            }
        }

        /// True when the decoding has finished (one thread only, as ``wait()``).
        var isFinished: Bool {
            if !waited, done.wait(timeout: .now()) == .success { waited = true }
            return waited
        }
    }

    /// Applies the stored events 1...`last` of `source` to the views of `projector`, inside
    /// `target`, whose views must be empty: the views are staged in memory and written in key
    /// order (flushed early past the staging budget and before a purge).
    ///
    /// - Parameters:
    ///   - pipelined: Decode on another thread while this one applies. Only when the log's pages
    ///     cannot change during the call: `source` is another transaction than `target`, or the
    ///     events were committed before `target` began (not written in `target`).
    ///   - stagingBudget: Staged bytes that trigger an early flush.
    static func project(from source: borrowing Transaction, events: Database, upTo last: UInt64, with projector: Projector,
                        into target: borrowing Transaction, pipelined: Bool = true, stagingBudget: Int = 512 << 20,
                        progress: ProgressHandler?) throws -> UInt64 {
        let staging = ViewStaging(databases: projector.db.projections, audit: projector.db.audit,
                                  targetIsEmpty: true, budget: stagingBudget)
        let parallel = pipelined && ProcessInfo.processInfo.activeProcessorCount > 1
        // The decoding thread groups the audit entries of its chunk (unless the projector
        // watches every write, for verify's diagnostics).
        let stagesAudit = projector.observer == nil
        var applied: UInt64 = 0
        var nextProgress: UInt64 = 50_000
        // One decoding thread (a serial queue), kept up to `replayDepth` chunks ahead: with this
        // thread, exactly two threads work, one per core. Every job started is waited for before
        // returning, so no decoder outlives the transaction whose pages it reads.
        let decoder = DispatchQueue(label: "ledger.replay.decode", qos: .userInitiated)
        var decoding: [DecodeJob] = []
        // The inputs last applied, until the next decoding job takes them to free.
        var freeable: [Projector.Input] = []
        defer {
            for job in decoding { job.wait() }
        }
        try source.withCursor(events) { cursor in
            var entry = try cursor.first()
            if !parallel {
                // One event at a time: the cursor never runs ahead of a write.
                let strings = StringInterner()
                while let current = entry {
                    if try Keys.decodeBE64(current.key) > last { break }
                    try projector.apply(try projectorInput(stored: current.value, strings: strings), target, staging: staging)
                    if staging.stagedBytes > staging.budget { try staging.flush(target) }
                    applied += 1
                    if let progress, applied % 50_000 == 0 { progress(applied, last) }
                    entry = try cursor.next()
                }
                return
            }
            while true {
                while decoding.count < replayDepth, entry != nil {
                    var values: [UnsafeRawBufferPointer] = []
                    values.reserveCapacity(replayChunk)
                    while values.count < replayChunk, let current = entry {
                        if try Keys.decodeBE64(current.key) > last {
                            entry = nil
                            break
                        }
                        values.append(current.value)
                        entry = try cursor.next()
                    }
                    if values.isEmpty { break }
                    let job = DecodeJob(values, stagesAudit: stagesAudit, retiring: freeable)
                    freeable = []
                    job.start(on: decoder)
                    decoding.append(job)
                }
                guard !decoding.isEmpty else { break }
                let job = decoding[0]
                if !job.isFinished {
                    // Rather than wait for the decoder: free the inputs last applied (else the
                    // next decoding job does), and decode chunks it has not started, the furthest
                    // ahead first (it takes them in order).
                    freeable = []
                    for ahead in decoding.reversed() where !job.isFinished { _ = ahead.runHereUnlessTaken() }
                }
                job.wait()
                decoding.removeFirst()
                let inputs = job.takeInputs()
                // By index: each input is borrowed from the array, not copied (and retained).
                for index in inputs.indices {
                    try projector.apply(inputs[index], target, staging: staging, auditIndexes: !stagesAudit)
                    applied += 1
                }
                freeable = inputs
                if let failure = job.failure { throw failure.error }
                job.audit?.stage(into: staging)
                if staging.stagedBytes > staging.budget { try staging.flush(target) }
                if let progress, applied >= nextProgress {
                    progress(applied, last)
                    nextProgress = (applied / 50_000 + 1) * 50_000
                }
            }
        }
        try staging.flush(target)
        progress?(applied, last)
        return applied
    }

    /// What the projector needs of a stored event, decoded as ``EventCodec/decode(stored:)`` does
    /// (same checks, same errors) but skipping the request id and the source, which no view holds.
    ///
    /// - Parameter strings: Builds each long string once across the events it decodes.
    static func projectorInput(stored: UnsafeRawBufferPointer, strings: StringInterner? = nil) throws(LedgerError) -> Projector.Input {
        let (body, _) = try EventCodec.split(stored)
        var r = BinaryReader(body)
        let header = try EventCodec.readHeader(&r)
        r.strings = strings
        let (sequence, timestamp, type, schemaVersion) = (header.sequence, header.timestamp, header.type, header.schemaVersion)
        let actor = try r.readString()
        let workspace = try r.readString()
        try r.skipString() // request id
        switch try r.readUInt8() {
        case 0, 1: break
        case 2:
            try r.skipString() // remote address
            try r.skipString() // user agent
        case let other: throw LedgerError(.corruptedData, "event \(sequence) has invalid source byte \(other)")
        }
        let payload = try EventPayload.decode(type: type, schemaVersion: schemaVersion, from: &r)
        guard r.isAtEnd else {
            throw LedgerError(.corruptedData, "event \(sequence) has \(r.remaining) unexpected trailing bytes")
        }
        return Projector.Input(sequence: sequence, timestamp: timestamp, actor: actor, workspace: workspace, payload: payload)
    }
}

/// Runs `body(i)` for every `i` in `0..<links`, split into `slices` contiguous ranges that the
/// cores take as they come free. `body` must only write state of its own index.
final class ChainWork: @unchecked Sendable {
    let links: Int
    let slices: Int
    let body: (Int) -> Void

    init(links: Int, slices: Int, body: @escaping (Int) -> Void) {
        self.links = links
        self.slices = slices
        self.body = body
    }

    func run() {
        if slices <= 1 || links < 2 {
            for i in 0..<links { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let lower = self.links * slice / self.slices
            let upper = self.links * (slice + 1) / self.slices
            for i in lower..<upper { self.body(i) }
        }
    }
}
