import ArgumentParser
import Foundation
import LedgerCore

/// `ledger backup --to FILE`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a compact, consistent copy of the ledger to a new file, also while a server writes.",
        discussion: """
            The file is an LMDB data file without free pages. Check it with \
            'ledger replay --verify --data-dir FILE'; restore it with 'mkdir DIR && cp FILE DIR/data.mdb'.

            Example:
              ledger backup --to /backups/ledger-2026-11-22.mdb
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: ArgumentHelp("The new backup file (must not exist).", valueName: "FILE"))
    var to: String

    func run() async throws {
        let ledger = try await data.open(readOnly: true)
        let summary = try ledger.backup(to: to)
        print("backed up the ledger (head at sequence \(summary.head.sequence) or later) to \(summary.path): \(summary.bytes) bytes")
    }
}
