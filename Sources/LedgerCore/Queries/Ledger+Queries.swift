import LedgerLMDB

extension Ledger {
    /// The most items one page may hold.
    public static let maxPageSize = 50_000

    static func checkPageSize(_ maxResults: Int) throws {
        guard (1...maxPageSize).contains(maxResults) else {
            throw LedgerError(.invalidParameterValue, "Invalid value \(maxResults) for parameter 'max_results': it must be between 1 and \(maxPageSize).")
        }
    }

    // MARK: Workspaces

    /// The workspace `name`.
    /// - Throws: `invalidParameterValue` for a malformed name, `resourceDoesNotExist` when absent.
    public func workspace(named name: String) throws -> Workspace {
        try Validation.workspaceName(name)
        return try read { txn in try reader.requireWorkspace(name, txn) }
    }

    /// Workspaces in name order, a page at a time; a page costs the same whatever the total.
    ///
    /// - Parameter maxResults: Page size; `nil` returns all of them.
    public func listWorkspaces(maxResults: Int? = nil, pageToken: String? = nil) throws -> Page<Workspace> {
        if let maxResults { try Self.checkPageSize(maxResults) }
        let token = try PageToken.decode(pageToken, expecting: .workspaces)
        let limit = maxResults ?? Int.max
        let db = self.db
        return try read { txn in
            var items: [Workspace] = []
            var more = false
            let prefix: [UInt8] = [Keys.workspacesPartition]
            // The records are keyed by name as the listing is sorted by it, so a second cursor
            // walks them in step: each record is the next one, not a descent of a large tree.
            try txn.withCursor(db.listing) { cursor in
                try txn.withCursor(db.workspaces) { records in
                    let start = prefix + (token?.position ?? [])
                    var entry = try cursor.seek(atOrAfter: start)
                    // A token names the last entry of the page before, which this one follows.
                    if token != nil, let current = entry, start.withUnsafeBytes({ current.key.equals($0) }) { entry = try cursor.next() }
                    var record: CursorEntry?
                    while let current = entry, current.key.hasPrefix(prefix) {
                        if items.count == limit { more = true; break }
                        let name = UnsafeRawBufferPointer(rebasing: current.key.dropFirst())
                        record = try record == nil ? records.seek(atOrAfter: name) : records.next()
                        if let found = record, !found.key.equals(name) { record = try records.seek(atOrAfter: name) }
                        guard let found = record, found.key.equals(name) else {
                            throw LedgerError(.corruptedData, "the listing index names workspace '\(String(decoding: name, as: UTF8.self))', which the views do not hold: run replay")
                        }
                        items.append(try Workspace(decoding: found.value))
                        entry = try cursor.next()
                    }
                }
            }
            let next = more ? PageToken(listing: .workspaces, position: Array(items.last!.name.utf8)).encoded : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    /// The workspaces `username` may see: all for an admin; for anyone else those where the
    /// effective workspace permission is READ or higher. In name order.
    public func visibleWorkspaces(for username: String, defaultWorkspaceFloor: PermissionLevel? = nil,
                                  maxResults: Int? = nil, pageToken: String? = nil) throws -> Page<Workspace> {
        if let maxResults { try Self.checkPageSize(maxResults) }
        let user = try read { txn in try reader.user(username, txn) }
        if user?.isAdmin == true { return try listWorkspaces(maxResults: maxResults, pageToken: pageToken) }
        let token = try PageToken.decode(pageToken, expecting: .workspaces)
        // An unknown user has NO_PERMISSIONS everywhere (as effectivePermission says): no floor.
        guard user != nil else { return Page(items: [], nextPageToken: nil) }
        let after = token.map { String(decoding: $0.position, as: UTF8.self) }
        return try read { txn in
            var levels: [String: PermissionLevel] = [:]
            for grant in try reader.grants(of: username, txn) {
                if case .workspace(let name) = grant.resource { levels[name] = grant.level }
            }
            if levels[Workspace.defaultName] == nil, let floor = defaultWorkspaceFloor { levels[Workspace.defaultName] = floor }
            var names = levels.filter { $0.value >= .read }.map(\.key).sorted()
            if let after { names = names.filter { $0 > after } }
            let limit = maxResults ?? Int.max
            let page = names.prefix(limit)
            let items = try page.compactMap { try reader.workspace($0, txn) }
            let next = names.count > limit ? PageToken(listing: .workspaces, position: Array(page.last!.utf8)).encoded : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    /// What deleting `workspace` with CASCADE would remove, changing nothing.
    public func deletionPlan(forWorkspace name: String) throws -> WorkspaceDeletionSummary {
        try Validation.workspaceName(name)
        return try read { txn in
            _ = try reader.requireWorkspace(name, txn)
            var summary = WorkspaceDeletionSummary()
            for id in try reader.experimentIDs(in: name, txn) {
                summary.experiments += 1
                summary.runs += try reader.runIDs(ofExperiment: id, txn).count
                summary.grants += try reader.grants(on: .experiment(id), txn).count
            }
            for model in try reader.registeredModels(in: name, txn) {
                summary.registeredModels += 1
                summary.grants += try reader.grants(on: .registeredModel(model.id), txn).count
            }
            summary.grants += try reader.grants(on: .workspace(name), txn).count
            return summary
        }
    }

    /// Every workspace with its experiment, model and grant counts.
    public func workspaceSummaries() throws -> [WorkspaceSummary] {
        try listWorkspaces().items.map { workspace in
            try read { txn in
                let experiments = try reader.experimentIDs(in: workspace.name, txn)
                let models = try reader.registeredModels(in: workspace.name, txn)
                var grants = try reader.grants(on: .workspace(workspace.name), txn).count
                for id in experiments { grants += try reader.grants(on: .experiment(id), txn).count }
                for model in models { grants += try reader.grants(on: .registeredModel(model.id), txn).count }
                return WorkspaceSummary(name: workspace.name, experiments: experiments.count, registeredModels: models.count, grants: grants)
            }
        }
    }

    // MARK: Experiments

    /// The experiment `id`, if it lives in `workspace` (else `resourceDoesNotExist`).
    public func experiment(id: Int64, in workspace: String) throws -> Experiment {
        try read { txn in try reader.requireExperiment(id, in: workspace, txn) }
    }

    /// The experiment named `name` in `workspace` (active or deleted).
    public func experiment(named name: String, in workspace: String) throws -> Experiment {
        try read { txn in try reader.requireExperiment(named: name, in: workspace, txn) }
    }

    /// Searches the experiments of `workspace`.
    ///
    /// Without filters and with the default order, pages come straight from the listing index and
    /// cost the same whatever the number of experiments.
    public func searchExperiments(in workspace: String, _ search: ExperimentSearch = .init()) throws -> Page<Experiment> {
        try Self.checkPageSize(search.maxResults)
        let db = self.db
        if search.usesIndex {
            let token = try PageToken.decode(search.pageToken, expecting: .experiments)
            if let token, token.position.count != 8 {
                throw LedgerError(.invalidParameterValue, "Invalid page_token '\(search.pageToken ?? "")': damaged experiment position.")
            }
            return try read { txn in
                _ = try reader.requireWorkspace(workspace, txn)
                let filter = try reader.readFilter(search.visibility, in: workspace, txn)
                // ALL has no partition of its own: the active and the deleted partitions are
                // walked together, each by its own cursor, newest id first.
                let stages: [LifecycleStage] = switch search.viewType {
                case .activeOnly: [.active]
                case .deletedOnly: [.deleted]
                case .all: [.active, .deleted]
                }
                let prefixes = stages.map { Keys.experimentListingPrefix($0, workspace: workspace) }
                var items: [Experiment] = []
                var more = false
                try txn.withCursor(db.listing) { first in
                    try txn.withCursor(db.listing) { second in
                        var newest = [try Self.newestListed(prefixes[0], before: token?.position, first),
                                      prefixes.count > 1 ? try Self.newestListed(prefixes[1], before: token?.position, second) : nil]
                        while let side = Self.newer(newest[0], newest[1]), let id = newest[side] {
                            if side == 0 {
                                newest[0] = try Self.previousListed(prefixes[0], first)
                            } else {
                                newest[1] = try Self.previousListed(prefixes[1], second)
                            }
                            guard try filter.allows(.experiment(id), reader, txn) else { continue }
                            if items.count == search.maxResults { more = true; break }
                            guard let experiment = try reader.experiment(id, txn) else {
                                throw LedgerError(.corruptedData, "the listing index names experiment \(id), which the views do not hold: run replay")
                            }
                            items.append(experiment)
                        }
                    }
                }
                let next = more ? PageToken(listing: .experiments, position: Keys.id(items.last!.id)).encoded : nil
                return Page(items: items, nextPageToken: next)
            }
        }
        let offset = try PageToken.decode(search.pageToken, expecting: .offset)?.offsetValue() ?? 0
        return try read { txn in
            _ = try reader.requireWorkspace(workspace, txn)
            let filter = try reader.readFilter(search.visibility, in: workspace, txn)
            var matches: [Experiment] = []
            for id in try reader.experimentIDs(in: workspace, txn) {
                guard let experiment = try reader.experiment(id, txn), search.viewType.includes(experiment.lifecycleStage), search.matches(experiment),
                      try filter.allows(.experiment(id), reader, txn) else { continue }
                matches.append(experiment)
            }
            matches.sort(by: search.areInIncreasingOrder)
            return Self.page(matches, offset: offset, limit: search.maxResults)
        }
    }

    /// Places `cursor` on the newest experiment of the listing partition `prefix` whose id
    /// sorts before `position` (all when nil), and returns that id, or nil when there is none.
    private static func newestListed(_ prefix: [UInt8], before position: [UInt8]?, _ cursor: borrowing Cursor) throws -> Int64? {
        var start = prefix
        if let position { start += position } else { start[start.count - 1] = 1 } // the smallest key past the partition
        let after = try cursor.seek(atOrAfter: start)
        return try listedID(after == nil ? cursor.last() : cursor.previous(), prefix)
    }

    /// Moves `cursor` to the next older experiment of the partition `prefix`; nil past its start.
    private static func previousListed(_ prefix: [UInt8], _ cursor: borrowing Cursor) throws -> Int64? {
        try listedID(cursor.previous(), prefix)
    }

    /// Which of two partitions' next ids comes first newest first: 0 or 1, nil when both are
    /// walked out.
    private static func newer(_ a: Int64?, _ b: Int64?) -> Int? {
        switch (a, b) {
        case (nil, nil): nil
        case (.some, nil): 0
        case (nil, .some): 1
        case let (.some(a), .some(b)): a > b ? 0 : 1
        }
    }

    private static func listedID(_ entry: CursorEntry?, _ prefix: [UInt8]) throws -> Int64? {
        guard let entry, entry.key.hasPrefix(prefix) else { return nil }
        return Int64(bitPattern: try Keys.decodeBE64(UnsafeRawBufferPointer(rebasing: entry.key[prefix.count...])))
    }

    static func page<T>(_ all: [T], offset: Int, limit: Int) -> Page<T> {
        guard offset < all.count else { return Page(items: [], nextPageToken: nil) }
        let end = min(all.count, offset + limit)
        return Page(items: Array(all[offset..<end]), nextPageToken: end < all.count ? PageToken.offset(end).encoded : nil)
    }

    // MARK: Runs

    /// The run `id` with its parameters, tags and latest metrics, if its experiment lives in
    /// `workspace`.
    public func run(id runID: String, in workspace: String) throws -> Run {
        try read { txn in
            let info = try reader.requireRun(runID, in: workspace, txn)
            return try loadRun(info, txn)
        }
    }

    /// The identity and status of run `id` (without its parameters, tags and metrics), if its
    /// experiment lives in `workspace`.
    public func runInfo(id runID: String, in workspace: String) throws -> RunInfo {
        try read { txn in try reader.requireRun(runID, in: workspace, txn) }
    }

    func loadRun(_ info: RunInfo, _ txn: borrowing Transaction) throws -> Run {
        let prefix = Keys.prefix(info.runID)
        func text(_ key: UnsafeRawBufferPointer) -> String { String(decoding: key[prefix.count...], as: UTF8.self) }
        let params = try reader.scan(db.runParams, prefix: prefix, txn) { key, value in Tag(key: text(key), value: String(decoding: value, as: UTF8.self)) }
        let tags = try reader.scan(db.runTags, prefix: prefix, txn) { key, value in Tag(key: text(key), value: String(decoding: value, as: UTF8.self)) }
        let metrics = try reader.scan(db.runMetrics, prefix: prefix, txn) { (key, value) throws(LedgerError) in try MetricSeries.latest(key: text(key), record: value) }
        return Run(info: info, params: params, tags: tags, metrics: metrics)
    }

    /// Runs of the given experiments of `workspace`, newest first. Ids of experiments elsewhere
    /// are ignored, as MLflow does.
    public func searchRuns(in workspace: String, experimentIDs: [Int64], viewType: ViewType = .activeOnly,
                           maxResults: Int = 1000, pageToken: String? = nil) throws -> Page<Run> {
        try Self.checkPageSize(maxResults)
        let offset = try PageToken.decode(pageToken, expecting: .offset)?.offsetValue() ?? 0
        return try read { txn in
            var infos: [RunInfo] = []
            for id in Set(experimentIDs) {
                guard let experiment = try reader.experiment(id, txn), experiment.workspace == workspace else { continue }
                for runID in try reader.runIDs(ofExperiment: id, txn) {
                    guard let info = try reader.run(runID, txn), viewType.includes(info.lifecycleStage) else { continue }
                    infos.append(info)
                }
            }
            infos.sort { $0.startTime != $1.startTime ? $0.startTime > $1.startTime : $0.runID < $1.runID }
            let page = Self.page(infos, offset: offset, limit: maxResults)
            return Page(items: try page.items.map { try loadRun($0, txn) }, nextPageToken: page.nextPageToken)
        }
    }

    /// Every logged value of metric `key` of a run, in logging order.
    public func metricHistory(runID: String, key: String, in workspace: String) throws -> [Metric] {
        try read { txn in
            _ = try reader.requireRun(runID, in: workspace, txn)
            var history: [Metric] = []
            _ = try reader.scan(db.metricChunks, prefix: Keys.metricChunksPrefix(runID, key), txn) { (_, chunk) throws(LedgerError) in
                try MetricSeries.readPoints(key: key, chunk: chunk, into: &history)
            }
            try txn.withValue(db.runMetrics, key: Keys.scoped(runID, key)) { (record) throws(LedgerError) in
                if let record { try MetricSeries.readTail(key: key, record: record, into: &history) }
            }
            return history
        }
    }

    // MARK: Registered models

    /// The registered model `name` of `workspace`.
    public func registeredModel(named name: String, in workspace: String) throws -> RegisteredModel {
        try read { txn in try reader.requireRegisteredModel(name, in: workspace, txn) }
    }

    /// Registered models of `workspace` in name order, optionally filtered by name and by tags
    /// (every condition must hold; a model without the tag fails it, except as `modelMatches` says),
    /// and to those `visibility` lets the caller read.
    public func searchRegisteredModels(in workspace: String, name: StringMatch? = nil, tags: [ExperimentSearch.TagCondition] = [],
                                       maxResults: Int = 1000, pageToken: String? = nil,
                                       visibility: SearchVisibility = .everything) throws -> Page<RegisteredModel> {
        try Self.checkPageSize(maxResults)
        let token = try PageToken.decode(pageToken, expecting: .registeredModels)
        let after = token.map { String(decoding: $0.position, as: UTF8.self) }
        return try read { txn in
            _ = try reader.requireWorkspace(workspace, txn)
            let filter = try reader.readFilter(visibility, in: workspace, txn)
            var items: [RegisteredModel] = []
            var more = false
            for (modelName, id) in try reader.registeredModels(in: workspace, txn) {
                if let after, modelName <= after { continue }
                if let name, !name.matches(modelName) { continue }
                guard try filter.allows(.registeredModel(id), reader, txn),
                      let model = try reader.registeredModel(id, txn), Self.modelMatches(model, tags) else { continue }
                if items.count == maxResults { more = true; break }
                items.append(model)
            }
            let next = more ? PageToken(listing: .registeredModels, position: Array(items.last!.name.utf8)).encoded : nil
            return Page(items: items, nextPageToken: next)
        }
    }

    /// The tag `mlflow.prompt.is_prompt` marks prompts, and the MLflow client adds
    /// `` tag.`mlflow.prompt.is_prompt` != 'true' `` to every model search: as MLflow does, a model
    /// without that tag matches `!= 'true'` and `= 'false'`. Any other missing tag fails its condition.
    static func modelMatches(_ model: RegisteredModel, _ conditions: [ExperimentSearch.TagCondition]) -> Bool {
        conditions.allSatisfy { condition in
            guard let value = model.tags.value(of: condition.key) else {
                return condition.key == "mlflow.prompt.is_prompt" && (condition.match == .notEquals("true") || condition.match == .equals("false"))
            }
            return condition.match.matches(value)
        }
    }

    // MARK: Users and permissions

    /// The user `username`.
    public func user(named username: String) throws -> User {
        try read { txn in try reader.requireUser(username, txn) }
    }

    /// Every user, in name order.
    public func users() throws -> [User] {
        try read { txn in try reader.scan(db.users, prefix: [], txn) { (_, value) throws(LedgerError) in try User(decoding: value) } }
    }

    /// The explicit grant of `username` on `target`, if any.
    public func grant(of username: String, on target: PermissionTarget) throws -> PermissionLevel? {
        try read { txn in
            let (resource, _) = try reader.resolve(target, txn)
            return try reader.grant(resource, username, txn)
        }
    }

    /// Every explicit grant on `target`.
    public func grants(on target: PermissionTarget) throws -> [Grant] {
        try read { txn in
            let (resource, _) = try reader.resolve(target, txn)
            return try reader.grants(on: resource, txn)
        }
    }

    /// Every explicit grant `username` holds.
    public func grants(of username: String) throws -> [Grant] {
        try read { txn in try reader.grants(of: username, txn) }
    }

    /// The effective permission of `username` on `target`:
    /// admin → MANAGE; an explicit grant on the resource → that grant, even if lower; otherwise
    /// the grant on the resource's workspace; otherwise NO_PERMISSIONS, except that
    /// `defaultWorkspaceFloor` applies in `default` to users without a grant there.
    /// An unknown user has NO_PERMISSIONS.
    ///
    /// - Throws: `resourceDoesNotExist` when the target does not exist in its workspace.
    public func effectivePermission(of username: String, on target: PermissionTarget, defaultWorkspaceFloor: PermissionLevel? = nil) throws -> PermissionLevel {
        try read { txn in
            let (resource, workspace) = try reader.resolve(target, txn)
            return try reader.effectivePermission(of: username, on: resource, in: workspace, defaultWorkspaceFloor: defaultWorkspaceFloor, txn)
        }
    }

    // MARK: The log

    /// Up to `limit` events from sequence `first` on, decoded.
    public func events(from first: UInt64 = 1, limit: Int = 1000) throws -> [RecordedEvent] {
        let db = self.db
        return try read { txn in
            var events: [RecordedEvent] = []
            try txn.withCursor(db.events) { cursor in
                var entry = try cursor.seek(atOrAfter: Keys.sequence(first))
                while let current = entry, events.count < limit {
                    events.append(try EventCodec.decode(stored: current.value))
                    entry = try cursor.next()
                }
            }
            return events
        }
    }
}
