import LedgerLMDB
import Foundation
import Synchronization
import Crypto

extension Ledger {
    /// Rebuilds every view from the log, in one write transaction: readers see the old views until
    /// the new ones are complete, and a crash leaves the old ones intact.
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
            for view in db.projections { try txn.removeAll(view) }
            let head = try log.head(txn)
            let count = try Self.project(from: txn, events: db.events, upTo: head.sequence, with: log.projector, into: txn, progress: progress)
            try log.setMetaUInt32(EventLog.MetaKey.projectionVersion, Projector.version, txn)
            return count
        }
        return ReplaySummary(events: events, seconds: Self.seconds(since: start))
    }

    /// Applies the stored events 1...`last` of `source` to the views of `projector`, inside `target`.
    static func project(from source: borrowing Transaction, events: Database, upTo last: UInt64, with projector: Projector,
                        into target: borrowing Transaction, progress: ProgressHandler?) throws -> UInt64 {
        var applied: UInt64 = 0
        try source.withCursor(events) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                let sequence = try Keys.decodeBE64(current.key)
                if sequence > last { break }
                let event = try EventCodec.decode(stored: current.value)
                try projector.apply(.init(sequence: event.sequence, timestamp: event.timestamp, actor: event.actor, workspace: event.workspace, payload: event.payload), target)
                applied += 1
                if let progress, applied % 50_000 == 0 { progress(applied, last) }
                entry = try cursor.next()
            }
        }
        progress?(applied, last)
        return applied
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
    /// - Parameters:
    ///   - first: The first sequence to check; the chain continues from the hash stored with the
    ///     event before it.
    ///   - last: The last sequence to check; `nil` checks to the end and compares with the head.
    static func checkChain(_ txn: borrowing Transaction, events: Database, head: LogHead, decodeEvents: Bool = true,
                           from first: UInt64 = 1, through last: UInt64? = nil,
                           into report: inout VerificationReport, progress: ProgressHandler?) throws -> Bool {
        var decodable = true
        var expected: UInt64 = max(first, 1)
        var previousHash = EventCodec.genesisHash
        var previousTime = Int64.min
        if expected > 1 {
            try txn.withValue(events, key: Keys.sequence(expected - 1)) { (stored) throws(LedgerError) in
                guard let stored else {
                    report.record(.init(kind: .missingEvent, sequence: expected - 1, view: nil, key: nil, detail: "no event stored under sequence \(expected - 1), where the checked range's chain starts"))
                    decodable = false
                    return
                }
                let (body, hash) = try EventCodec.split(stored)
                previousHash = Array(hash)
                previousTime = try EventCodec.timestamp(ofBody: body)
            }
        }
        var lastSequence: UInt64 = expected - 1
        try txn.withCursor(events) { cursor in
            var entry = expected > 1 ? try cursor.seek(atOrAfter: Keys.sequence(expected)) : try cursor.first()
            while let current = entry {
                if let last, current.key.count == 8, try Keys.decodeBE64(current.key) > last { break }
                defer { report.eventsChecked += 1 }
                guard current.key.count == 8 else {
                    report.record(.init(kind: .undecodable, sequence: nil, view: nil, key: Array(current.key).hexString, detail: "a log key must be 8 bytes, this one has \(current.key.count)"))
                    decodable = false
                    entry = try cursor.next()
                    continue
                }
                let key = try Keys.decodeBE64(current.key)
                if key != expected {
                    let missing = key > expected ? (key - expected == 1 ? "\(expected)" : "\(expected)...\(key - 1)") : "?"
                    report.record(.init(kind: .missingEvent, sequence: expected, view: nil, key: nil, detail: "no event stored under sequence \(missing); the next stored event is \(key)"))
                    decodable = false
                }
                do {
                    let (body, storedHash) = try EventCodec.split(current.value)
                    var hasher = SHA256()
                    hasher.update(data: previousHash)
                    hasher.update(bufferPointer: body)
                    let digest = hasher.finalize()
                    if !digest.elementsEqual(storedHash) {
                        report.record(.init(kind: .hashMismatch, sequence: key, view: nil, key: nil, detail: "SHA-256 of the previous hash and the stored bytes is \(Array(digest).hexString.prefix(16))…, the stored hash is \(Array(storedHash).hexString.prefix(16))…: the event was changed, or events were reordered"))
                    }
                    let inner = try EventCodec.sequence(ofBody: body)
                    if inner != key {
                        report.record(.init(kind: .sequenceMismatch, sequence: key, view: nil, key: nil, detail: "the event stored under sequence \(key) is event \(inner): events were reordered"))
                        decodable = false
                    }
                    let time = try EventCodec.timestamp(ofBody: body)
                    if time < previousTime {
                        report.record(.init(kind: .timeWentBackwards, sequence: key, view: nil, key: nil, detail: "its time \(time) µs is before the previous event's \(previousTime) µs"))
                    }
                    previousTime = time
                    // Continue from the stored hash, so one damaged event is reported once.
                    previousHash.withUnsafeMutableBytes { $0.copyMemory(from: storedHash) }
                    if decodeEvents { _ = try EventCodec.decode(stored: current.value) }
                } catch let error as LedgerError {
                    report.record(.init(kind: .undecodable, sequence: key, view: nil, key: nil, detail: error.message))
                    decodable = false
                }
                lastSequence = key
                expected = key + 1
                if let progress, report.eventsChecked % 100_000 == 0 { progress(report.eventsChecked, head.sequence) }
                entry = try cursor.next()
            }
        }
        let lastHash = previousHash
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
            report.record(.init(kind: difference.kind, sequence: writers[difference.watched], view: LedgerDatabases.projectionNames[difference.watched.view],
                                key: Self.printable(difference.watched.key), detail: difference.detail))
        }
        report.problemCount += total - differences.count
    }

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
        try liveTxn.withCursor(live) { liveCursor in
            try rebuiltTxn.withCursor(rebuilt) { freshCursor in
                var a = try liveCursor.first()
                var b = try freshCursor.first()
                while a != nil || b != nil {
                    let order: Int
                    if let a, let b { order = compareBytes(a.key, b.key) } else { order = a == nil ? 1 : -1 }
                    if order == 0 {
                        if !a!.value.elementsEqual(b!.value) {
                            report(ViewDifference(kind: .valueDiffers, watched: WatchedKey(view: viewIndex, key: Array(a!.key)),
                                                  detail: "the live value (\(a!.value.count) bytes) differs from the rebuilt one (\(b!.value.count) bytes)"))
                        }
                        a = try liveCursor.next()
                        b = try freshCursor.next()
                    } else if order < 0 {
                        report(ViewDifference(kind: .unexpectedInView, watched: WatchedKey(view: viewIndex, key: Array(a!.key)),
                                              detail: "the live view holds a key that no event produces"))
                        a = try liveCursor.next()
                    } else {
                        report(ViewDifference(kind: .missingInView, watched: WatchedKey(view: viewIndex, key: Array(b!.key)),
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

    static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
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
