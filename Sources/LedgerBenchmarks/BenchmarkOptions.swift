/// What `ledger bench` measures, and where.
public struct BenchmarkOptions: Sendable {
    /// The SPEC §6 items, numbered as in the report.
    public enum Item: Int, Sendable, CaseIterable, Comparable {
        /// Durable single-command commit against a bare one-put commit.
        case singleCommit = 1
        /// Group commit under 64 concurrent writers.
        case groupCommit = 2
        /// Replay (rebuild) and verification against a bare sequential scan.
        case replay = 3
        /// Reads in process: get-workspace and effective permission.
        case reads = 4
        /// A listing page with 100 and with many workspaces.
        case listing = 5
        /// Bytes per event on disk.
        case disk = 6
        /// Decoding events against Foundation's JSONDecoder.
        case codec = 7

        public static func < (a: Item, b: Item) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Format: String, Sendable, CaseIterable {
        case table, json
    }

    /// Items to measure.
    public var items: Set<Item> = Set(Item.allCases)
    public var format: Format = .table
    /// An existing ledger to replay, verify, read and size (items 3, 4, 6 and the log-mix half of
    /// 7); `nil`: generate a synthetic one of ``replayEvents`` in the scratch directory.
    public var ledgerDirectory: String?
    /// Events of the generated ledger.
    public var replayEvents = 1_000_000
    /// Workspaces of the large listing ledger (item 5).
    public var listingWorkspaces = 1_000_000
    /// Where scratch ledgers go (a new directory under it, removed at the end); `nil`: the system
    /// temporary directory.
    public var scratchDirectory: String?
    /// Keep the scratch directory for inspection (`mdb_stat`).
    public var keepScratch = false
    /// The command line, for the report's header.
    public var commandLine = "ledger bench"

    public init() {}
}
