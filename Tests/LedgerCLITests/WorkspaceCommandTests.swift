import Foundation
import Testing
@testable import LedgerCore

/// `ledger workspace list|get|create|update|delete` and `ledger delete-workspace`.
@Suite struct WorkspaceCommandTests {
    /// The audit lines (json) about one entity.
    static func auditLines(_ directory: String, _ options: [String]) async throws -> [[String: Any]] {
        let result = try await runLedger(["audit", "--format", "json", "--data-dir", directory] + options)
        try #require(result.status == 0, "\(result)")
        return try parseJSONLines(result.stdout)
    }

    @Test func listAndGet() async throws {
        try await withTemporaryPath { directory in
            try await buildDemoLedger(in: directory)
            let table = try await runLedger(["workspace", "list", "--data-dir", directory])
            #expect(table.status == 0, "\(table)")
            let lines = table.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("NAME") == true, "\(table)")
            #expect(lines.dropFirst().map { String($0.prefix { $0 != " " }) } == ["default", "empty", "team-a", "team-b"], "\(table)")
            // A line break in a description is shown escaped: one line per workspace.
            #expect(lines.contains { $0.hasPrefix("team-a ") && $0.contains(#"Team "A", vision\nsecond line"#) }, "\(table)")

            let json = try await runLedger(["workspace", "list", "--format", "json", "--data-dir", directory])
            #expect(json.status == 0, "\(json)")
            #expect(try parseJSONLines(json.stdout).compactMap { $0["name"] as? String } == ["default", "empty", "team-a", "team-b"])

            let get = try await runLedger(["workspace", "get", "team-a", "--format", "json", "--data-dir", directory])
            #expect(get.status == 0, "\(get)")
            let workspace = try #require(try parseJSONLines(get.stdout).first)
            #expect(workspace["name"] as? String == "team-a")
            #expect(workspace["description"] as? String == DemoHistory.teamADescription)
            #expect(workspace["default_artifact_root"] as? String == "s3://bucket/team-a")
            #expect(workspace["created_by"] as? String == "alice")

            let missing = try await runLedger(["workspace", "get", "team-z", "--data-dir", directory])
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr.contains("team-z"), "\(missing)")
        }
    }

    /// Changes are recorded with `--actor` (or the OS user) and source `cli`.
    @Test func createUpdateDeleteRecordTheActorAndSourceCLI() async throws {
        try await withTemporaryPath { directory in
            try await buildDemoLedger(in: directory)
            let create = try await runLedger(["workspace", "create", "team-c", "--description", "C", "--default-artifact-root", "s3://bucket/c",
                                              "--actor", "dora", "--data-dir", directory])
            #expect(create.status == 0, "\(create)")
            #expect(create.stdout == "created workspace 'team-c'\n")

            let update = try await runLedger(["workspace", "update", "team-c", "--description", "C, again", "--data-dir", directory])
            #expect(update.status == 0, "\(update)")
            let clear = try await runLedger(["workspace", "update", "team-c", "--default-artifact-root", "", "--actor", "dora", "--data-dir", directory])
            #expect(clear.status == 0, "\(clear)")
            let got = try await runLedger(["workspace", "get", "team-c", "--format", "json", "--data-dir", directory])
            let workspace = try #require(try parseJSONLines(got.stdout).first)
            #expect(workspace["description"] as? String == "C, again")
            #expect(workspace["default_artifact_root"] == nil)

            let delete = try await runLedger(["workspace", "delete", "team-c", "--actor", "dora", "--data-dir", directory])
            #expect(delete.status == 0, "\(delete)")
            #expect(delete.stdout.hasPrefix("deleted workspace 'team-c' (RESTRICT)"), "\(delete)")

            let events = try await Self.auditLines(directory, ["--entity", "workspace:team-c"])
            #expect(events.map { $0["type"] as? String } == ["workspace.created", "workspace.updated", "workspace.updated", "workspace.deleted"])
            #expect(events.map { $0["actor"] as? String } == ["dora", operatingSystemUser, "dora", "dora"])
            #expect(events.allSatisfy { $0["source"] as? String == "cli" })
            #expect(events.allSatisfy { ($0["request_id"] as? String)?.hasPrefix("cli-") == true })
            #expect(events[1]["change"] as? String == "description: 'C' → 'C, again'")
            #expect(events[2]["change"] as? String == "default_artifact_root: 's3://bucket/c' → ∅")

            // The actor index finds them too.
            let byDora = try await Self.auditLines(directory, ["--actor", "dora"])
            #expect(byDora.count == 3)
        }
    }

    /// Refusals are exit 2 with the ledger's message, and change nothing.
    @Test(arguments: [
        (["workspace", "create", "Bad_Name"], "must match the pattern"),
        (["workspace", "create", "team-a"], "Workspace 'team-a' already exists"),
        (["workspace", "create", "default"], "reserved"),
        (["workspace", "create", "team-x", "--default-artifact-root", "relative/path"], "default_artifact_root"),
        (["workspace", "update", "team-z", "--description", "x"], "team-z"),
        (["workspace", "update", "team-a"], "nothing to update"),
        (["workspace", "delete", "team-a"], "Cannot delete workspace 'team-a'"),
        (["workspace", "delete", "team-b", "--mode", "RESTRICT"], "Cannot delete workspace 'team-b'"),
        (["workspace", "delete", "default"], "reserved"),
        (["workspace", "create", "team-x", "--actor", ""], "--actor"),
    ])
    func refusalsChangeNothing(_ arguments: [String], _ message: String) async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let actor = arguments.contains("--actor") ? [] : ["--actor", "dora"]
            let result = try await runLedger(arguments + actor + ["--data-dir", directory])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains(message), "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(try await headOfLedger(directory) == history.head, "a refused command wrote an event")
        }
    }

    // MARK: - delete-workspace

    @Test func deleteWorkspaceDryRunChangesNothing() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let dryRun = try await runLedger(["delete-workspace", "--workspace", "team-b", "--data-dir", directory])
            #expect(dryRun.status == 0, "\(dryRun)")
            #expect(dryRun.stdout == """
                would delete workspace 'team-b': 2 experiments (3 runs) and 1 registered model removed; 3 grants removed
                nothing was changed; rerun with --confirm to delete

                """, "\(dryRun)")
            #expect(history.teamB == WorkspaceDeletionSummary(experiments: 2, runs: 3, registeredModels: 1, grants: 3))
            #expect(try await headOfLedger(directory) == history.head, "the dry run moved the head")
            let verified = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verified.status == 0, "\(verified)")

            let missing = try await runLedger(["delete-workspace", "--workspace", "team-z", "--data-dir", directory])
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr.contains("team-z"), "\(missing)")
        }
    }

    /// With --confirm: the CASCADE teardown, each removal its own event by the actor, source cli.
    @Test func deleteWorkspaceWithConfirmRemovesEverythingAsEvents() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let result = try await runLedger(["delete-workspace", "--workspace", "team-b", "--confirm", "--actor", "carol", "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == "deleted workspace 'team-b': 2 experiments (3 runs) and 1 registered model removed; 3 grants removed\n", "\(result)")

            let b = history.teamB
            let removals = b.runs + b.experiments + b.registeredModels + b.grants + 1
            #expect(try await headOfLedger(directory).sequence == history.head.sequence + UInt64(removals))

            let events = try await Self.auditLines(directory, ["--workspace", "team-b", "--since", iso8601(microseconds: history.head.timestamp + 1_000)])
            #expect(sequences(events) == Array((history.head.sequence + 1)...(history.head.sequence + UInt64(removals))))
            let types = events.compactMap { $0["type"] as? String }
            #expect(types.filter { $0 == "run.purged" }.count == b.runs)
            #expect(types.filter { $0 == "experiment.purged" }.count == b.experiments)
            #expect(types.filter { $0 == "registered_model.deleted" }.count == b.registeredModels)
            #expect(types.filter { $0 == "grant.revoked" }.count == b.grants)
            #expect(types.last == "workspace.deleted")
            #expect(events.allSatisfy { $0["actor"] as? String == "carol" && $0["source"] as? String == "cli" })
            #expect(Set(events.compactMap { $0["request_id"] as? String }).count == 1, "one command, one request id")
            #expect(Set(events.compactMap { $0["time"] as? String }).count == 1, "one transaction, one time")

            let list = try await runLedger(["workspace", "list", "--format", "json", "--data-dir", directory])
            #expect(try parseJSONLines(list.stdout).compactMap { $0["name"] as? String } == ["default", "empty", "team-a"])
            let verified = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verified.status == 0, "\(verified)")

            let again = try await runLedger(["delete-workspace", "--workspace", "team-b", "--confirm", "--data-dir", directory])
            #expect(again.status == 2, "\(again)")
        }
    }

    @Test(arguments: [[], ["--confirm"]])
    func deleteWorkspaceRefusesDefault(_ confirm: [String]) async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let result = try await runLedger(["delete-workspace", "--workspace", "default", "--data-dir", directory] + confirm)
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("'default' is reserved"), "\(result)")
            #expect(try await headOfLedger(directory) == history.head)
        }
    }
}
