import Testing
@testable import LedgerCore

/// The stored form of a metric's history: a record with the latest value and a tail of points,
/// and sealed chunks of older points.
@Suite struct MetricSeriesTests {
    /// Logs `metrics` into one series the way the projector does, returning the record and the
    /// sealed chunks in index order.
    static func store(_ metrics: [Metric]) throws -> (record: [UInt8], chunks: [[UInt8]]) {
        var record: [UInt8]?
        var chunks: [[UInt8]] = []
        for metric in metrics {
            let next = try record.withUnsafeBytesIfPresent { try MetricSeries.appending(metric, to: $0) }
            if let sealed = next.sealed {
                #expect(sealed.index == UInt32(chunks.count))
                chunks.append(sealed.points)
            }
            record = next.record
        }
        return (record!, chunks)
    }

    static func history(key: String, _ stored: (record: [UInt8], chunks: [[UInt8]])) throws -> [Metric] {
        var history: [Metric] = []
        for chunk in stored.chunks { try chunk.withUnsafeBytes { try MetricSeries.readPoints(key: key, chunk: $0, into: &history) } }
        try stored.record.withUnsafeBytes { try MetricSeries.readTail(key: key, record: $0, into: &history) }
        return history
    }

    @Test func everyPointComesBackInLoggingOrderAcrossChunks() throws {
        var random = SystemRandomNumberGenerator()
        let metrics = (0..<2_000).map { i in
            Metric(key: "loss", value: Double.random(in: -1e9...1e9, using: &random),
                   timestamp: 1_700_000_000_000 + Int64.random(in: -5_000...5_000, using: &random),
                   step: Int64(i) - Int64.random(in: 0...3, using: &random))
        }
        let stored = try Self.store(metrics)
        #expect(stored.chunks.count > 10)
        #expect(stored.chunks.allSatisfy { $0.count <= MetricSeries.tailLimit })
        #expect(stored.record.count <= 24 + 5 + MetricSeries.tailLimit)
        #expect(try Self.history(key: "loss", stored) == metrics)
        let latest = metrics.dropFirst().reduce(metrics[0]) { $1.supersedes($0) ? $1 : $0 }
        #expect(try stored.record.withUnsafeBytes { try MetricSeries.latest(key: "loss", record: $0) } == latest)
    }

    /// Deltas wrap around: the extremes of timestamps and steps, and special values, survive.
    @Test func extremeTimestampsStepsAndValuesRoundTrip() throws {
        let metrics = [
            Metric(key: "m", value: 0, timestamp: .max, step: .min),
            Metric(key: "m", value: -0.0, timestamp: .min, step: .max),
            Metric(key: "m", value: .infinity, timestamp: 0, step: 0),
            Metric(key: "m", value: -.infinity, timestamp: -1, step: 1),
            Metric(key: "m", value: .greatestFiniteMagnitude, timestamp: .max, step: .max),
        ]
        let stored = try Self.store(Array(repeating: metrics, count: 40).flatMap { $0 })
        #expect(stored.chunks.isEmpty == false)
        let history = try Self.history(key: "m", stored)
        #expect(history.count == 200)
        #expect(history.map(\.value.bitPattern) == Array(repeating: metrics.map(\.value.bitPattern), count: 40).flatMap { $0 })
        #expect(history.map(\.timestamp) == Array(repeating: metrics.map(\.timestamp), count: 40).flatMap { $0 })
        #expect(history.map(\.step) == Array(repeating: metrics.map(\.step), count: 40).flatMap { $0 })
    }

    /// A NaN value is stored bit for bit.
    @Test func notANumberKeepsItsBits() throws {
        let nan = Double(nan: 0x1234, signaling: false)
        let stored = try Self.store([Metric(key: "m", value: nan, timestamp: 1, step: 1)])
        #expect(try Self.history(key: "m", stored).map(\.value.bitPattern) == [nan.bitPattern])
    }

