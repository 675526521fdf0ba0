import LedgerCore

/// What the read measurements need from a large ledger: its size, some workspaces, some
/// experiments, and a user who reads them through workspace grants.
struct LedgerSample: Sendable {
    var events: UInt64
    var workspaces: [String]
    var experiments: [(Int64, String)]
    var reader: String

    init(_ summary: SyntheticHistory.Summary) {
        events = summary.events
        workspaces = summary.workspaces
        experiments = summary.experiments
        reader = summary.reader
    }

    /// Samples an existing ledger: up to 64 workspaces with experiments, up to 1,024 experiments,
    /// and as reader a non-admin user holding workspace grants (a synthetic history's auditor).
    init(of ledger: Ledger) throws {
        events = try ledger.head().sequence
        var workspaces: [String] = []
        var experiments: [(Int64, String)] = []
        var token: String?
        repeat {
            let page = try ledger.listWorkspaces(maxResults: 1_000, pageToken: token)
            for workspace in page.items where workspaces.count < 64 {
                let found = try ledger.searchExperiments(in: workspace.name, ExperimentSearch(viewType: .all, maxResults: 64)).items
                guard !found.isEmpty else { continue }
                workspaces.append(workspace.name)
                experiments += found.map { ($0.id, workspace.name) }
            }
            token = page.nextPageToken
        } while token != nil && workspaces.count < 64 && experiments.count < 1_024
        self.workspaces = workspaces.isEmpty ? ["default"] : workspaces
        self.experiments = Array(experiments.prefix(1_024))
        let users = try ledger.users().filter { !$0.isAdmin }
        let granted = try users.filter { try !ledger.grants(of: $0.username).isEmpty }
        reader = (granted.first { $0.username.hasPrefix("auditor-") } ?? granted.first ?? users.first)?.username ?? "nobody"
    }
}
