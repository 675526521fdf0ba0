/// A string condition of a search filter.
public enum StringMatch: Sendable, Hashable {
    case equals(String)
    case notEquals(String)
    /// SQL LIKE: `%` any run of characters, `_` one character; case-sensitive.
    case like(String)
    /// LIKE, ignoring case.
    case ilike(String)

    public func matches(_ value: String) -> Bool {
        switch self {
        case .equals(let s): value == s
        case .notEquals(let s): value != s
        case .like(let pattern): Self.like(Array(value.unicodeScalars), Array(pattern.unicodeScalars))
        case .ilike(let pattern): Self.like(Array(value.lowercased().unicodeScalars), Array(pattern.lowercased().unicodeScalars))
        }
    }

    /// Iterative wildcard match with backtracking to the last `%`.
    private static func like(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
        var i = 0, j = 0, star = -1, mark = 0
        while i < s.count {
            if j < p.count && (p[j] == "_" || (p[j] != "%" && p[j] == s[i])) {
                i += 1; j += 1
            } else if j < p.count && p[j] == "%" {
                star = j; mark = i; j += 1
            } else if star >= 0 {
                j = star + 1; mark += 1; i = mark
            } else {
                return false
            }
        }
        while j < p.count && p[j] == "%" { j += 1 }
        return j == p.count
    }
}

/// How to search experiments of a workspace.
public struct ExperimentSearch: Sendable, Hashable {
    public enum Field: String, Sendable, Hashable {
        case name
        case experimentID = "experiment_id"
        case creationTime = "creation_time"
        case lastUpdateTime = "last_update_time"
    }

    /// One ordering key.
    public struct Order: Sendable, Hashable {
        public var field: Field
        public var ascending: Bool
        public init(_ field: Field, ascending: Bool) {
            self.field = field
            self.ascending = ascending
        }
    }

    /// A tag condition: the experiment must have tag `key` with a value that matches.
    public struct TagCondition: Sendable, Hashable {
        public var key: String
        public var match: StringMatch
        public init(key: String, match: StringMatch) {
            self.key = key
            self.match = match
        }
    }

    public var viewType: ViewType = .activeOnly
    public var name: StringMatch?
    public var tags: [TagCondition] = []
    /// Ordering keys; empty means MLflow's default, newest first (creation time descending).
    public var orderBy: [Order] = []
    public var maxResults: Int = 1000
    public var pageToken: String?
    /// Whose search it is: pages hold only what it lets the caller read.
    public var visibility: SearchVisibility = .everything

    public init(viewType: ViewType = .activeOnly, name: StringMatch? = nil, tags: [TagCondition] = [], orderBy: [Order] = [],
                maxResults: Int = 1000, pageToken: String? = nil, visibility: SearchVisibility = .everything) {
        self.viewType = viewType
        self.name = name
        self.tags = tags
        self.orderBy = orderBy
        self.maxResults = maxResults
        self.pageToken = pageToken
        self.visibility = visibility
    }

    /// Served straight from the listing index: no filter and the default order.
    var usesIndex: Bool { name == nil && tags.isEmpty && orderBy.isEmpty }

    func matches(_ experiment: Experiment) -> Bool {
        if let name, !name.matches(experiment.name) { return false }
        for condition in tags {
            guard let value = experiment.tags.value(of: condition.key), condition.match.matches(value) else { return false }
        }
        return true
    }

    /// Orders by the keys given, then by id (newest first by default).
    func areInIncreasingOrder(_ a: Experiment, _ b: Experiment) -> Bool {
        for order in orderBy {
            let comparison: Int
            switch order.field {
            case .name: comparison = a.name < b.name ? -1 : (a.name == b.name ? 0 : 1)
            case .experimentID: comparison = a.id < b.id ? -1 : (a.id == b.id ? 0 : 1)
            case .creationTime: comparison = a.creationTime < b.creationTime ? -1 : (a.creationTime == b.creationTime ? 0 : 1)
            case .lastUpdateTime: comparison = a.lastUpdateTime < b.lastUpdateTime ? -1 : (a.lastUpdateTime == b.lastUpdateTime ? 0 : 1)
            }
            if comparison != 0 { return order.ascending ? comparison < 0 : comparison > 0 }
        }
        return orderBy.isEmpty ? a.id > b.id : a.id < b.id
    }
}

/// One workspace's contents, as the as-of summary lists them.
public struct WorkspaceSummary: Sendable, Hashable, Codable {
    public var name: String
    public var experiments: Int
    public var registeredModels: Int
    public var grants: Int
}