    /// The algorithm before records were rewritten in place, kept as the reference: decode the
    /// tail, write a new record.
    static func referenceAppending(_ metric: Metric, to record: [UInt8]?) throws -> (record: [UInt8], sealed: (index: UInt32, points: [UInt8])?) {
        func writePoint(_ w: inout BinaryWriter, after previous: (timestamp: Int64, step: Int64)?) {
            w.write(metric.value)
            w.writeSignedVarint(metric.timestamp &- (previous?.timestamp ?? 0))
            w.writeSignedVarint(metric.step &- (previous?.step ?? 0))
        }
        func writeLatest(_ latest: Metric, _ w: inout BinaryWriter) { w.write(latest.value); w.write(latest.timestamp); w.write(latest.step) }
        guard let record else {
            var w = BinaryWriter()
            writeLatest(metric, &w)
            w.writeVarint(0)
            writePoint(&w, after: nil)
            return (w.bytes, nil)
        }
        return try record.withUnsafeBytes { record in
            let current = try MetricSeries.latest(key: metric.key, record: record)
            var reader = BinaryReader(record, offset: 24)
            let sealedCount = try reader.readVarint()
            let tailStart = reader.offset
            var previous: (timestamp: Int64, step: Int64)?
            while !reader.isAtEnd {
                _ = try reader.readDouble()
                previous = ((previous?.timestamp ?? 0) &+ (try reader.readSignedVarint()), (previous?.step ?? 0) &+ (try reader.readSignedVarint()))
            }
            var point = BinaryWriter()
            writePoint(&point, after: previous)
            var w = BinaryWriter()
            writeLatest(metric.supersedes(current) ? metric : current, &w)
            if record.count - tailStart + point.bytes.count <= MetricSeries.tailLimit {
                w.writeVarint(sealedCount)
                w.writeRaw(UnsafeRawBufferPointer(rebasing: record[tailStart...]))
                w.writeRaw(point.bytes)
                return (w.bytes, nil)
            }
            w.writeVarint(sealedCount + 1)
            writePoint(&w, after: nil)
            return (w.bytes, (UInt32(sealedCount), Array(record[tailStart...])))
        }
    }

    /// In place (as a rebuild logs points, in one buffer with room) and through ``appending``
    /// (as the live path does), every record and sealed chunk is byte for byte the reference's:
    /// across seals, with steps and times going back, and the latest metric kept or replaced.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func inPlaceAppendWritesTheReferenceBytes(_ seed: UInt64) throws {
        var random = RandomizedConsistencyTests.SplitMix64(seed: seed)
        var reference: [UInt8]?
        var appended: [UInt8]?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1_024, alignment: 8)
        defer { buffer.deallocate() }
        var length: Int?
        var seals = 0
        for i in 0..<3_000 {
            let big = random.below(8) == 0
            let metric = Metric(key: "loss", value: Double(bitPattern: random.next()),
                                timestamp: big ? Int64(bitPattern: random.next()) : 1_700_000_000_000 + Int64(random.below(2_000)) - 1_000,
                                step: big ? Int64(bitPattern: random.next()) : Int64(i / 3) - Int64(random.below(4)))
            let expected = try Self.referenceAppending(metric, to: reference)
            let viaCopy = try appended.withUnsafeBytesIfPresent { try MetricSeries.appending(metric, to: $0) }
            let inPlace = try MetricSeries.append(metric, toRecordIn: buffer, length: length)
            #expect(viaCopy.record == expected.record)
            #expect(Array(buffer[..<inPlace.length]) == expected.record)
            #expect(viaCopy.sealed?.index == expected.sealed?.index && viaCopy.sealed?.points == expected.sealed?.points)
            #expect(inPlace.sealed?.index == expected.sealed?.index && inPlace.sealed?.points == expected.sealed?.points)
            if expected.sealed != nil { seals += 1 }
            reference = expected.record
            appended = viaCopy.record
            length = inPlace.length
        }
        #expect(seals > 20)
    }

    /// A malformed record is refused in place as it is by ``appending``, and the buffer is left
    /// as it was.
    @Test func inPlaceAppendRefusesAMalformedRecordWithoutWriting() throws {
        let stored = try Self.store((0..<10).map { Metric(key: "m", value: Double($0), timestamp: 1_700_000_000_000, step: Int64($0)) })
        let metric = Metric(key: "m", value: 99, timestamp: 1_700_000_000_001, step: 99)
        for length in [0, 10, 23, 24, stored.record.count - 1] {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length + MetricSeries.maximumGrowth, alignment: 8)
            defer { buffer.deallocate() }
            buffer.initializeMemory(as: UInt8.self, repeating: 0xEE)
            stored.record.prefix(length).withUnsafeBytes { buffer.copyMemory(from: $0) }
            let before = Array(buffer)
            #expect(throws: LedgerError.self) { _ = try MetricSeries.append(metric, toRecordIn: buffer, length: length) }
            #expect(Array(buffer) == before)
            #expect(throws: LedgerError.self) { _ = try Array(stored.record.prefix(length)).withUnsafeBytes { try MetricSeries.appending(metric, to: $0) } }
        }
    }

    @Test func aTruncatedRecordIsCorruptedDataNotACrash() throws {
        let stored = try Self.store((0..<10).map { Metric(key: "m", value: Double($0), timestamp: 1_700_000_000_000, step: Int64($0)) })
        for length in [0, 10, 23, 24, stored.record.count - 1] {
            let cut = Array(stored.record.prefix(length))
            #expect(throws: LedgerError.self) {
                var history: [Metric] = []
                try cut.withUnsafeBytes { try MetricSeries.readTail(key: "m", record: $0, into: &history) }
                if length < 24 { _ = try cut.withUnsafeBytes { try MetricSeries.latest(key: "m", record: $0) } }
            }
        }
    }
}

extension Optional where Wrapped == [UInt8] {
    func withUnsafeBytesIfPresent<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard let self else { return try body(nil) }
        return try self.withUnsafeBytes { try body($0) }
    }
}
