import Foundation
import Testing

@Suite struct CLISmokeTests {
    @Test func helpExitsZeroAndListsSubcommands() async throws {
        let result = try await runLedger(["--help"])
        #expect(result.status == 0)
        for subcommand in ["serve", "replay", "audit", "workspace", "delete-workspace", "backup", "bench"] {
            #expect(result.stdout.contains(subcommand))
        }
        #expect(result.stdout.contains("Exit codes:"))
    }

    /// Every subcommand explains itself with an example.
    @Test(arguments: [
        ["serve"], ["replay"], ["audit"], ["workspace"], ["workspace", "list"], ["workspace", "get"], ["workspace", "create"],
        ["workspace", "update"], ["workspace", "delete"], ["delete-workspace"], ["backup"], ["bench"],
    ])
    func subcommandHelpHasAnExample(_ subcommand: [String]) async throws {
        let result = try await runLedger(subcommand + ["--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Example"), "\(result)")
        #expect(result.stdout.contains("USAGE: ledger \(subcommand.joined(separator: " "))"), "\(result)")
    }

    @Test func unknownSubcommandOrOptionIsBadUsage() async throws {
        let unknown = try await runLedger(["frobnicate"])
        #expect(unknown.status == 2, "\(unknown)")
        #expect(!unknown.stderr.isEmpty)
        let option = try await runLedger(["replay", "--no-such-option"])
        #expect(option.status == 2, "\(option)")
        #expect(option.stderr.contains("--no-such-option"), "\(option)")
    }
}
