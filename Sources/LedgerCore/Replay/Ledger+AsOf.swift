import LedgerLMDB
import Foundation

extension Ledger {
    /// The last sequence number at or before `point` (0 when the log starts after it).
    public func sequence(at point: PointInTime) throws -> UInt64 {
        let db = self.db
        return try read { txn in
            let head = try log.head(txn)
            switch point {
            case .sequence(let sequence):
                return min(sequence, head.sequence)
            case .time(let time):
                // Times never decrease along the log: binary search.
                var low: UInt64 = 0, high = head.sequence
                while low < high {
                    let mid = low + (high - low + 1) / 2
                    let midTime = try txn.withValue(db.events, key: Keys.sequence(mid)) { (stored) throws(LedgerError) -> Int64 in
                        guard let stored else { throw LedgerError(.corruptedData, "event \(mid) is missing from the log: run verify") }
                        return try EventCodec.timestamp(ofBody: try EventCodec.split(stored).body)
                    }
                    if midTime <= time { low = mid } else { high = mid - 1 }
                }
                return low
            }
        }
    }

    /// Writes a new ledger into `directory` (which must not hold one) with the log up to `point`
    /// and its views: point-in-time recovery. The copy verifies like any ledger.
    ///
    /// - Returns: The head of the new ledger.
    @discardableResult
    public func copyLog(upTo point: PointInTime, into directory: String) throws -> LogHead {
        let last = try sequence(at: point)
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory + "/data.mdb") {
            throw LedgerError(.invalidParameterValue, "'\(directory)' already holds a ledger; choose an empty or new directory")
        }
        do {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LedgerError(.storage, "cannot create '\(directory)': \(error.localizedDescription)")
        }
        let db = self.db
        do {
            let target = try Environment(path: directory, configuration: .init())
            let targetDB = try LedgerDatabases.open(in: target, create: true)
            let targetLog = EventLog(db: targetDB, projector: Projector(db: targetDB))
            return try read { source in
                try target.write { txn in
                    var head = LogHead.empty
                    try source.withCursor(db.events) { cursor in
                        var entry = try cursor.first()
                        while let current = entry, try Keys.decodeBE64(current.key) <= last {
                            try txn.put(targetDB.events, key: current.key, value: current.value, options: .append)
                            let (body, hash) = try EventCodec.split(current.value)
                            head = LogHead(sequence: try Keys.decodeBE64(current.key), timestamp: try EventCodec.timestamp(ofBody: body), hash: Array(hash))
                            entry = try cursor.next()
                        }
                    }
                    _ = try Self.project(from: txn, events: targetDB.events, upTo: last, with: targetLog.projector, into: txn, pipelined: false, progress: nil)
                    try targetLog.setMetaUInt32(EventLog.MetaKey.format, EventLog.formatVersion, txn)
                    try targetLog.setMetaUInt32(EventLog.MetaKey.projectionVersion, Projector.version, txn)
                    try targetLog.setHead(head, txn)
                    return head
                }
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw CommitQueue.ledgerError(error)
        }
    }

    /// The ledger as it was at `point`, opened read-only from a temporary copy that is removed
    /// when the returned ledger is released.
    public func state(asOf point: PointInTime) async throws -> Ledger {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-asof-\(UUID().uuidString)").path
        do {
            try copyLog(upTo: point, into: directory)
            var configuration = Configuration(directory: directory)
            configuration.readOnly = true
            configuration.defaultArtifactRoot = defaultArtifactRoot
            let snapshot = try await Ledger(configuration: configuration)
            snapshot.removesDirectoryOnRelease()
            return snapshot
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }
}
