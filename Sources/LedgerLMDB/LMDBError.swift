import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error returned by LMDB, with the LMDB (or `errno`) code and the call that failed.
///
/// The description reads like `mdb_put failed: MDB_MAP_FULL: Environment mapsize limit reached`.
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An LMDB return code. Positive values are `errno` values (for example `ENOSPC`).
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let keyExists = Code(rawValue: MDB_KEYEXIST)
        public static let notFound = Code(rawValue: MDB_NOTFOUND)
        public static let corrupted = Code(rawValue: MDB_CORRUPTED)
        public static let panic = Code(rawValue: MDB_PANIC)
        public static let versionMismatch = Code(rawValue: MDB_VERSION_MISMATCH)
        public static let invalid = Code(rawValue: MDB_INVALID)
        public static let mapFull = Code(rawValue: MDB_MAP_FULL)
        public static let databasesFull = Code(rawValue: MDB_DBS_FULL)
        public static let readersFull = Code(rawValue: MDB_READERS_FULL)
        public static let transactionFull = Code(rawValue: MDB_TXN_FULL)
        public static let mapResized = Code(rawValue: MDB_MAP_RESIZED)
        public static let incompatible = Code(rawValue: MDB_INCOMPATIBLE)
        public static let badValueSize = Code(rawValue: MDB_BAD_VALSIZE)
        /// The disk (or quota) is full: `ENOSPC`.
        public static let noSpace = Code(rawValue: ENOSPC)
        /// The disk quota is exhausted: `EDQUOT`.
        public static let quotaExceeded = Code(rawValue: EDQUOT)
        /// The file or directory does not exist: `ENOENT`.
        public static let noSuchFile = Code(rawValue: ENOENT)
        /// Permission denied: `EACCES`.
        public static let accessDenied = Code(rawValue: EACCES)
        /// A read-only file system or environment: `EROFS`.
        public static let readOnly = Code(rawValue: EROFS)
        /// An I/O error: `EIO`.
        public static let ioError = Code(rawValue: EIO)
        /// The environment is already open in this process: `EBUSY`.
        public static let alreadyOpen = Code(rawValue: EBUSY)
    }

    /// What went wrong.
    public var code: Code
    /// The LMDB function that returned the code, such as `mdb_txn_commit`.
    public var function: String

    public init(code: Code, function: String) {
        self.code = code
        self.function = function
    }

    /// True when the storage device has no room left for the write.
    public var isOutOfSpace: Bool { code == .noSpace || code == .quotaExceeded }

    /// LMDB's own text for the code.
    public var message: String { String(cString: mdb_strerror(code.rawValue)) }

    public var description: String { "\(function) failed: \(message)" }
}

/// Turns an LMDB return code into a thrown ``LMDBError``.
@inline(__always) @usableFromInline
func check(_ rc: Int32, _ function: StaticString) throws(LMDBError) {
    if rc != MDB_SUCCESS {
        throw LMDBError(code: .init(rawValue: rc), function: "\(function)")
    }
}
