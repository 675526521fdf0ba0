import Foundation
import Testing
@testable import LedgerCore

// SPEC §2.1 (workspaces), with the audit rules of §2.6 that workspace commands must honour.

/// Events appended after `sequence`, counted by their dotted type name.
private func eventCounts(_ ledger: Ledger, after sequence: UInt64) throws -> [String: Int] {
    try ledger.events(from: sequence + 1, limit: 10_000).reduce(into: [:]) { $0[$1.type.name, default: 0] += 1 }
}

@Suite struct WorkspaceRulesTests {
    // MARK: Names

    static let validNames = [
        "ab",                                           // shortest: 2 characters
        String(repeating: "a", count: 63),              // longest: 63 characters
        "a" + String(repeating: "-b", count: 31),       // 63 characters, 31 single inner hyphens
        "42", "0a", "team1", "1team",                   // digits anywhere
        "team-a", "a-b-c", "ml-team-2024",              // inner hyphens
    ]

    @Test(arguments: validNames)
    func validNameIsAccepted(_ name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await ledger.createWorkspace(name: name, context: testContext)
            #expect(created.name == name)
            #expect(try ledger.workspace(named: name).name == name)
            #expect(try ledger.listWorkspaces().items.map(\.name).contains(name))
        }
    }

    static let invalidNames = [
        "a",                                            // 1 character
        String(repeating: "a", count: 64),              // 64 characters
        "",                                             // empty
        "Team-a", "TEAM", "teamA",                      // uppercase
        "team_a",                                       // underscore
        "-team", "team-", "-",                          // leading / trailing hyphen
        "a--b", "team--a", "a---b",                     // consecutive hyphens
        "café", "tëam", "日本", "team-é",               // non-ASCII
        "team a", "team.a", "team/a", " team",          // other characters
    ]

    @Test(arguments: invalidNames)
    func invalidNameIsRefusedNamingTheValue(_ name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue, naming: name) {
                try await ledger.createWorkspace(name: name, context: testContext)
            }
            #expect(!(try ledger.listWorkspaces().items.map(\.name).contains(name)))
        }
    }

    @Test(arguments: ["workspaces", "api", "ajax-api", "static-files", "default"])
    func reservedNameCannotBeCreated(_ name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let workspacesBefore = try ledger.listWorkspaces().items
            try await expectRefusal(ledger, .invalidParameterValue, naming: name) {
                try await ledger.createWorkspace(name: name, description: "mine", context: testContext)
            }
            #expect(try ledger.listWorkspaces().items == workspacesBefore)
        }
    }

    @Test func duplicateNameIsRefusedAndTheOriginalIsKept() async throws {
        try await withTemporaryLedger { ledger, _ in
            let original = try await ledger.createWorkspace(name: "team-a", description: "first", defaultArtifactRoot: "s3://b/a", context: testContext)
            try await expectRefusal(ledger, .resourceAlreadyExists, naming: "team-a") {
                try await ledger.createWorkspace(name: "team-a", description: "second", context: testContext)
            }
            let stored = try ledger.workspace(named: "team-a")
            #expect(stored.description == "first")
            #expect(stored.defaultArtifactRoot == "s3://b/a")
            #expect(stored == original)
        }
    }

    @Test func creationRecordsWhoAndWhen() async throws {
        try await withTemporaryLedger { ledger, _ in
            let before = try ledger.head()
            let created = try await ledger.createWorkspace(name: "team-a", description: "A", context: testContext)
            #expect(created.createdBy == "tester")
            #expect(created.updatedBy == "tester")
            #expect(created.creationTime > 0)
            let stored = try ledger.workspace(named: "team-a")
            #expect(stored.createdBy == "tester")
            #expect(stored.description == "A")
            #expect(stored.defaultArtifactRoot == nil)
            let events = try ledger.events(from: before.sequence + 1)
            try #require(events.count == 1)
            #expect(events[0].payload == .workspaceCreated(name: "team-a", description: "A", defaultArtifactRoot: nil))
            #expect(events[0].actor == "tester")
            #expect(events[0].workspace == "team-a")
            #expect(events[0].requestID == "req-test")
            #expect(events[0].source == .http(remoteAddress: "127.0.0.1", userAgent: "swift-testing"))
        }
    }

    @Test func unknownWorkspaceDoesNotExist() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.workspace(named: "nowhere") }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.updateWorkspace(name: "nowhere", WorkspaceUpdate(description: "x"), context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.createExperiment(name: "e", in: "nowhere", context: testContext)
            }
        }
    }

    @Test(arguments: WorkspaceDeletionMode.allCases)
    func deletingAnUnknownWorkspaceIsRefused(_ mode: WorkspaceDeletionMode) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.deleteWorkspace(name: "nowhere", mode: mode, context: testContext)
            }
        }
    }

    // MARK: The default workspace

    @Test func defaultExistsFromTheFirstOpenCreatedBySystem() async throws {
        try await withTemporaryLedger { ledger, _ in
            let workspace = try ledger.workspace(named: "default")
            #expect(workspace.createdBy == "system")
            #expect(workspace.updatedBy == "system")
            #expect(try ledger.listWorkspaces().items.map(\.name) == ["default"])

            let first = try #require(try ledger.events(from: 1, limit: 1).first)
            #expect(first.sequence == 1)
            #expect(first.actor == "system")
            #expect(first.source == .system)
            #expect(first.workspace == "default")
            guard case .workspaceCreated(let name, _, let root) = first.payload else {
                Issue.record("the first event is \(first.type.name), not workspace.created")
                return
            }
            #expect(name == "default")
            #expect(root == nil)
        }
    }

    @Test func defaultCanBeUpdated() async throws {
        try await withTemporaryLedger { ledger, _ in
            let updated = try await ledger.updateWorkspace(
                name: "default", WorkspaceUpdate(description: "legacy", defaultArtifactRoot: "s3://b/default"), context: testContext)
            #expect(updated.description == "legacy")
            #expect(updated.defaultArtifactRoot == "s3://b/default")
            #expect(updated.updatedBy == "tester")
            let stored = try ledger.workspace(named: "default")
            #expect(stored.description == "legacy")
            #expect(stored.defaultArtifactRoot == "s3://b/default")
            #expect(stored.createdBy == "system")
            #expect(stored.updatedBy == "tester")
        }
    }

    @Test(arguments: WorkspaceDeletionMode.allCases)
    func defaultCanNeverBeDeleted(_ mode: WorkspaceDeletionMode) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue, naming: "default") {
                try await ledger.deleteWorkspace(name: "default", mode: mode, context: testContext)
            }
            #expect(try ledger.workspace(named: "default").name == "default")
            #expect(try ledger.experiment(id: 0, in: "default").name == "Default")
        }
    }

    @Test(arguments: WorkspaceDeletionMode.allCases)
    func emptiedDefaultCanStillNotBeDeleted(_ mode: WorkspaceDeletionMode) async throws {
        // Even with nothing a RESTRICT delete would trip over, `default` stays.
        try await withTemporaryLedger { ledger, _ in
            try await ledger.deleteExperiment(id: 0, in: "default", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue, naming: "default") {
                try await ledger.deleteWorkspace(name: "default", mode: mode, context: testContext)
            }
            #expect(try ledger.workspace(named: "default").name == "default")
        }
    }

    // MARK: default_artifact_root

    @Test(arguments: ["/abs/path", "/", "s3://b/p", "file:///x", "mlflow-artifacts:/x", "gs://bucket", "hdfs://nn:8020/p"])
    func absoluteRootOrURIIsAccepted(_ root: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await ledger.createWorkspace(name: "team-a", defaultArtifactRoot: root, context: testContext)
            #expect(created.defaultArtifactRoot == root)
            #expect(try ledger.workspace(named: "team-a").defaultArtifactRoot == root)

            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            let updated = try await ledger.updateWorkspace(name: "team-b", WorkspaceUpdate(defaultArtifactRoot: root), context: testContext)
            #expect(updated.defaultArtifactRoot == root)
            #expect(try ledger.workspace(named: "team-b").defaultArtifactRoot == root)
        }
    }

    static let relativeRoots = ["rel/path", "./x", "../x", "team-a", "C:team-a", "x"]

    @Test(arguments: relativeRoots)
    func relativeRootIsRefusedOnCreate(_ root: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue, naming: root) {
                try await ledger.createWorkspace(name: "team-a", defaultArtifactRoot: root, context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.workspace(named: "team-a") }
        }
    }

    @Test(arguments: relativeRoots)
    func relativeRootIsRefusedOnUpdate(_ root: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", description: "A", defaultArtifactRoot: "s3://b/p", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue, naming: root) {
                try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(description: "B", defaultArtifactRoot: root), context: testContext)
            }
            let stored = try ledger.workspace(named: "team-a")
            #expect(stored.defaultArtifactRoot == "s3://b/p")
            #expect(stored.description == "A", "a refused update changed the description")
        }
    }

    @Test(arguments: ["", "   "])
    func emptyRootOnUpdateClearsIt(_ empty: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", defaultArtifactRoot: "s3://b/p", context: testContext)
            let before = try ledger.head()
            let updated = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(defaultArtifactRoot: empty), context: testContext)
            #expect(updated.defaultArtifactRoot == nil)
            #expect(try ledger.workspace(named: "team-a").defaultArtifactRoot == nil)

            let events = try ledger.events(from: before.sequence + 1)
            try #require(events.count == 1)
            #expect(events[0].payload == .workspaceUpdated(
                name: "team-a", description: nil, defaultArtifactRoot: FieldChange(before: "s3://b/p", after: nil)))
        }
    }

    @Test func emptyRootOnCreateMeansNone() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await ledger.createWorkspace(name: "team-a", defaultArtifactRoot: "", context: testContext)
            #expect(created.defaultArtifactRoot == nil)
            #expect(try ledger.workspace(named: "team-a").defaultArtifactRoot == nil)
        }
    }

    // MARK: Updates

    @Test func updateWithNoFieldIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", description: "A", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(), context: testContext)
            }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.updateWorkspace(name: "default", WorkspaceUpdate(), context: testContext)
            }
            #expect(try ledger.workspace(named: "team-a").description == "A")
        }
    }

    @Test(arguments: ["Team-A", "a", "team--a", "api"])
    func updateOfAnInvalidNameIsRefused(_ name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await expectRefusal(ledger, .invalidParameterValue, naming: name) {
                try await ledger.updateWorkspace(name: name, WorkspaceUpdate(description: "x"), context: testContext)
            }
        }
    }

    @Test func descriptionUpdateRecordsBeforeAndAfter() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await ledger.createWorkspace(name: "team-a", description: "A1", defaultArtifactRoot: "/srv/ta", context: testContext)
            let other = CommandContext(actor: "bob", requestID: "req-2", source: .cli)
            let before = try ledger.head()
            let updated = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(description: "A2"), context: other)
            #expect(updated.name == "team-a")
            #expect(updated.description == "A2")
            #expect(updated.defaultArtifactRoot == "/srv/ta", "an update of the description changed the root")
            #expect(updated.updatedBy == "bob")
            #expect(updated.createdBy == "tester")
            #expect(updated.creationTime == created.creationTime)

            let stored = try ledger.workspace(named: "team-a")
            #expect(stored == updated)

            let events = try ledger.events(from: before.sequence + 1)
            try #require(events.count == 1)
            let event = events[0]
            #expect(event.actor == "bob")
            #expect(event.source == .cli)
            #expect(event.requestID == "req-2")
            #expect(event.workspace == "team-a")
            guard case .workspaceUpdated(let name, let description, let root) = event.payload else {
                Issue.record("expected workspace.updated, got \(event.type.name)")
                return
            }
            #expect(name == "team-a")
            #expect(description == FieldChange(before: "A1", after: "A2"))
            #expect(root == nil)
        }
    }

    @Test func rootUpdateRecordsBeforeAndAfter() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            var mark = try ledger.head()
            _ = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(defaultArtifactRoot: "s3://b/p"), context: testContext)
            var events = try ledger.events(from: mark.sequence + 1)
            try #require(events.count == 1)
            #expect(events[0].payload == .workspaceUpdated(
                name: "team-a", description: nil, defaultArtifactRoot: FieldChange(before: nil, after: "s3://b/p")))

            mark = try ledger.head()
            _ = try await ledger.updateWorkspace(
                name: "team-a", WorkspaceUpdate(description: "now described", defaultArtifactRoot: "file:///x"), context: testContext)
            events = try ledger.events(from: mark.sequence + 1)
            try #require(events.count == 1)
            #expect(events[0].payload == .workspaceUpdated(
                name: "team-a", description: FieldChange(before: nil, after: "now described"),
                defaultArtifactRoot: FieldChange(before: "s3://b/p", after: "file:///x")))
            let stored = try ledger.workspace(named: "team-a")
            #expect(stored.description == "now described")
            #expect(stored.defaultArtifactRoot == "file:///x")
        }
    }

    // MARK: Delete: RESTRICT

    enum Holding: String, CaseIterable, Sendable {
        case activeExperiment, softDeletedExperiment, registeredModel
    }

    @Test(arguments: Holding.allCases)
    func restrictIsRefusedWhileTheWorkspaceHoldsAnything(_ holding: Holding) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            switch holding {
            case .activeExperiment:
                _ = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            case .softDeletedExperiment:
                let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
                try await ledger.deleteExperiment(id: experiment.id, in: "team-a", context: testContext)
                #expect(try ledger.searchExperiments(in: "team-a").items.isEmpty)
            case .registeredModel:
                _ = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: testContext)
            }
            // RESTRICT is the default mode, and may be named.
            try await expectRefusal(ledger, .invalidState, naming: "team-a") {
                try await ledger.deleteWorkspace(name: "team-a", context: testContext)
            }
            try await expectRefusal(ledger, .invalidState, naming: "team-a") {
                try await ledger.deleteWorkspace(name: "team-a", mode: .restrict, context: testContext)
            }
            #expect(try ledger.workspace(named: "team-a").name == "team-a")
            let counts = try ledger.workspaceSummaries().first { $0.name == "team-a" }
            #expect(counts.map { $0.experiments + $0.registeredModels } == 1)
        }
    }

    @Test func restrictDeletesAnEmptyWorkspace() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            let before = try ledger.head()
            let summary = try await ledger.deleteWorkspace(name: "team-a", context: testContext)
            #expect(summary == WorkspaceDeletionSummary())

            let events = try ledger.events(from: before.sequence + 1)
            #expect(events.map(\.payload) == [.workspaceDeleted(name: "team-a", mode: .restrict)])
            #expect(events.first?.actor == "tester")

            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.workspace(named: "team-a") }
            #expect(try ledger.listWorkspaces().items.map(\.name) == ["default", "team-b"])
            // The name is free again.
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
        }
    }

    // MARK: Delete: CASCADE

    @Test func cascadeRemovesEverythingEachAsItsOwnEvent() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createUser(username: "alice", password: "password-1", hashRounds: 1, context: testContext)
            _ = try await ledger.createUser(username: "bob", password: "password-2", hashRounds: 1, context: testContext)
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)

            let e1 = try await ledger.createExperiment(name: "e1", in: "team-a", context: testContext)
            let e2 = try await ledger.createExperiment(name: "e2", in: "team-a", context: testContext)
            let e3 = try await ledger.createExperiment(name: "e3", in: "team-a", context: testContext)
            var runs: [String] = []
            for experiment in [e1, e1, e2, e3] {
                runs.append(try await ledger.createRun(experimentID: experiment.id, in: "team-a", context: testContext).info.runID)
            }
            try await ledger.deleteRun(id: runs[1], in: "team-a", context: testContext)
            try await ledger.deleteExperiment(id: e3.id, in: "team-a", context: testContext) // soft-deleted ones go too
            let m1 = try await ledger.createRegisteredModel(name: "m1", in: "team-a", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "m2", in: "team-a", context: testContext)

            try await ledger.setPermission(.edit, for: "alice", on: .workspace("team-a"), context: testContext)
            try await ledger.setPermission(.read, for: "bob", on: .workspace("team-a"), context: testContext)
            try await ledger.setPermission(.manage, for: "alice", on: .experiment(id: e1.id, workspace: "team-a"), context: testContext)
            try await ledger.setPermission(.read, for: "bob", on: .experiment(id: e3.id, workspace: "team-a"), context: testContext)
            try await ledger.setPermission(.use, for: "bob", on: .registeredModel(name: "m1", workspace: "team-a"), context: testContext)

            // Bystanders in another workspace must survive.
            let other = try await ledger.createExperiment(name: "e1", in: "team-b", context: testContext)
            let otherRun = try await ledger.createRun(experimentID: other.id, in: "team-b", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "m1", in: "team-b", context: testContext)
            try await ledger.setPermission(.read, for: "alice", on: .workspace("team-b"), context: testContext)

            #expect(try ledger.deletionPlan(forWorkspace: "team-a") == WorkspaceDeletionSummary(experiments: 3, runs: 4, registeredModels: 2, grants: 5))

            let before = try ledger.head()
            let summary = try await ledger.deleteWorkspace(name: "team-a", mode: .cascade, context: testContext)
            #expect(summary == WorkspaceDeletionSummary(experiments: 3, runs: 4, registeredModels: 2, grants: 5))

            let events = try ledger.events(from: before.sequence + 1, limit: 10_000)
            let counts = try eventCounts(ledger, after: before.sequence)
            #expect(counts == [
                "experiment.purged": 3, "run.purged": 4, "registered_model.deleted": 2,
                "grant.revoked": 5, "workspace.deleted": 1,
            ])
            #expect(events.last?.payload == .workspaceDeleted(name: "team-a", mode: .cascade))
            #expect(events.allSatisfy { $0.workspace == "team-a" && $0.actor == "tester" && $0.requestID == "req-test" })
            #expect(events.map(\.sequence) == Array((before.sequence + 1)...(before.sequence + UInt64(events.count))))
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp }, "event times decrease")
            let purgedExperiments = events.compactMap { event -> Int64? in
                guard case .experimentPurged(let id, _) = event.payload else { return nil }
                return id
            }
            let purgedRuns = events.compactMap { event -> String? in
                guard case .runPurged(let id, _) = event.payload else { return nil }
                return id
            }
            #expect(Set(purgedExperiments) == [e1.id, e2.id, e3.id])
            #expect(Set(purgedRuns) == Set(runs))

            // Gone: the workspace, its experiments (404 by id, wherever asked), runs, models, grants.
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.workspace(named: "team-a") }
            for experiment in [e1, e2, e3] {
                try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(id: experiment.id, in: "team-a") }
                try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(id: experiment.id, in: "default") }
            }
            for run in runs {
                try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.run(id: run, in: "team-a") }
            }
            #expect(try ledger.grants(of: "alice").map(\.resource) == [.workspace("team-b")])
            #expect(try ledger.grants(of: "bob").isEmpty)
            #expect(try ledger.listWorkspaces().items.map(\.name) == ["default", "team-b"])

            // The bystanders are untouched.
            #expect(try ledger.experiment(id: other.id, in: "team-b").name == "e1")
            #expect(try ledger.run(id: otherRun.info.runID, in: "team-b").info.experimentID == other.id)
            #expect(try ledger.registeredModel(named: "m1", in: "team-b").workspace == "team-b")

            // The names are free again, and the removed ids stay 404 in the new workspace.
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let again = try await ledger.createExperiment(name: "e1", in: "team-a", context: testContext)
            _ = try await ledger.createExperiment(name: "e3", in: "team-a", context: testContext)
            let model = try await ledger.createRegisteredModel(name: "m1", in: "team-a", context: testContext)
            #expect(again.id > e3.id, "experiment id \(again.id) reused after a purge")
            #expect(model.id != m1.id)
            for experiment in [e1, e2, e3] {
                try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(id: experiment.id, in: "team-a") }
            }
            #expect(try ledger.searchExperiments(in: "team-a", .init(viewType: .all)).items.map(\.name) == ["e3", "e1"])

            let report = try ledger.verify()
            #expect(report.isClean, "\(report.problems)")
        }
    }

    // MARK: Delete: SET_DEFAULT

    @Test func setDefaultMovesExperimentsAndModelsToDefault() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createUser(username: "alice", password: "password-1", hashRounds: 1, context: testContext)
            _ = try await ledger.createWorkspace(name: "team-a", defaultArtifactRoot: "s3://b/ta", context: testContext)
            let e1 = try await ledger.createExperiment(name: "e1", in: "team-a", context: testContext)
            let e2 = try await ledger.createExperiment(name: "e2", in: "team-a", context: testContext)
            try await ledger.deleteExperiment(id: e2.id, in: "team-a", context: testContext)
            let r1 = try await ledger.createRun(experimentID: e1.id, in: "team-a", context: testContext)
            let r2 = try await ledger.createRun(experimentID: e1.id, in: "team-a", context: testContext)
            let model = try await ledger.createRegisteredModel(name: "m1", in: "team-a", context: testContext)
            try await ledger.setPermission(.edit, for: "alice", on: .workspace("team-a"), context: testContext)
            try await ledger.setPermission(.manage, for: "alice", on: .experiment(id: e1.id, workspace: "team-a"), context: testContext)

            let before = try ledger.head()
            let summary = try await ledger.deleteWorkspace(name: "team-a", mode: .setDefault, context: testContext)
            #expect(summary == WorkspaceDeletionSummary(experiments: 2, runs: 2, registeredModels: 1, grants: 1))

            let counts = try eventCounts(ledger, after: before.sequence)
            #expect(counts == ["experiment.moved": 2, "registered_model.moved": 1, "grant.revoked": 1, "workspace.deleted": 1])
            let payloads = try ledger.events(from: before.sequence + 1).map(\.payload)
            #expect(payloads.contains(.experimentMoved(id: e1.id, from: "team-a", to: "default")))
            #expect(payloads.contains(.experimentMoved(id: e2.id, from: "team-a", to: "default")))
            #expect(payloads.contains(.registeredModelMoved(id: model.id, name: "m1", from: "team-a", to: "default")))
            #expect(payloads.last == .workspaceDeleted(name: "team-a", mode: .setDefault))

            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.workspace(named: "team-a") }
            // Experiments (keeping id, name, stage and artifact location), their runs and the model now live in default.
            let moved1 = try ledger.experiment(id: e1.id, in: "default")
            #expect(moved1.workspace == "default")
            #expect(moved1.name == "e1")
            #expect(moved1.artifactLocation == e1.artifactLocation)
            #expect(try ledger.experiment(named: "e1", in: "default").id == e1.id)
            #expect(try ledger.experiment(id: e2.id, in: "default").lifecycleStage == .deleted)
            #expect(try ledger.searchExperiments(in: "default").items.map(\.id) == [e1.id, 0])
            #expect(try ledger.searchExperiments(in: "default", .init(viewType: .deletedOnly)).items.map(\.id) == [e2.id])
            for run in [r1, r2] {
                #expect(try ledger.run(id: run.info.runID, in: "default").info.experimentID == e1.id)
            }
            #expect(try ledger.searchRuns(in: "default", experimentIDs: [e1.id]).items.count == 2)
            #expect(try ledger.registeredModel(named: "m1", in: "default").id == model.id)
            // The workspace's grants go; a grant on a moved experiment follows it.
            #expect(try ledger.grants(of: "alice").map(\.resource) == [.experiment(e1.id)])
            #expect(try ledger.grant(of: "alice", on: .experiment(id: e1.id, workspace: "default")) == .manage)

            // The name team-a is free, and the moved experiments are not visible there.
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(id: e1.id, in: "team-a") }

            let report = try ledger.verify()
            #expect(report.isClean, "\(report.problems)")
        }
    }

    enum Clash: String, CaseIterable, Sendable {
        case experimentNamedDefault, experimentNamedLikeASoftDeletedOne, registeredModel
    }

    @Test(arguments: Clash.allCases)
    func setDefaultIsRefusedOnANameClashAndChangesNothing(_ clash: Clash) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let harmless = try await ledger.createExperiment(name: "fine", in: "team-a", context: testContext)
            _ = try await ledger.createRun(experimentID: harmless.id, in: "team-a", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "fine-model", in: "team-a", context: testContext)
            let clashing: String
            switch clash {
            case .experimentNamedDefault:
                clashing = "Default"
                _ = try await ledger.createExperiment(name: "Default", in: "team-a", context: testContext)
            case .experimentNamedLikeASoftDeletedOne:
                clashing = "old"
                let old = try await ledger.createExperiment(name: "old", in: "default", context: testContext)
                try await ledger.deleteExperiment(id: old.id, in: "default", context: testContext)
                _ = try await ledger.createExperiment(name: "old", in: "team-a", context: testContext)
            case .registeredModel:
                clashing = "shared-model"
                _ = try await ledger.createRegisteredModel(name: "shared-model", in: "default", context: testContext)
                _ = try await ledger.createRegisteredModel(name: "shared-model", in: "team-a", context: testContext)
            }
            let experimentsBefore = try ledger.searchExperiments(in: "team-a", .init(viewType: .all)).items
            let defaultBefore = try ledger.searchExperiments(in: "default", .init(viewType: .all)).items

            let error = try await expectRefusal(ledger, .invalidState) {
                try await ledger.deleteWorkspace(name: "team-a", mode: .setDefault, context: testContext)
            }
            #expect(error?.message.contains("'\(clashing)'") == true, "\(error?.message ?? "")")

            // All or nothing: not even the harmless experiment moved.
            #expect(try ledger.workspace(named: "team-a").name == "team-a")
            #expect(try ledger.searchExperiments(in: "team-a", .init(viewType: .all)).items == experimentsBefore)
            #expect(try ledger.searchExperiments(in: "default", .init(viewType: .all)).items == defaultBefore)
            #expect(try ledger.experiment(id: harmless.id, in: "team-a").workspace == "team-a")
            #expect(try ledger.registeredModel(named: "fine-model", in: "team-a").workspace == "team-a")
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.registeredModel(named: "fine-model", in: "default") }
        }
    }

    // MARK: Listing

    @Test(arguments: [1, 2, 3, 5, 6, 100])
    func listWorkspacesPagesWalkEveryWorkspaceOnceInNameOrder(_ pageSize: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["zeta", "alpha", "team-b", "team-a", "mid"] {
                _ = try await ledger.createWorkspace(name: name, context: testContext)
            }
            let expected = ["alpha", "default", "mid", "team-a", "team-b", "zeta"]
            #expect(try ledger.listWorkspaces().items.map(\.name) == expected)

            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try ledger.listWorkspaces(maxResults: pageSize, pageToken: token)
                #expect(page.items.count <= pageSize)
                #expect(!page.items.isEmpty, "an empty page came before the end")
                seen += page.items.map(\.name)
                token = page.nextPageToken
                pages += 1
            } while token != nil && pages <= expected.count + 1
            #expect(seen == expected)
            #expect(token == nil)
            #expect(pages == (expected.count + pageSize - 1) / pageSize)
        }
    }

    @Test(arguments: ["garbage!", "AAAA", "AgAAAAAAAAAB", "%%%"])
    func listWorkspacesRefusesAGarbagePageToken(_ token: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await expectRefusal(ledger, .invalidParameterValue) { try ledger.listWorkspaces(maxResults: 1, pageToken: token) }
        }
    }

    @Test(arguments: [0, -1, Ledger.maxPageSize + 1])
    func listWorkspacesRefusesAnInvalidPageSize(_ maxResults: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await expectRefusal(ledger, .invalidParameterValue) { try ledger.listWorkspaces(maxResults: maxResults) }
        }
    }
}
