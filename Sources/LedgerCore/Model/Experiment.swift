/// An experiment: a named group of runs inside one workspace. Ids are global and never reused.
public struct Experiment: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var workspace: String
    /// Computed when the experiment is created; never given by the caller.
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var creationTime: Int64
    public var lastUpdateTime: Int64
    /// Tags in key order.
    public var tags: [Tag]

    public init(id: Int64, name: String, workspace: String, artifactLocation: String, lifecycleStage: LifecycleStage, creationTime: Int64, lastUpdateTime: Int64, tags: [Tag]) {
        self.id = id
        self.name = name
        self.workspace = workspace
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.creationTime = creationTime
        self.lastUpdateTime = lastUpdateTime
        self.tags = tags
    }

    /// The id of the experiment `Default` in the workspace `default`.
    public static let defaultExperimentID: Int64 = 0
    public static let defaultExperimentName = "Default"
}

/// Whether an experiment or a run is live or soft-deleted.
public enum LifecycleStage: String, Sendable, Hashable, Codable {
    case active
    case deleted

    var byte: UInt8 { self == .active ? 0 : 1 }
    init(byte: UInt8) throws(LedgerError) {
        switch byte {
        case 0: self = .active
        case 1: self = .deleted
        default: throw LedgerError(.corruptedData, "invalid lifecycle stage byte \(byte)")
        }
    }
}

/// Which experiments or runs a search returns, by lifecycle stage.
public enum ViewType: String, Sendable, CaseIterable, Codable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    func includes(_ stage: LifecycleStage) -> Bool {
        switch self {
        case .activeOnly: stage == .active
        case .deletedOnly: stage == .deleted
        case .all: true
        }
    }
}
