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

    /// Bytes a point takes at most: its value and two zig-zag varints of up to 10 bytes.
    private static let maximumPointSize = 28

    /// Room a record needs after its bytes for ``append(_:toRecordIn:length:)``: a new record's
    /// latest metric, count of sealed chunks and point, which is more than a point adds.
    static let maximumGrowth = latestSize + 1 + maximumPointSize

    /// The record after logging `metric`, and the chunk to write when the tail was sealed.
    static func appending(_ metric: Metric, to record: UnsafeRawBufferPointer?) throws(LedgerError)
        -> (record: [UInt8], sealed: (index: UInt32, points: [UInt8])?) {
        var failure: LedgerError?
        var sealed: (index: UInt32, points: [UInt8])?
        let bytes = [UInt8](unsafeUninitializedCapacity: (record?.count ?? 0) + maximumGrowth) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            if let record, !record.isEmpty { raw.copyMemory(from: record) }
            do throws(LedgerError) {
                let next = try append(metric, toRecordIn: raw, length: record?.count)
                sealed = next.sealed
                initialized = next.length
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return (bytes, sealed)
    }

    /// Logs `metric` into the record held in the first `length` bytes of `buffer` (`nil`: the
    /// series has none yet), in place: the same bytes as ``appending(_:to:)`` without copying the
    /// record, as a rebuild does. `buffer` must have ``maximumGrowth`` bytes of room after the
    /// record. A malformed record throws before anything is written.
    ///
    /// - Returns: The record's new length, and the chunk to write when the tail was sealed.
    static func append(_ metric: Metric, toRecordIn buffer: UnsafeMutableRawBufferPointer, length: Int?) throws(LedgerError)
        -> (length: Int, sealed: (index: UInt32, points: [UInt8])?) {
        precondition(buffer.count >= (length ?? 0) + maximumGrowth, "a metric record needs room for one more point")
        guard let length else {
            var end = writeLatest(metric, at: 0, buffer)
            end = writeVarint(0, at: end, buffer)
            return (writePoint(metric, after: nil, at: end, buffer), nil)
        }
        let record = UnsafeRawBufferPointer(rebasing: buffer[..<length])
        let current = try latest(key: metric.key, record: record)
        var reader = BinaryReader(record, offset: latestSize)
        let sealedCount = try reader.readVarint()
        guard sealedCount < UInt64(UInt32.max) else { throw LedgerError(.corruptedData, "metric '\(metric.key)' has \(sealedCount) sealed chunks") }
        let tailStart = reader.offset
        let previous = try lastPosition(in: record, from: tailStart)

        // The point goes after the record, in the room; it stays there unless the tail is full.
        let pointEnd = writePoint(metric, after: previous, at: length, buffer)
        let supersedes = metric.supersedes(current)
        if length - tailStart + (pointEnd - length) <= tailLimit {
            if supersedes { _ = writeLatest(metric, at: 0, buffer) }
            return (pointEnd, nil)
        }
        let sealed = Array(record[tailStart...])
        var end = writeLatest(supersedes ? metric : current, at: 0, buffer)
        end = writeVarint(sealedCount + 1, at: end, buffer)
        return (writePoint(metric, after: nil, at: end, buffer), (UInt32(sealedCount), sealed))
    }

    /// The timestamp and step of the last point in `record[start...]`, `nil` when there is none:
    /// the previous point a new one is stored against. A plain loop over the bytes, since it
    /// runs over the whole tail at every point logged.
    private static func lastPosition(in record: UnsafeRawBufferPointer, from start: Int) throws(LedgerError) -> (timestamp: Int64, step: Int64)? {
        var offset = start
        var position: (timestamp: Int64, step: Int64)?
        while offset < record.count {
            guard record.count - offset >= 8 else { throw truncated(record, offset) }
            offset += 8 // the value
            let timestamp = try readSignedVarint(record, &offset)
            let step = try readSignedVarint(record, &offset)
            position = ((position?.timestamp ?? 0) &+ timestamp, (position?.step ?? 0) &+ step)
        }
        return position
    }

    @inline(__always)
    private static func readSignedVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws(LedgerError) -> Int64 {
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw truncated(bytes, offset) }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw LedgerError(.corruptedData, "varint too long at offset \(offset) of a metric record") }
            raw |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    private static func truncated(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> LedgerError {
        LedgerError(.corruptedData, "metric record of \(bytes.count) bytes ends inside the point at offset \(offset)")
    }

    private static func writeLatest(_ metric: Metric, at offset: Int, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        buffer.storeBytes(of: metric.value.bitPattern.bigEndian, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: UInt64(bitPattern: metric.timestamp).bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: UInt64(bitPattern: metric.step).bigEndian, toByteOffset: offset + 16, as: UInt64.self)
        return offset + latestSize
    }

    private static func writePoint(_ metric: Metric, after previous: (timestamp: Int64, step: Int64)?, at offset: Int,
                                   _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        buffer.storeBytes(of: metric.value.bitPattern.bigEndian, toByteOffset: offset, as: UInt64.self)
        var end = writeSignedVarint(metric.timestamp &- (previous?.timestamp ?? 0), at: offset + 8, buffer)
        end = writeSignedVarint(metric.step &- (previous?.step ?? 0), at: end, buffer)
        return end
    }

    @inline(__always)
    private static func writeSignedVarint(_ value: Int64, at offset: Int, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), at: offset, buffer)
    }

    @inline(__always)
    private static func writeVarint(_ value: UInt64, at offset: Int, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        var v = value
        var end = offset
        while v >= 0x80 {
            buffer[end] = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            end += 1
        }
        buffer[end] = UInt8(v)
        return end + 1
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

    private static func readPoint(_ r: inout BinaryReader, after previous: (timestamp: Int64, step: Int64)?) throws(LedgerError)
        -> (value: Double, position: (timestamp: Int64, step: Int64)) {
        let value = try r.readDouble()
        let timestamp = (previous?.timestamp ?? 0) &+ (try r.readSignedVarint())
        let step = (previous?.step ?? 0) &+ (try r.readSignedVarint())
        return (value, (timestamp, step))
    }
}
