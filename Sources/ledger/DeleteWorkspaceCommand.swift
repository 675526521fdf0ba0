import ArgumentParser
import Foundation
import LedgerCore

/// `ledger delete-workspace`: the CASCADE teardown, with a dry run by default.
struct DeleteWorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-workspace",
        abstract: "Tear a workspace down with everything in it (CASCADE); without --confirm, only show what would go.",
        discussion: """
            Without --confirm it prints the experiments, runs, registered models and grants that would be \
            removed, and changes nothing. With --confirm it removes them and the workspace in one \
            transaction; each removal is its own event. The workspace 'default' cannot be deleted.

            Examples:
              ledger delete-workspace --workspace team-a
              ledger delete-workspace --workspace team-a --confirm --actor alice
            """
    )

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var actor: ActorOptions

    @Option(help: ArgumentHelp("The workspace to delete.", valueName: "W"))
    var workspace: String

    @Flag(help: "Really delete; without it nothing changes.")
    var confirm = false

    func validate() throws {
        if workspace == Workspace.defaultName {
            throw ValidationError("the workspace 'default' is reserved and cannot be deleted")
        }
    }

    func run() async throws {
        let ledger = try await data.open(readOnly: !confirm)
        if !confirm {
            let plan = try ledger.deletionPlan(forWorkspace: workspace)
            print("would delete workspace '\(workspace)': \(describe(plan, removed: true))")
            print("nothing was changed; rerun with --confirm to delete")
            return
        }
        let summary = try await ledger.deleteWorkspace(name: workspace, mode: .cascade, context: actor.context)
        print("deleted workspace '\(workspace)': \(describe(summary, removed: true))")
    }
}
