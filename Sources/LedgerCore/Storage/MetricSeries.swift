/// How a metric's history is stored: one record per run and metric in `run_metrics` holds the
/// latest value and the newest points (the tail); older points move, ``tailLimit`` bytes at a
/// time, into sealed chunks of `metric_chunks` that are written once and never change.
///
/// Logging a point rewrites a single record, so a commit of metric events dirties one page per
/// run rather than one per view (and none of a duplicate-sorted sub-tree), and a point takes
/// about 11 bytes: its value, then its timestamp and step as zig-zag varint deltas from the
/// previous point of the same chunk (the first point of a chunk is stored against zero).
///
/// Record: value ‖ timestamp ‖ step of the latest metric (8 bytes each, big-endian) ‖ varint
/// count of sealed chunks ‖ tail points. Chunk key: run id ‖ 0 ‖ metric key ‖ 0 ‖ BE32 index.
enum MetricSeries {
    /// Tail bytes kept in the record; a point that would pass this seals the tail into a chunk.
    static let tailLimit = 480

    private static let latestSize = 24

    /// The record after logging `metric`, and the chunk to write when the tail was sealed.
    static func appending(_ metric: Metric, to record: UnsafeRawBufferPointer?) throws(LedgerError)
        -> (record: [UInt8], sealed: (index: UInt32, points: [UInt8])?) {
        guard let record else {
            var w = BinaryWriter(capacity: latestSize + 24)
            writeLatest(metric, &w)
            w.writeVarint(0)
            writePoint(metric, after: nil, &w)
            return (w.bytes, nil)
        }
        let current = try latest(key: metric.key, record: record)
        var reader = BinaryReader(record, offset: latestSize)
        let sealedCount = try reader.readVarint()
        guard sealedCount < UInt64(UInt32.max) else { throw LedgerError(.corruptedData, "metric '\(metric.key)' has \(sealedCount) sealed chunks") }
        let tailStart = reader.offset
        var previous: (timestamp: Int64, step: Int64)?
        while !reader.isAtEnd { previous = try readPoint(&reader, after: previous).position }

        var point = BinaryWriter(capacity: 24)
        writePoint(metric, after: previous, &point)
        var w = BinaryWriter(capacity: min(record.count, latestSize + 10 + tailLimit) + 24)
        writeLatest(metric.supersedes(current) ? metric : current, &w)
        if record.count - tailStart + point.bytes.count <= tailLimit {
            w.writeVarint(sealedCount)
            w.writeRaw(UnsafeRawBufferPointer(rebasing: record[tailStart...]))
            w.writeRaw(point.bytes)
            return (w.bytes, nil)
        }
        w.writeVarint(sealedCount + 1)
        writePoint(metric, after: nil, &w)
        return (w.bytes, (UInt32(sealedCount), Array(record[tailStart...])))
    }

    /// The latest metric of a record.
    static func latest(key: String, record: UnsafeRawBufferPointer) throws(LedgerError) -> Metric {
        var r = BinaryReader(record)
        return Metric(key: key, value: try r.readDouble(), timestamp: try r.readInt64(), step: try r.readInt64())
    }

    /// Appends the points of a sealed chunk, or of a record's tail, to `history`.
    static func readPoints(key: String, chunk: UnsafeRawBufferPointer, into history: inout [Metric]) throws(LedgerError) {
        var reader = BinaryReader(chunk)
        var previous: (timestamp: Int64, step: Int64)?
        while !reader.isAtEnd {
            let point = try readPoint(&reader, after: previous)
            history.append(Metric(key: key, value: point.value, timestamp: point.position.timestamp, step: point.position.step))
            previous = point.position
        }
    }

    static func readTail(key: String, record: UnsafeRawBufferPointer, into history: inout [Metric]) throws(LedgerError) {
        var reader = BinaryReader(record, offset: latestSize)
        _ = try reader.readVarint()
        try readPoints(key: key, chunk: UnsafeRawBufferPointer(rebasing: record[reader.offset...]), into: &history)
    }

    private static func writeLatest(_ metric: Metric, _ w: inout BinaryWriter) {
        w.write(metric.value); w.write(metric.timestamp); w.write(metric.step)
    }

    private static func writePoint(_ metric: Metric, after previous: (timestamp: Int64, step: Int64)?, _ w: inout BinaryWriter) {
        w.write(metric.value)
        w.writeSignedVarint(metric.timestamp &- (previous?.timestamp ?? 0))
        w.writeSignedVarint(metric.step &- (previous?.step ?? 0))
    }

    private static func readPoint(_ r: inout BinaryReader, after previous: (timestamp: Int64, step: Int64)?) throws(LedgerError)
        -> (value: Double, position: (timestamp: Int64, step: Int64)) {
        let value = try r.readDouble()
        let timestamp = (previous?.timestamp ?? 0) &+ (try r.readSignedVarint())
        let step = (previous?.step ?? 0) &+ (try r.readSignedVarint())
        return (value, (timestamp, step))
    }
}
