import Testing
@testable import LedgerCore

@Suite struct SmokeTests {
    @Test func newLedgerHasDefaultWorkspaceAndExperiment() async throws {
        try await withTemporaryLedger { ledger, _ in
            let workspace = try ledger.workspace(named: "default")
            #expect(workspace.createdBy == "system")
            let experiment = try ledger.experiment(id: 0, in: "default")
            #expect(experiment.name == "Default")
            #expect(experiment.artifactLocation == "/srv/artifacts/workspaces/default/0")
            #expect(try ledger.head().sequence == 2)
            let report = try ledger.verify()
            #expect(report.isClean, "\(report.problems)")
        }
    }
}
