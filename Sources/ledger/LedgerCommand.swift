import ArgumentParser
import Foundation
import LedgerCore

/// The `ledger` command: operate a Workspace Ledger directory.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Operate a Workspace Ledger: rebuild and verify views, audit who changed what, administer workspaces, back up.",
        discussion: """
            Every command works on the ledger directory given by --data-dir (default: $LEDGER_DATA_DIR, \
            else ./ledger-data), also while a server process has it open and is writing.

            Exit codes: 0 success, 1 a check found a problem, 2 bad usage or input.
            """,
        subcommands: [ServeCommand.self, ReplayCommand.self, AuditCommand.self, WorkspaceCommand.self, DeleteWorkspaceCommand.self, BackupCommand.self, BenchCommand.self]
    )
}

@main
enum Main {
    static func main() async {
        do {
            var command = try LedgerCommand.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(ExitStatus.report(error))
        }
    }
}

/// The exit codes of every subcommand, and how errors are reported.
enum ExitStatus {
    static let success: Int32 = 0
    /// A check found a problem (verify found a difference, the chain is broken).
    static let problemFound: Int32 = 1
    /// Bad usage or input, with a message saying what to fix.
    static let badInput: Int32 = 2

    /// Prints `error` for a person and returns the exit code for it.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let exit as ExitCode:
            return exit.rawValue
        case let error as LedgerError:
            printError(error.message)
            return error.code.isDomainError || [.notALedger, .incompatibleFormat, .readOnly].contains(error.code) ? badInput : problemFound
        default:
            let code = LedgerCommand.exitCode(for: error)
            if code == .success {
                print(LedgerCommand.fullMessage(for: error))
                return success
            }
            // The message names what to fix and ends with the usage of the subcommand.
            FileHandle.standardError.write(Data((LedgerCommand.fullMessage(for: error) + "\n").utf8))
            return badInput
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("ledger: error: \(message)\n".utf8))
    }
}
