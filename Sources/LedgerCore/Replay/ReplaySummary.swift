/// What a rebuild of the views did.
public struct ReplaySummary: Sendable, Hashable {
    /// Events applied.
    public var events: UInt64
    /// Wall-clock seconds taken.
    public var seconds: Double

    /// Events per second.
    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
}

/// A point in the ledger's past.
public enum PointInTime: Sendable, Hashable {
    /// Up to and including this sequence number.
    case sequence(UInt64)
    /// Up to and including the last event at or before this time (microseconds since 1970, UTC).
    case time(microseconds: Int64)
}

/// Reports progress of long scans: events done, events in all.
public typealias ProgressHandler = @Sendable (_ done: UInt64, _ total: UInt64) -> Void
