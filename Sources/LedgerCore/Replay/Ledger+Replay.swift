import LedgerLMDB
import Foundation
import Synchronization
import Crypto

extension Ledger {
    /// Rebuilds every view from the log, in one write transaction: readers see the old views until
    /// the new ones are complete, and a crash leaves the old ones intact (with their projection
    /// version, so a ledger opened after a crash during a version upgrade rebuilds again).
    ///
    /// The log is read in chunks, decoded on a second core while this one applies the previous
    /// chunk, and the views are staged in memory and written in key order (``ViewStaging``).
    /// Views retired by a layout change are deleted in the same transaction.
    ///
    /// Blocks the calling thread and other writers for its duration.
    @discardableResult
    public func rebuildProjections(progress: ProgressHandler? = nil) throws -> ReplaySummary {
        guard !configuration.readOnly else {
            throw LedgerError(.readOnly, "the ledger at '\(configuration.directory)' is open read-only; open it for writing to rebuild its views")
        }
        let start = DispatchTime.now()
        let db = self.db
        let log = self.log
        let events = try writeDirectly { txn in
            for name in LedgerDatabases.retiredProjectionNames { try txn.dropDatabase(named: name) }
            for view in db.projections { try txn.removeAll(view) }
            let head = try log.head(txn)
            let count = try Self.project(from: txn, events: db.events, upTo: head.sequence, with: log.projector, into: txn, progress: progress)
            try log.setMetaUInt32(EventLog.MetaKey.projectionVersion, Projector.version, txn)
            return count
        }
        return ReplaySummary(events: events, seconds: Self.seconds(since: start))
    }

    /// Checks the log and the views without changing anything.
    ///
    /// 1. The chain: every sequence number from 1 present, each event stored under its own number,
    ///    its hash equal to SHA-256(previous hash ‖ stored bytes), time never decreasing, the head
    ///    equal to the last event.
    /// 2. The views: a rebuild from the log into a scratch directory, compared key by key with
    ///    the live views; for a difference, the last event that wrote the key is named.
    public func verify(progress: ProgressHandler? = nil) throws -> VerificationReport {
        let start = DispatchTime.now()
        var report = VerificationReport()
        let db = self.db
        try read { txn in
            report.head = try log.head(txn)
            let decodable = try Self.checkChain(txn, events: db.events, head: report.head, into: &report, progress: progress)
            if decodable {
                do {
                    try compareViews(with: txn, head: report.head, into: &report)
                } catch let error as LedgerError where error.code == .corruptedData {
                    // Every event decodes, but the log cannot be replayed (a changed event refers to
                    // something no earlier event created): report it beside the chain's findings.
                    report.record(.init(kind: .undecodable, sequence: nil, view: nil, key: nil,
                                        detail: "the views cannot be rebuilt from the log: \(error.message)"))
                }
            }
        }
        report.seconds = Self.seconds(since: start)
        return report
    }

    /// Checks the hash chain only: step 1 of ``verify(progress:)`` (every sequence present, each
    /// event under its own number, hashes chained, time never decreasing, head matching), without
    /// decoding payloads, rebuilding or comparing views. Changes nothing.
    public func verifyChain(progress: ProgressHandler? = nil) throws -> VerificationReport {
        let start = DispatchTime.now()
        var report = VerificationReport()
        let db = self.db
        try read { txn in
            report.head = try log.head(txn)
            _ = try Self.checkChain(txn, events: db.events, head: report.head, decodeEvents: false, into: &report, progress: progress)
        }
        report.seconds = Self.seconds(since: start)
        return report
    }

