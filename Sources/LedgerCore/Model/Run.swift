/// The identity and status of a run. Its parameters, tags and metrics live beside it.
public struct RunInfo: Sendable, Hashable, Codable {
    public var runID: String
    public var experimentID: Int64
    public var runName: String
    public var userID: String
    public var status: RunStatus
    /// Milliseconds since 1970 (UTC), as the client sent them.
    public var startTime: Int64
    public var endTime: Int64?
    public var artifactURI: String
    public var lifecycleStage: LifecycleStage

    public init(runID: String, experimentID: Int64, runName: String, userID: String, status: RunStatus, startTime: Int64, endTime: Int64?, artifactURI: String, lifecycleStage: LifecycleStage) {
        self.runID = runID
        self.experimentID = experimentID
        self.runName = runName
        self.userID = userID
        self.status = status
        self.startTime = startTime
        self.endTime = endTime
        self.artifactURI = artifactURI
        self.lifecycleStage = lifecycleStage
    }
}

/// A run with its data: parameters, tags and the latest value of each metric.
public struct Run: Sendable, Hashable, Codable {
    public var info: RunInfo
    /// Parameters in key order.
    public var params: [Tag]
    /// Tags in key order.
    public var tags: [Tag]
    /// The latest value of each metric (highest step, then latest timestamp), in key order.
    public var metrics: [Metric]

    public init(info: RunInfo, params: [Tag], tags: [Tag], metrics: [Metric]) {
        self.info = info
        self.params = params
        self.tags = tags
        self.metrics = metrics
    }
}

/// The status of a run, as MLflow names it.
public enum RunStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    var byte: UInt8 {
        switch self {
        case .running: 1
        case .scheduled: 2
        case .finished: 3
        case .failed: 4
        case .killed: 5
        }
    }

    init(byte: UInt8) throws(LedgerError) {
        switch byte {
        case 1: self = .running
        case 2: self = .scheduled
        case 3: self = .finished
        case 4: self = .failed
        case 5: self = .killed
        default: throw LedgerError(.corruptedData, "invalid run status byte \(byte)")
        }
    }
}

/// One metric value at a step and a time.
public struct Metric: Sendable, Hashable, Codable {
    public var key: String
    public var value: Double
    /// Milliseconds since 1970 (UTC), as the client sent it.
    public var timestamp: Int64
    public var step: Int64

    public init(key: String, value: Double, timestamp: Int64, step: Int64) {
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.step = step
    }

    /// Whether `self` replaces `other` as the latest value: the higher step wins, then the later
    /// timestamp, then the larger value (MLflow's rule).
    func supersedes(_ other: Metric) -> Bool {
        if step != other.step { return step > other.step }
        if timestamp != other.timestamp { return timestamp > other.timestamp }
        return !(value < other.value) // NaN and equal values count as newer
    }
}
