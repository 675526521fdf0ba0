import LedgerLMDB
import Foundation

/// What a backup wrote.
public struct BackupSummary: Sendable, Hashable {
    /// The backup file.
    public var path: String
    /// Its size in bytes.
    public var bytes: Int
    /// The head of the log at the moment the copy was taken (or later: the copy holds at least this).
    public var head: LogHead
}

extension Ledger {
    /// Writes a compact, consistent copy of the ledger into the new file `path` while writers go
    /// on. The file is first written beside its final name and linked to it once complete and flushed,
    /// so a crash never leaves a partial backup under that name.
    ///
    /// Open the backup read-only by naming the file as the ledger directory, or restore it with
    /// `mkdir DIR && cp FILE DIR/data.mdb`.
    /// - Throws: `invalidParameterValue` when `path` exists or its directory does not;
    ///   `storage`/`storageFull` otherwise.
    public func backup(to path: String) throws -> BackupSummary {
        let fileManager = FileManager.default
        guard !fileManager.fileExists(atPath: path) else {
            throw LedgerError(.invalidParameterValue, "'\(path)' exists; choose a new file name for the backup")
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LedgerError(.invalidParameterValue, "the directory '\(parent)' for the backup does not exist; create it first")
        }
        let head = try self.head()
        let partial = path + ".partial-\(getpid())"
        do {
            try environment.copy(toFile: partial, compact: true)
        } catch {
            throw CommitQueue.ledgerError(error, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        }
        // link(2) refuses an existing name, so a file created meanwhile is never overwritten.
        defer { unlink(partial) }
        guard link(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw LedgerError(errno == EEXIST ? .invalidParameterValue : .storage, "could not name the finished backup '\(path)': \(reason)")
        }
        let bytes = (try? fileManager.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return BackupSummary(path: path, bytes: bytes, head: head)
    }
}