    /// Walks the log; returns false when some event does not decode (views cannot be rebuilt).
    ///
    /// Each stored event carries its chain hash, so event i is checked against event i-1's stored
    /// hash alone: the log is read in chunks, the cheap checks (numbering, order, time) run in log
    /// order on this thread, and the hashes (and decoding) of a chunk are spread over the cores.
    /// Problems are reported in log order, as a sequential walk reports them.
    ///
    /// - Parameters:
    ///   - first: The first sequence to check; the chain continues from the hash stored with the
    ///     event before it.
    ///   - last: The last sequence to check; `nil` checks to the end and compares with the head.
    static func checkChain(_ txn: borrowing Transaction, events: Database, head: LogHead, decodeEvents: Bool = true,
                           from first: UInt64 = 1, through last: UInt64? = nil, chunkSize: Int = 8_192,
                           into report: inout VerificationReport, progress: ProgressHandler?) throws -> Bool {
        var decodable = true
        var expected: UInt64 = max(first, 1)
        let genesis = UnsafeMutableRawBufferPointer.allocate(byteCount: EventCodec.hashSize, alignment: 8)
        genesis.initializeMemory(as: UInt8.self, repeating: 0)
        defer { genesis.deallocate() }
        // Points into the map (the stored hash of the previous event) or at `genesis`.
        var previousHash = UnsafeRawBufferPointer(genesis)
        var previousTime = Int64.min
        if expected > 1 {
            try txn.withValue(events, key: Keys.sequence(expected - 1)) { (stored) throws(LedgerError) in
                guard let stored else {
                    report.record(.init(kind: .missingEvent, sequence: expected - 1, view: nil, key: nil, detail: "no event stored under sequence \(expected - 1), where the checked range's chain starts"))
                    decodable = false
                    return
                }
                let (body, hash) = try EventCodec.split(stored)
                previousHash = hash
                previousTime = try EventCodec.timestamp(ofBody: body)
            }
        }
        var lastSequence: UInt64 = expected - 1

        /// One event to hash: its body, its stored hash and the previous event's stored hash.
        struct Link {
            var entry: Int
            var sequence: UInt64
            /// The stored event: body ‖ hash.
            var stored: UnsafeRawBufferPointer
            /// The previous event's stored hash (32 bytes).
            var previous: UnsafeRawPointer

            var body: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: stored[..<(stored.count - EventCodec.hashSize)]) }
            var hash: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: stored[(stored.count - EventCodec.hashSize)...]) }
            var previousHash: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: previous, count: EventCodec.hashSize) }
        }
        /// A problem found by the sequential pass: before (phase 0) or after (phase 2) the hash
        /// check of the same entry.
        struct Note {
            var entry: Int
            var phase: Int
            var problem: VerificationReport.Problem
        }

        var links: [Link] = []
        var notes: [Note] = []
        links.reserveCapacity(chunkSize)
        let cores = ProcessInfo.processInfo.activeProcessorCount

        /// Hashes (and decodes) the chunk's links on every core, then reports in log order.
        func finishChunk(_ entries: Int) {
            defer { links.removeAll(keepingCapacity: true); notes.removeAll(keepingCapacity: true) }
            let count = links.count
            let mismatched = UnsafeMutableBufferPointer<Bool>.allocate(capacity: count)
            mismatched.initialize(repeating: false)
            let decodeErrors = UnsafeMutableBufferPointer<String?>.allocate(capacity: count)
            decodeErrors.initialize(repeating: nil)
            let shared = UnsafeMutableBufferPointer<Link>.allocate(capacity: count)
            _ = shared.initialize(fromContentsOf: links)
            defer {
                mismatched.deallocate()
                decodeErrors.deinitialize()
                decodeErrors.deallocate()
                shared.deallocate()
            }
            // Slices of 256 events, taken by whichever core is free: a core that another process
            // holds does not stall the chunk.
            let work = ChainWork(links: count, slices: cores < 2 || count < 1_024 ? 1 : (count + 255) / 256) { i in
                let link = shared[i]
                var hasher = SHA256()
                hasher.update(bufferPointer: link.previousHash)
                hasher.update(bufferPointer: link.body)
                let digest = hasher.finalize()
                mismatched[i] = digest.withUnsafeBytes { d in memcmp(d.baseAddress!, link.hash.baseAddress!, EventCodec.hashSize) != 0 }
                if decodeEvents {
                    do { _ = try EventCodec.decode(stored: link.stored) } catch { decodeErrors[i] = (error as? LedgerError)?.message ?? "\(error)" }
                }
            }
            work.run()
            var noteIndex = 0
            for (i, link) in links.enumerated() {
                while noteIndex < notes.count, notes[noteIndex].entry < link.entry || notes[noteIndex].entry == link.entry && notes[noteIndex].phase == 0 {
                    report.record(notes[noteIndex].problem)
                    noteIndex += 1
                }
                if mismatched[i] {
                    var hasher = SHA256()
                    hasher.update(bufferPointer: link.previousHash)
                    hasher.update(bufferPointer: link.body)
                    let digest = Array(hasher.finalize())
                    report.record(.init(kind: .hashMismatch, sequence: link.sequence, view: nil, key: nil, detail: "SHA-256 of the previous hash and the stored bytes is \(digest.hexString.prefix(16))…, the stored hash is \(Array(link.hash).hexString.prefix(16))…: the event was changed, or events were reordered"))
                }
                while noteIndex < notes.count, notes[noteIndex].entry == link.entry {
                    report.record(notes[noteIndex].problem)
                    noteIndex += 1
                }
                if let message = decodeErrors[i] {
                    report.record(.init(kind: .undecodable, sequence: link.sequence, view: nil, key: nil, detail: message))
                    decodable = false
                }
            }
            while noteIndex < notes.count {
                report.record(notes[noteIndex].problem)
                noteIndex += 1
            }
            report.eventsChecked += UInt64(entries)
            progress?(report.eventsChecked, head.sequence)
        }

        try txn.withCursor(events) { cursor in
            var entry = expected > 1 ? try cursor.seek(atOrAfter: Keys.sequence(expected)) : try cursor.first()
            var entries = 0
            while let current = entry {
                if let last, current.key.count == 8, try Keys.decodeBE64(current.key) > last { break }
                let index = entries
                entries += 1
                defer {
                    if entries == chunkSize {
                        finishChunk(entries)
                        entries = 0
                    }
                }
                guard current.key.count == 8 else {
                    notes.append(Note(entry: index, phase: 0, problem: .init(kind: .undecodable, sequence: nil, view: nil, key: Array(current.key).hexString, detail: "a log key must be 8 bytes, this one has \(current.key.count)")))
                    decodable = false
                    entry = try cursor.next()
                    continue
                }
                let key = try Keys.decodeBE64(current.key)
                if key != expected {
                    let missing = key > expected ? (key - expected == 1 ? "\(expected)" : "\(expected)...\(key - 1)") : "?"
                    notes.append(Note(entry: index, phase: 0, problem: .init(kind: .missingEvent, sequence: expected, view: nil, key: nil, detail: "no event stored under sequence \(missing); the next stored event is \(key)")))
                    decodable = false
                }
                do {
                    let (body, storedHash) = try EventCodec.split(current.value)
                    links.append(Link(entry: index, sequence: key, stored: current.value, previous: previousHash.baseAddress!))
                    let inner = try EventCodec.sequence(ofBody: body)
                    if inner != key {
                        notes.append(Note(entry: index, phase: 2, problem: .init(kind: .sequenceMismatch, sequence: key, view: nil, key: nil, detail: "the event stored under sequence \(key) is event \(inner): events were reordered")))
                        decodable = false
                    }
                    let time = try EventCodec.timestamp(ofBody: body)
                    if time < previousTime {
                        notes.append(Note(entry: index, phase: 2, problem: .init(kind: .timeWentBackwards, sequence: key, view: nil, key: nil, detail: "its time \(time) µs is before the previous event's \(previousTime) µs")))
                    }
                    previousTime = time
                    // Continue from the stored hash, so one damaged event is reported once.
                    previousHash = storedHash
                } catch let error as LedgerError {
                    notes.append(Note(entry: index, phase: 2, problem: .init(kind: .undecodable, sequence: key, view: nil, key: nil, detail: error.message)))
                    decodable = false
                }
                lastSequence = key
                expected = key + 1
                entry = try cursor.next()
            }
            if entries > 0 || !notes.isEmpty { finishChunk(entries) }
        }
        let lastHash = Array(previousHash)
        if let last, lastSequence < last {
            report.record(.init(kind: .missingEvent, sequence: lastSequence + 1, view: nil, key: nil, detail: "the log ends at sequence \(lastSequence), before the end of the checked range \(last)"))
        } else if last == nil, lastSequence != head.sequence || lastHash != head.hash {
            report.record(.init(kind: .headMismatch, sequence: lastSequence, view: nil, key: nil, detail: "the metadata records head \(head), the log ends at sequence \(lastSequence) with hash \(lastHash.hexString.prefix(16))…"))
        }
        progress?(report.eventsChecked, head.sequence)
        return decodable
    }

    /// Rebuilds the views from the log of `txn` into a scratch directory and compares them with
    /// the live views of the same snapshot.
    private func compareViews(with txn: borrowing Transaction, head: LogHead, into report: inout VerificationReport) throws {
        let db = self.db
        var differences: [ViewDifference] = []
        var total = 0
        try Self.withScratchEnvironment { scratch, scratchDB in
            try scratch.write { target in
                _ = try Self.project(from: txn, events: db.events, upTo: head.sequence, with: Projector(db: scratchDB), into: target, progress: nil)
            }
            try scratch.read { rebuilt in
                for (index, (live, fresh)) in zip(db.projections, scratchDB.projections).enumerated() {
                    report.viewsCompared += 1
                    try Self.compare(live: live, txn, rebuilt: fresh, rebuilt, viewIndex: index) { difference in
                        total += 1
                        if differences.count < VerificationReport.problemLimit { differences.append(difference) }
                    }
                }
            }
        }
        guard !differences.isEmpty else { return }
        // Name the event behind each reported key: replay once more, watching those keys.
        let writers = try Self.lastWriters(of: Set(differences.map(\.watched)), events: db.events, head: head, txn)
        for difference in differences {
            let view = LedgerDatabases.projectionNames[difference.watched.view]
            report.record(.init(kind: difference.kind, sequence: writers[difference.watched], view: view,
                                key: Self.printable(difference.watched.key), detail: difference.detail))
        }
        report.problemCount += total - differences.count
    }

    /// A key of a view, as the projector's observer names it.
    struct WatchedKey: Hashable, Sendable {
        var view: Int
        var key: [UInt8]
    }

    struct ViewDifference {
        var kind: VerificationReport.Problem.Kind
        var watched: WatchedKey
        var detail: String
    }

    /// Walks two databases in key order and reports every difference.
    static func compare(live: Database, _ liveTxn: borrowing Transaction, rebuilt: Database, _ rebuiltTxn: borrowing Transaction,
                        viewIndex: Int, _ report: (ViewDifference) -> Void) throws {
        func watched(_ entry: CursorEntry) -> WatchedKey { WatchedKey(view: viewIndex, key: Array(entry.key)) }
        try liveTxn.withCursor(live) { liveCursor in
            try rebuiltTxn.withCursor(rebuilt) { freshCursor in
                var a = try liveCursor.first()
                var b = try freshCursor.first()
                while a != nil || b != nil {
                    let order: Int
                    if let a, let b {
                        order = a.key.compareInKeyOrder(b.key)
                    } else {
                        order = a == nil ? 1 : -1
                    }
                    if order == 0 {
                        if !a!.value.elementsEqual(b!.value) {
                            report(ViewDifference(kind: .valueDiffers, watched: WatchedKey(view: viewIndex, key: Array(a!.key)),
                                                  detail: "the live value (\(a!.value.count) bytes) differs from the rebuilt one (\(b!.value.count) bytes)"))
                        }
                        a = try liveCursor.next()
                        b = try freshCursor.next()
                    } else if order < 0 {
                        report(ViewDifference(kind: .unexpectedInView, watched: watched(a!),
                                              detail: "the live view holds a key that no event produces"))
                        a = try liveCursor.next()
                    } else {
                        report(ViewDifference(kind: .missingInView, watched: watched(b!),
                                              detail: "the log produces this key but the live view lacks it"))
                        b = try freshCursor.next()
                    }
                }
            }
        }
    }

    /// Replays the log into a scratch directory and returns, for each watched key, the sequence
    /// of the last event that wrote or removed it.
    static func lastWriters(of watched: Set<WatchedKey>, events: Database, head: LogHead, _ txn: borrowing Transaction) throws -> [WatchedKey: UInt64] {
        let found = Mutex<[WatchedKey: UInt64]>([:])
        let names = LedgerDatabases.projectionNames
        try withScratchEnvironment { scratch, scratchDB in
            let projector = Projector(db: scratchDB) { database, key, sequence in
                guard let view = names.firstIndex(of: database.name) else { return }
                let candidate = WatchedKey(view: view, key: key)
                if watched.contains(candidate) { found.withLock { $0[candidate] = sequence } }
            }
            try scratch.write { target in
                _ = try project(from: txn, events: events, upTo: head.sequence, with: projector, into: target, progress: nil)
            }
        }
        return found.withLock { $0 }
    }

    /// Runs `body` with a disposable environment (no fsync) holding empty views; removes it after.
    static func withScratchEnvironment<R>(_ body: (Environment, LedgerDatabases) throws -> R) throws -> R {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-scratch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Environment.Configuration()
        configuration.durable = false
        let environment = try Environment(path: directory, configuration: configuration)
        return try body(environment, try LedgerDatabases.open(in: environment, create: true))
    }

    /// A key as text when it is printable (0 separators shown as '/'), else as hex.
    static func printable(_ key: [UInt8]) -> String {
        let text = key.map { $0 == 0 ? UInt8(ascii: "/") : $0 }
        if text.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: text, as: UTF8.self) }
        return "0x" + key.hexString
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
