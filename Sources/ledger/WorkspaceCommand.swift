import ArgumentParser
import Foundation
import LedgerCore

/// `ledger workspace list|get|create|update|delete`.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "List, show, create, update and delete workspaces.",
        discussion: """
            Every change is an event recorded with the actor (--actor, default the OS user) and source cli.

            Examples:
              ledger workspace list
              ledger workspace create team-a --description "Team A" --default-artifact-root s3://bucket/team-a
              ledger workspace update team-a --default-artifact-root ""
              ledger workspace delete team-a --mode SET_DEFAULT
            """,
        subcommands: [List.self, Get.self, Create.self, Update.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces in name order.", discussion: "Example: ledger workspace list --format json")
        @OptionGroup var data: DataDirectoryOptions
        @Option(help: "Output format: table or json (one object per line).") var format: OutputFormat = .table

        func run() async throws {
            let ledger = try await data.open(readOnly: true)
            try printWorkspaces(ledger.listWorkspaces().items, format: format)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one workspace.", discussion: "Example: ledger workspace get team-a")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The workspace name.") var name: String
        @Option(help: "Output format: table or json.") var format: OutputFormat = .table

        func run() async throws {
            let ledger = try await data.open(readOnly: true)
            try printWorkspaces([ledger.workspace(named: name)], format: format)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a workspace.",
            discussion: "Example: ledger workspace create team-a --description \"Team A\" --actor alice")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The name: 2-63 characters of a-z, 0-9 and single inner hyphens.") var name: String
        @Option(help: "A description.") var description: String?
        @Option(help: ArgumentHelp("Where its experiments keep artifacts: an absolute path or a URI.", valueName: "URI"))
        var defaultArtifactRoot: String?

        func run() async throws {
            // The first workspace may start a new ledger (with 'default' and experiment 0).
            let ledger = try await data.open(readOnly: false, create: true)
            let workspace = try await ledger.createWorkspace(name: name, description: description, defaultArtifactRoot: defaultArtifactRoot, context: actor.context)
            print("created workspace '\(workspace.name)'")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a workspace's description or default artifact root (the name never changes).",
            discussion: "Example: ledger workspace update team-a --default-artifact-root \"\"   (an empty root clears it)")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The workspace name.") var name: String
        @Option(help: "The new description.") var description: String?
        @Option(help: ArgumentHelp("The new default artifact root; \"\" clears it.", valueName: "URI"))
        var defaultArtifactRoot: String?

        func validate() throws {
            if description == nil && defaultArtifactRoot == nil {
                throw ValidationError("give --description and/or --default-artifact-root: there is nothing to update")
            }
        }

        func run() async throws {
            let ledger = try await data.open(readOnly: false)
            let workspace = try await ledger.updateWorkspace(
                name: name, WorkspaceUpdate(description: description, defaultArtifactRoot: defaultArtifactRoot), context: actor.context)
            print("updated workspace '\(workspace.name)'")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a workspace: RESTRICT (default; refused unless empty), CASCADE or SET_DEFAULT.",
            discussion: "Example: ledger workspace delete team-a --mode SET_DEFAULT")
        @OptionGroup var data: DataDirectoryOptions
        @OptionGroup var actor: ActorOptions
        @Argument(help: "The workspace name.") var name: String
        @Option(help: "RESTRICT, CASCADE or SET_DEFAULT.") var mode: WorkspaceDeletionMode = .restrict

        func run() async throws {
            let ledger = try await data.open(readOnly: false)
            let summary = try await ledger.deleteWorkspace(name: name, mode: mode, context: actor.context)
            print("deleted workspace '\(name)' (\(mode.rawValue)): \(describe(summary, removed: mode != .setDefault))")
        }
    }
}

extension WorkspaceDeletionMode: ExpressibleByArgument {}

/// `3 experiments (12 runs), 1 registered model and 4 grants removed`.
func describe(_ summary: WorkspaceDeletionSummary, removed: Bool) -> String {
    func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
    let moved = removed ? "removed" : "moved to 'default'"
    return "\(count(summary.experiments, "experiment")) (\(count(summary.runs, "run"))) and \(count(summary.registeredModels, "registered model")) \(moved); \(count(summary.grants, "grant")) removed"
}

/// Prints workspaces as a table or as JSON lines.
func printWorkspaces(_ workspaces: [Workspace], format: OutputFormat) throws {
    switch format {
    case .table:
        let rows = workspaces.map { [$0.name, $0.description ?? "", $0.defaultArtifactRoot ?? "", $0.createdBy, TimeArgument.iso8601($0.creationTime * 1000)] }
        print(Table(header: ["NAME", "DESCRIPTION", "DEFAULT ARTIFACT ROOT", "CREATED BY", "CREATED"], rows: rows).rendered, terminator: "")
    case .json:
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        for workspace in workspaces { print(String(decoding: try encoder.encode(workspace), as: UTF8.self)) }
    }
}
