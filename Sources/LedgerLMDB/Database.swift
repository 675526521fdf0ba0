import CLMDB

/// A handle to a named database inside an ``Environment``.
///
/// Handles are opened once, when the environment is opened or right after, and stay valid for the
/// life of the environment; they are plain values that may be shared between threads.
public struct Database: Hashable, Sendable {
    @usableFromInline let dbi: MDB_dbi
    /// The database's name inside the environment.
    public let name: String
    /// The options it was opened with.
    public var options: DatabaseOptions = []

    /// A small number identifying the database within its environment (below the environment's
    /// ``Environment/Configuration/maxDatabases``), for tables indexed by database.
    public var number: Int { Int(dbi) }
}

/// How ``Transaction/put(_:key:value:options:)`` writes a value.
public struct PutOptions: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Refuse to overwrite an existing key: the put throws ``LMDBError/Code/keyExists``.
    public static let noOverwrite = PutOptions(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database: a fast bulk append. A key that does not
    /// sort last throws ``LMDBError/Code/keyExists``.
    public static let append = PutOptions(rawValue: UInt32(MDB_APPEND))
}

/// Statistics of one database.
public struct DatabaseStatistics: Sendable, Equatable {
    /// Number of key/value pairs.
    public var entries: Int
    /// Pages in use: branch, leaf and overflow pages.
    public var branchPages: Int
    public var leafPages: Int
    public var overflowPages: Int
    /// The B-tree's depth.
    public var depth: Int
    /// The page size in bytes.
    public var pageSize: Int
}
