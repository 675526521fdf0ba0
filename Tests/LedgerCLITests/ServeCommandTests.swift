import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// `ledger serve` started as a process: the bootstrap of the admin with `--auth`, the refusals of
/// bad configuration, and a clean stop on SIGTERM.
@Suite struct ServeCommandTests {
    static func freePort() -> Int { Int.random(in: 20_000...60_000) }

    @Test func authWithoutUsersOrBootstrapVariablesRefusesToStart() async throws {
        try await withTemporaryPath { directory in
            let result = try await runLedger(["serve", "--auth", "--data-dir", directory, "--port", String(Self.freePort())], stopAfter: 20)
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("LEDGER_ADMIN_USERNAME"), "\(result)")
            #expect(result.stderr.contains("LEDGER_ADMIN_PASSWORD"), "\(result)")
        }
    }

    @Test func firstStartWithAuthCreatesTheAdminAsSystemAndStopsCleanlyOnSIGTERM() async throws {
        try await withTemporaryPath { directory in
            let password = "bootstrap-secret-42"
            let result = try await runLedger(
                ["serve", "--auth", "--data-dir", directory, "--port", String(Self.freePort())],
                environment: ["LEDGER_ADMIN_USERNAME": "root-admin", "LEDGER_ADMIN_PASSWORD": password], stopAfter: 3)
            // timeout(1) sent SIGTERM: the server stopped by itself, so timeout reports 124.
            #expect(result.status == 124, "\(result)")
            #expect(!result.stderr.contains(password), "the password was logged: \(result.stderr)")
            let events = try await eventsOfLedger(directory)
            let created = try #require(events.first { $0.type == .userCreated })
            #expect(created.actor == "system")
            guard case let .userCreated(username, isAdmin, hash) = created.payload else { Issue.record("not a user event"); return }
            #expect(username == "root-admin")
            #expect(isAdmin)
            #expect(hash.matches(password))
            #expect(!result.stderr.contains(hash.derivedKey.map { String(format: "%02x", $0) }.joined()))
            // The ledger verifies after the stop: nothing half-written.
            let verify = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verify.status == 0, "\(verify)")
        }
    }

    @Test(arguments: [
        ["--default-artifact-root", "/srv/mlflow/workspaces"],
        ["--default-artifact-root", "/srv/workspaces/team"],
        ["--default-artifact-root", "relative/path"],
        ["--default-workspace-permission", "READ"],
        ["--auth", "--default-workspace-permission", "SUPERUSER"],
        ["--port", "70000"],
    ])
    func badConfigurationIsRefusedBeforeStarting(_ options: [String]) async throws {
        try await withTemporaryPath { directory in
            let result = try await runLedger(["serve", "--data-dir", directory] + options, stopAfter: 20)
            #expect(result.status == 2, "\(result)")
            #expect(!result.stderr.isEmpty)
        }
    }
}
