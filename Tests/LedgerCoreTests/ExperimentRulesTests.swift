import Foundation
import Testing
@testable import LedgerCore

// SPEC §2.2 (experiments).

/// Every page of a search, following `nextPageToken` until it is `nil` (bounded, so a token that
/// never ends fails instead of hanging).
private func allPages(_ ledger: Ledger, in workspace: String, _ search: ExperimentSearch) throws -> (items: [Experiment], pages: Int) {
    var search = search
    var items: [Experiment] = []
    var pages = 0
    repeat {
        let page = try ledger.searchExperiments(in: workspace, search)
        #expect(page.items.count <= search.maxResults)
        #expect(!page.items.isEmpty, "an empty page came before the end")
        items += page.items
        pages += 1
        search.pageToken = page.nextPageToken
    } while search.pageToken != nil && pages <= 100
    #expect(search.pageToken == nil, "the last page still has a next page token")
    return (items, pages)
}

@Suite struct ExperimentRulesTests {
    // MARK: Ids

    @Test func experimentZeroIsDefaultInDefault() async throws {
        try await withTemporaryLedger { ledger, _ in
            let zero = try ledger.experiment(id: 0, in: "default")
            #expect(zero.name == "Default")
            #expect(zero.workspace == "default")
            #expect(zero.lifecycleStage == .active)
            #expect(zero.artifactLocation == "/srv/artifacts/workspaces/default/0")
            #expect(try ledger.experiment(named: "Default", in: "default").id == 0)
            #expect(try ledger.searchExperiments(in: "default").items.map(\.id) == [0])
            let created = try #require(try ledger.events(from: 1, limit: 2).last)
            #expect(created.actor == "system")
            #expect(created.payload == .experimentCreated(id: 0, name: "Default", artifactLocation: "/srv/artifacts/workspaces/default/0", tags: []))
        }
    }

    @Test func idsAreGlobalSequentialAndNeverReused() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            let a1 = try await ledger.createExperiment(name: "x", in: "team-a", context: testContext)
            let b1 = try await ledger.createExperiment(name: "x", in: "team-b", context: testContext)
            let d1 = try await ledger.createExperiment(name: "x", in: "default", context: testContext)
            #expect([a1.id, b1.id, d1.id] == [1, 2, 3])
            #expect(try ledger.experiment(id: 2, in: "team-b").name == "x")

            // A soft delete keeps the id taken.
            try await ledger.deleteExperiment(id: d1.id, in: "default", context: testContext)
            let a2 = try await ledger.createExperiment(name: "y", in: "team-a", context: testContext)
            #expect(a2.id == 4)

            // A refused create takes no id.
            try await expectRefusal(ledger, .resourceAlreadyExists) {
                try await ledger.createExperiment(name: "y", in: "team-a", context: testContext)
            }

            // A CASCADE purge of the newest ids does not free them.
            try await ledger.deleteWorkspace(name: "team-a", mode: .cascade, context: testContext)
            let b2 = try await ledger.createExperiment(name: "z", in: "team-b", context: testContext)
            #expect(b2.id == 5)
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let a3 = try await ledger.createExperiment(name: "x", in: "team-a", context: testContext)
            #expect(a3.id == 6)
            for purged in [a1.id, a2.id] {
                try await expectRefusal(ledger, .resourceDoesNotExist, naming: "id=\(purged)") {
                    try ledger.experiment(id: purged, in: "team-a")
                }
            }
        }
    }

    @Test func unknownIdDoesNotExist() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(id: 1, in: "default") }
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(id: -1, in: "default") }
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(named: "nope", in: "default") }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.renameExperiment(id: 7, to: "x", in: "default", context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.deleteExperiment(id: 7, in: "default", context: testContext)
            }
        }
    }

    // MARK: Names

    @Test func namesAreUniqueWithinAWorkspaceAcrossLifecycleStages() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let first = try await ledger.createExperiment(name: "churn", in: "team-a", context: testContext)
            try await expectRefusal(ledger, .resourceAlreadyExists, naming: "churn") {
                try await ledger.createExperiment(name: "churn", in: "team-a", context: testContext)
            }
            // Soft-deleted, it keeps its name.
            try await ledger.deleteExperiment(id: first.id, in: "team-a", context: testContext)
            try await expectRefusal(ledger, .resourceAlreadyExists, naming: "churn") {
                try await ledger.createExperiment(name: "churn", in: "team-a", context: testContext)
            }
            let deleted = try ledger.experiment(named: "churn", in: "team-a")
            #expect(deleted.id == first.id)
            #expect(deleted.lifecycleStage == .deleted)
            // Names are case-sensitive: another spelling is another name.
            _ = try await ledger.createExperiment(name: "Churn", in: "team-a", context: testContext)
        }
    }

    @Test func theSameNameMayLiveInTwoWorkspaces() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            let a = try await ledger.createExperiment(name: "shared", in: "team-a", context: testContext)
            let b = try await ledger.createExperiment(name: "shared", in: "team-b", context: testContext)
            let d = try await ledger.createExperiment(name: "Default", in: "team-a", context: testContext)
            #expect(a.id != b.id)
            #expect(try ledger.experiment(named: "shared", in: "team-a").id == a.id)
            #expect(try ledger.experiment(named: "shared", in: "team-b").id == b.id)
            #expect(try ledger.experiment(named: "Default", in: "team-a").id == d.id)
            #expect(try ledger.experiment(named: "Default", in: "default").id == 0)
        }
    }

    static let badNames = ["", "   ", "a\nb", "tab\there", "nul\u{0}", "del\u{7F}", String(repeating: "n", count: 401)]

    @Test(arguments: badNames)
    func badNameIsRefusedOnCreateAndRename(_ name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createExperiment(name: name, in: "default", context: testContext)
            }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.renameExperiment(id: 0, to: name, in: "default", context: testContext)
            }
            #expect(try ledger.experiment(id: 0, in: "default").name == "Default")
        }
    }

    @Test func nameOf400BytesIsAccepted() async throws {
        try await withTemporaryLedger { ledger, _ in
            let name = String(repeating: "n", count: 400)
            let created = try await ledger.createExperiment(name: name, in: "default", context: testContext)
            #expect(created.name == name)
            #expect(try ledger.experiment(named: name, in: "default").id == created.id)
        }
    }

    @Test func createInAnUnknownWorkspaceIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await expectRefusal(ledger, .resourceDoesNotExist, naming: "team-z") {
                try await ledger.createExperiment(name: "e", in: "team-z", context: testContext)
            }
        }
    }

    // MARK: Artifact location

    @Test func locationWithoutAWorkspaceRootIsUnderTheServerRoot() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            #expect(experiment.artifactLocation == "/srv/artifacts/workspaces/team-a/\(experiment.id)")
            #expect(try ledger.experiment(id: experiment.id, in: "team-a").artifactLocation == "/srv/artifacts/workspaces/team-a/1")
        }
    }

    @Test(arguments: [
        ("s3://b/p", "s3://b/p/1"),
        ("s3://b/p/", "s3://b/p/1"),
        ("file:///x", "file:///x/1"),
        ("mlflow-artifacts:/x", "mlflow-artifacts:/x/1"),
        ("/data/team-a", "/data/team-a/1"),
    ])
    func locationWithAWorkspaceRootIsUnderIt(_ root: String, _ expected: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", defaultArtifactRoot: root, context: testContext)
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            #expect(experiment.id == 1)
            #expect(experiment.artifactLocation == expected)
            #expect(try ledger.experiment(id: 1, in: "team-a").artifactLocation == expected)
            // The event carries the computed location.
            let event = try #require(try ledger.events(from: try ledger.head().sequence).last)
            #expect(event.payload == .experimentCreated(id: 1, name: "e", artifactLocation: expected, tags: []))
        }
    }

    @Test func changingAWorkspaceRootAffectsOnlyLaterExperiments() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let e1 = try await ledger.createExperiment(name: "e1", in: "team-a", context: testContext)
            _ = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(defaultArtifactRoot: "s3://b/p"), context: testContext)
            let e2 = try await ledger.createExperiment(name: "e2", in: "team-a", context: testContext)
            _ = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(defaultArtifactRoot: "file:///x"), context: testContext)
            let e3 = try await ledger.createExperiment(name: "e3", in: "team-a", context: testContext)
            _ = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(defaultArtifactRoot: ""), context: testContext)
            let e4 = try await ledger.createExperiment(name: "e4", in: "team-a", context: testContext)

            let expected: [(Experiment, String)] = [
                (e1, "/srv/artifacts/workspaces/team-a/\(e1.id)"),
                (e2, "s3://b/p/\(e2.id)"),
                (e3, "file:///x/\(e3.id)"),
                (e4, "/srv/artifacts/workspaces/team-a/\(e4.id)"),
            ]
            for (experiment, location) in expected {
                #expect(experiment.artifactLocation == location)
                #expect(try ledger.experiment(id: experiment.id, in: "team-a").artifactLocation == location)
            }
            // Another workspace's root never leaks in.
            let d = try await ledger.createExperiment(name: "d", in: "default", context: testContext)
            #expect(d.artifactLocation == "/srv/artifacts/workspaces/default/\(d.id)")
        }
    }

    @Test func serverRootWithATrailingSlashIsJoinedCleanly() async throws {
        try await withTemporaryLedger(defaultArtifactRoot: "/srv/other/") { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            #expect(experiment.artifactLocation == "/srv/other/workspaces/team-a/1")
        }
    }

    // MARK: Rename

    @Test func renameMovesTheNameAndFreesTheOldOne() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "old", in: "default", context: testContext)
            let mark = try ledger.head()
            let renamed = try await ledger.renameExperiment(id: e.id, to: "new", in: "default", context: testContext)
            #expect(renamed.name == "new")
            #expect(try ledger.experiment(id: e.id, in: "default").name == "new")
            #expect(try ledger.experiment(named: "new", in: "default").id == e.id)
            #expect(try ledger.events(from: mark.sequence + 1).map(\.payload) == [.experimentRenamed(id: e.id, from: "old", to: "new")])
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(named: "old", in: "default") }
            let reused = try await ledger.createExperiment(name: "old", in: "default", context: testContext)
            #expect(reused.id != e.id)
        }
    }

    @Test(arguments: [false, true])
    func renameToATakenNameIsRefused(_ takenByDeleted: Bool) async throws {
        try await withTemporaryLedger { ledger, _ in
            let a = try await ledger.createExperiment(name: "a", in: "default", context: testContext)
            let b = try await ledger.createExperiment(name: "b", in: "default", context: testContext)
            if takenByDeleted { try await ledger.deleteExperiment(id: b.id, in: "default", context: testContext) }
            try await expectRefusal(ledger, .resourceAlreadyExists, naming: "b") {
                try await ledger.renameExperiment(id: a.id, to: "b", in: "default", context: testContext)
            }
            #expect(try ledger.experiment(id: a.id, in: "default").name == "a")
            #expect(try ledger.experiment(named: "b", in: "default").id == b.id)
        }
    }

    @Test func renameToANameTakenInAnotherWorkspaceIsAllowed() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createExperiment(name: "b", in: "team-a", context: testContext)
            let a = try await ledger.createExperiment(name: "a", in: "default", context: testContext)
            #expect(try await ledger.renameExperiment(id: a.id, to: "b", in: "default", context: testContext).name == "b")
        }
    }

    @Test func renameOfADeletedExperimentIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            try await ledger.deleteExperiment(id: e.id, in: "default", context: testContext)
            try await expectRefusal(ledger, .invalidState) {
                try await ledger.renameExperiment(id: e.id, to: "f", in: "default", context: testContext)
            }
            #expect(try ledger.experiment(id: e.id, in: "default").name == "e")
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(named: "f", in: "default") }
        }
    }

    // MARK: Delete and restore

    @Test func deleteIsSoftAndRestoreBringsItBack() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", tags: [Tag(key: "k", value: "v")], in: "default", context: testContext)
            var mark = try ledger.head()
            try await ledger.deleteExperiment(id: e.id, in: "default", context: testContext)
            #expect(try ledger.events(from: mark.sequence + 1).map(\.payload) == [.experimentDeleted(id: e.id)])
            let deleted = try ledger.experiment(id: e.id, in: "default")
            #expect(deleted.lifecycleStage == .deleted)
            #expect(deleted.name == "e")
            #expect(deleted.tags == [Tag(key: "k", value: "v")])
            #expect(deleted.artifactLocation == e.artifactLocation)
            #expect(!(try ledger.searchExperiments(in: "default").items.map(\.id).contains(e.id)))

            mark = try ledger.head()
            try await ledger.restoreExperiment(id: e.id, in: "default", context: testContext)
            #expect(try ledger.events(from: mark.sequence + 1).map(\.payload) == [.experimentRestored(id: e.id)])
            #expect(try ledger.experiment(id: e.id, in: "default").lifecycleStage == .active)
            #expect(try ledger.searchExperiments(in: "default").items.map(\.id) == [e.id, 0])
        }
    }

    @Test func deletingADeletedExperimentIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            try await ledger.deleteExperiment(id: e.id, in: "default", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue, naming: "\(e.id)") {
                try await ledger.deleteExperiment(id: e.id, in: "default", context: testContext)
            }
            #expect(try ledger.experiment(id: e.id, in: "default").lifecycleStage == .deleted)
        }
    }

    @Test func restoringAnActiveExperimentIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            try await expectRefusal(ledger, .invalidParameterValue, naming: "\(e.id)") {
                try await ledger.restoreExperiment(id: e.id, in: "default", context: testContext)
            }
            #expect(try ledger.experiment(id: e.id, in: "default").lifecycleStage == .active)
        }
    }

    @Test func runsCannotBeCreatedInADeletedExperiment() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            try await ledger.deleteExperiment(id: e.id, in: "default", context: testContext)
            try await expectRefusal(ledger, .invalidState) {
                try await ledger.createRun(experimentID: e.id, in: "default", context: testContext)
            }
        }
    }

    // MARK: Tags

    @Test func tagsCanBeGivenSetReplacedAndDeleted() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(
                name: "e", tags: [Tag(key: "team", value: "vision"), Tag(key: "a", value: "1")], in: "default", context: testContext)
            #expect(e.tags == [Tag(key: "a", value: "1"), Tag(key: "team", value: "vision")])
            #expect(try ledger.experiment(id: e.id, in: "default").tags == e.tags)

            var mark = try ledger.head()
            try await ledger.setExperimentTag(id: e.id, key: "team", value: "nlp", in: "default", context: testContext)
            #expect(try ledger.events(from: mark.sequence + 1).map(\.payload)
                    == [.experimentTagSet(id: e.id, key: "team", value: "nlp", previous: "vision")])
            try await ledger.setExperimentTag(id: e.id, key: "new", value: "x", in: "default", context: testContext)
            #expect(try ledger.experiment(id: e.id, in: "default").tags
                    == [Tag(key: "a", value: "1"), Tag(key: "new", value: "x"), Tag(key: "team", value: "nlp")])

            mark = try ledger.head()
            try await ledger.deleteExperimentTag(id: e.id, key: "a", in: "default", context: testContext)
            #expect(try ledger.events(from: mark.sequence + 1).map(\.payload) == [.experimentTagDeleted(id: e.id, key: "a", previous: "1")])
            #expect(try ledger.experiment(id: e.id, in: "default").tags == [Tag(key: "new", value: "x"), Tag(key: "team", value: "nlp")])
        }
    }

    @Test func deletingAMissingTagIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", tags: [Tag(key: "k", value: "v")], in: "default", context: testContext)
            try await expectRefusal(ledger, .resourceDoesNotExist, naming: "missing") {
                try await ledger.deleteExperimentTag(id: e.id, key: "missing", in: "default", context: testContext)
            }
            try await ledger.deleteExperimentTag(id: e.id, key: "k", in: "default", context: testContext)
            // Deleting it a second time: it is missing now.
            try await expectRefusal(ledger, .resourceDoesNotExist, naming: "k") {
                try await ledger.deleteExperimentTag(id: e.id, key: "k", in: "default", context: testContext)
            }
        }
    }

    static let badTags: [LedgerCore.Tag] = [
        Tag(key: "", value: "v"),
        Tag(key: String(repeating: "k", count: 251), value: "v"),
        Tag(key: "line\nbreak", value: "v"),
        Tag(key: "k", value: String(repeating: "v", count: 8001)),
    ]

    @Test(arguments: badTags)
    func badTagIsRefused(_ tag: LedgerCore.Tag) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createExperiment(name: "e", tags: [Tag(key: "fine", value: "1"), tag], in: "default", context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.experiment(named: "e", in: "default") }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.setExperimentTag(id: 0, key: tag.key, value: tag.value, in: "default", context: testContext)
            }
            #expect(try ledger.experiment(id: 0, in: "default").tags.isEmpty)
        }
    }

    @Test func settingATagOnADeletedExperimentIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let e = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            try await ledger.deleteExperiment(id: e.id, in: "default", context: testContext)
            try await expectRefusal(ledger, .invalidState) {
                try await ledger.setExperimentTag(id: e.id, key: "k", value: "v", in: "default", context: testContext)
            }
        }
    }

    // MARK: Another workspace's experiment does not exist

    enum ForeignAccess: String, CaseIterable, Sendable {
        case getByID, getByName, rename, delete, restore, setTag, deleteTag, createRun
    }

    @Test(arguments: ForeignAccess.allCases, ["team-b", "default"])
    func anExperimentOfAnotherWorkspaceDoesNotExist(_ access: ForeignAccess, _ caller: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            let e = try await ledger.createExperiment(name: "secret", tags: [Tag(key: "k", value: "v")], in: "team-a", context: testContext)
            if access == .restore { try await ledger.deleteExperiment(id: e.id, in: "team-a", context: testContext) }
            let before = try ledger.experiment(id: e.id, in: "team-a")

            try await expectRefusal(ledger, .resourceDoesNotExist) { () async throws -> Void in
                switch access {
                case .getByID: _ = try ledger.experiment(id: e.id, in: caller)
                case .getByName: _ = try ledger.experiment(named: "secret", in: caller)
                case .rename: try await ledger.renameExperiment(id: e.id, to: "mine", in: caller, context: testContext)
                case .delete: try await ledger.deleteExperiment(id: e.id, in: caller, context: testContext)
                case .restore: try await ledger.restoreExperiment(id: e.id, in: caller, context: testContext)
                case .setTag: try await ledger.setExperimentTag(id: e.id, key: "k", value: "w", in: caller, context: testContext)
                case .deleteTag: try await ledger.deleteExperimentTag(id: e.id, key: "k", in: caller, context: testContext)
                case .createRun: _ = try await ledger.createRun(experimentID: e.id, in: caller, context: testContext)
                }
            }
            #expect(try ledger.experiment(id: e.id, in: "team-a") == before)
            #expect(!(try ledger.searchExperiments(in: caller, .init(viewType: .all)).items.map(\.id).contains(e.id)))
        }
    }

    // MARK: Search

    /// Experiments `a`, `b`, `c`, `d` in `team-a` (created in that order), with `b` and `d` soft-deleted.
    private static func seedLifecycle(_ ledger: Ledger) async throws -> [String: Int64] {
        _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
        var ids: [String: Int64] = [:]
        for name in ["a", "b", "c", "d"] {
            ids[name] = try await ledger.createExperiment(name: name, in: "team-a", context: testContext).id
        }
        try await ledger.deleteExperiment(id: ids["b"]!, in: "team-a", context: testContext)
        try await ledger.deleteExperiment(id: ids["d"]!, in: "team-a", context: testContext)
        return ids
    }

    @Test(arguments: [
        (ViewType.activeOnly, ["c", "a"]),
        (ViewType.deletedOnly, ["d", "b"]),
        (ViewType.all, ["d", "c", "b", "a"]),
    ])
    func viewTypeSelectsByLifecycleStage(_ viewType: ViewType, _ expected: [String]) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.seedLifecycle(ledger)
            // Straight from the index (no filter, default order) ...
            #expect(try ledger.searchExperiments(in: "team-a", .init(viewType: viewType)).items.map(\.name) == expected)
            // ... and through the filtered path.
            let filtered = ExperimentSearch(viewType: viewType, name: .like("%"))
            #expect(try ledger.searchExperiments(in: "team-a", filtered).items.map(\.name) == expected)
        }
    }

    @Test func restoringMovesAnExperimentBetweenViews() async throws {
        try await withTemporaryLedger { ledger, _ in
            let ids = try await Self.seedLifecycle(ledger)
            try await ledger.restoreExperiment(id: ids["b"]!, in: "team-a", context: testContext)
            #expect(try ledger.searchExperiments(in: "team-a", .init(viewType: .activeOnly)).items.map(\.name) == ["c", "b", "a"])
            #expect(try ledger.searchExperiments(in: "team-a", .init(viewType: .deletedOnly)).items.map(\.name) == ["d"])
            #expect(try ledger.searchExperiments(in: "team-a", .init(viewType: .all)).items.map(\.name) == ["d", "c", "b", "a"])
        }
    }

    @Test(arguments: [
        (StringMatch.equals("eval"), ["eval"]),
        (StringMatch.equals("Eval"), []),
        (StringMatch.notEquals("eval"), ["Train-RNN", "train-cnn", "retrain"]),
        (StringMatch.like("%rain%"), ["Train-RNN", "train-cnn", "retrain"]),
        (StringMatch.like("train%"), ["train-cnn"]),
        (StringMatch.like("%RNN"), ["Train-RNN"]),
        (StringMatch.like("_val"), ["eval"]),
        (StringMatch.ilike("train%"), ["Train-RNN", "train-cnn"]),
        (StringMatch.ilike("%RAIN%"), ["Train-RNN", "train-cnn", "retrain"]),
        (StringMatch.like("%zzz%"), []),
    ])
    func nameFilter(_ match: StringMatch, _ expected: [String]) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            for name in ["eval", "retrain", "train-cnn", "Train-RNN"] {
                _ = try await ledger.createExperiment(name: name, in: "team-a", context: testContext)
            }
            // Other workspaces never leak into the results.
            _ = try await ledger.createExperiment(name: "train-cnn", in: "default", context: testContext)
            let page = try ledger.searchExperiments(in: "team-a", .init(name: match))
            #expect(page.items.map(\.name) == expected)
            #expect(page.items.allSatisfy { $0.workspace == "team-a" })
            #expect(page.nextPageToken == nil)
        }
    }

    @Test func tagFilter() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createExperiment(name: "v1", tags: [Tag(key: "team", value: "vision")], in: "team-a", context: testContext)
            _ = try await ledger.createExperiment(name: "n1", tags: [Tag(key: "team", value: "nlp")], in: "team-a", context: testContext)
            _ = try await ledger.createExperiment(name: "v2", tags: [Tag(key: "team", value: "Vision"), Tag(key: "prod", value: "yes")], in: "team-a", context: testContext)
            _ = try await ledger.createExperiment(name: "none", in: "team-a", context: testContext)

            func names(_ tags: [ExperimentSearch.TagCondition], name: StringMatch? = nil) throws -> [String] {
                try ledger.searchExperiments(in: "team-a", .init(name: name, tags: tags)).items.map(\.name)
            }
            #expect(try names([.init(key: "team", match: .equals("vision"))]) == ["v1"])
            #expect(try names([.init(key: "team", match: .ilike("vision"))]) == ["v2", "v1"])
            #expect(try names([.init(key: "team", match: .like("%"))]) == ["v2", "n1", "v1"])
            #expect(try names([.init(key: "team", match: .notEquals("nlp"))]) == ["v2", "v1"])
            #expect(try names([.init(key: "team", match: .ilike("vision")), .init(key: "prod", match: .equals("yes"))]) == ["v2"])
            #expect(try names([.init(key: "missing", match: .like("%"))]) == [])
            #expect(try names([.init(key: "team", match: .like("%"))], name: .like("v%")) == ["v2", "v1"])
        }
    }

    @Test func orderByName() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            for name in ["delta", "alpha", "charlie", "bravo"] {
                _ = try await ledger.createExperiment(name: name, in: "team-a", context: testContext)
            }
            let ascending = try ledger.searchExperiments(in: "team-a", .init(orderBy: [.init(.name, ascending: true)]))
            #expect(ascending.items.map(\.name) == ["alpha", "bravo", "charlie", "delta"])
            let descending = try ledger.searchExperiments(in: "team-a", .init(orderBy: [.init(.name, ascending: false)]))
            #expect(descending.items.map(\.name) == ["delta", "charlie", "bravo", "alpha"])
            // The default order is newest first.
            #expect(try ledger.searchExperiments(in: "team-a").items.map(\.name) == ["bravo", "charlie", "alpha", "delta"])
        }
    }

    @Test(arguments: [1, 2, 3, 6, 7, 50])
    func paginationInTheDefaultOrderWalksEveryExperimentOnce(_ pageSize: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            _ = try await ledger.createWorkspace(name: "team-b", context: testContext)
            var ids: [Int64] = []
            for index in 0..<7 {
                ids.append(try await ledger.createExperiment(name: "e\(index)", in: "team-a", context: testContext).id)
                // Neighbours in the global id space that must not appear.
                _ = try await ledger.createExperiment(name: "e\(index)", in: "team-b", context: testContext)
            }
            let newestFirst = Array(ids.reversed())
            #expect(try ledger.searchExperiments(in: "team-a").items.map(\.id) == newestFirst)

            let (items, pages) = try allPages(ledger, in: "team-a", .init(maxResults: pageSize))
            #expect(items.map(\.id) == newestFirst)
            #expect(pages == (ids.count + pageSize - 1) / pageSize)
        }
    }

    @Test(arguments: [1, 2, 4, 5])
    func paginationOfAFilteredSearchWalksEveryMatchOnce(_ pageSize: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            for name in ["run-d", "other-1", "run-b", "run-e", "other-2", "run-a", "run-c"] {
                _ = try await ledger.createExperiment(name: name, in: "team-a", context: testContext)
            }
            let search = ExperimentSearch(name: .like("run-%"), orderBy: [.init(.name, ascending: true)], maxResults: pageSize)
            let (items, pages) = try allPages(ledger, in: "team-a", search)
            #expect(items.map(\.name) == ["run-a", "run-b", "run-c", "run-d", "run-e"])
            #expect(pages == (5 + pageSize - 1) / pageSize)

            // A filtered search in the default order pages the same way.
            let newest = try allPages(ledger, in: "team-a", .init(name: .like("run-%"), maxResults: pageSize)).items
            #expect(newest.map(\.name) == ["run-c", "run-a", "run-e", "run-b", "run-d"])
        }
    }

    @Test func paginationOverTheDeletedView() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.seedLifecycle(ledger)
            let (items, _) = try allPages(ledger, in: "team-a", .init(viewType: .deletedOnly, maxResults: 1))
            #expect(items.map(\.name) == ["d", "b"])
            let all = try allPages(ledger, in: "team-a", .init(viewType: .all, maxResults: 3)).items
            #expect(all.map(\.name) == ["d", "c", "b", "a"])
        }
    }

    /// ALL has no partition of its own: its pages merge the active and the deleted partitions.
    /// Over stages mixed at random, beside neighbouring workspaces (whose partitions adjoin), every
    /// page size yields every experiment once, newest first, and each stage alone its own.
    @Test func allViewPagesMergeTheStagePartitions() async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["team", "team-a", "team-b"] { _ = try await ledger.createWorkspace(name: name, context: testContext) }
            var rng = SystemRandomNumberGenerator()
            var deleted: Set<Int64> = []
            var ids: [Int64] = []
            for index in 0..<40 {
                for workspace in ["team", "team-b"] { _ = try await ledger.createExperiment(name: "n\(index)", in: workspace, context: testContext) }
                let experiment = try await ledger.createExperiment(name: "e\(index)", in: "team-a", context: testContext)
                ids.append(experiment.id)
                if Bool.random(using: &rng) {
                    try await ledger.deleteExperiment(id: experiment.id, in: "team-a", context: testContext)
                    deleted.insert(experiment.id)
                }
            }
            // Restore some, so that the partitions hold entries that moved back and forth.
            for id in deleted.shuffled(using: &rng).prefix(deleted.count / 2) {
                try await ledger.restoreExperiment(id: id, in: "team-a", context: testContext)
                deleted.remove(id)
            }
            let newestFirst = ids.sorted(by: >)
            let inTeamA = Set(ids)
            for pageSize in [1, 2, 3, 7, 40, 100] {
                let all = try allPages(ledger, in: "team-a", .init(viewType: .all, maxResults: pageSize))
                #expect(all.items.map(\.id) == newestFirst, "page size \(pageSize)")
                #expect(all.items.allSatisfy { inTeamA.contains($0.id) })
                let active = try allPages(ledger, in: "team-a", .init(viewType: .activeOnly, maxResults: pageSize)).items.map(\.id)
                #expect(active == newestFirst.filter { !deleted.contains($0) }, "page size \(pageSize)")
                let gone = try allPages(ledger, in: "team-a", .init(viewType: .deletedOnly, maxResults: pageSize)).items.map(\.id)
                #expect(gone == newestFirst.filter { deleted.contains($0) }, "page size \(pageSize)")
            }
        }
    }

    @Test(arguments: ["garbage!", "AAAA", "%%%", "AQ"])
    func aGarbagePageTokenIsRefused(_ token: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.seedLifecycle(ledger)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try ledger.searchExperiments(in: "team-a", .init(maxResults: 1, pageToken: token))
            }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try ledger.searchExperiments(in: "team-a", .init(name: .like("%"), maxResults: 1, pageToken: token))
            }
        }
    }

    /// Tokens of the right listing whose position is damaged (an experiment position is an 8-byte id,
    /// an offset 8 bytes): answering them with an empty last page would end a client's walk early.
    @Test(arguments: [
        ("Ag", false), ("AgECAw", false), ("AgAAAAAAAAAAAA", false),
        ("BQ", true), ("BQECAw", true),
    ])
    func aDamagedPageTokenIsRefused(_ token: String, _ filtered: Bool) async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.seedLifecycle(ledger)
            let search = ExperimentSearch(viewType: .all, name: filtered ? .like("%") : nil, maxResults: 1, pageToken: token)
            _ = try await expectRefusal(ledger, .invalidParameterValue) { try ledger.searchExperiments(in: "team-a", search) }
        }
    }

    @Test func aTokenOfAnotherListingIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await Self.seedLifecycle(ledger)
            let indexToken = try #require(try ledger.searchExperiments(in: "team-a", .init(viewType: .all, maxResults: 1)).nextPageToken)
            let filteredToken = try #require(try ledger.searchExperiments(in: "team-a", .init(viewType: .all, name: .like("%"), maxResults: 1)).nextPageToken)
            let workspaceToken = try #require(try ledger.listWorkspaces(maxResults: 1).nextPageToken)
            try await expectRefusal(ledger, .invalidParameterValue) {
                try ledger.searchExperiments(in: "team-a", .init(viewType: .all, name: .like("%"), maxResults: 1, pageToken: indexToken))
            }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try ledger.searchExperiments(in: "team-a", .init(viewType: .all, maxResults: 1, pageToken: filteredToken))
            }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try ledger.searchExperiments(in: "team-a", .init(maxResults: 1, pageToken: workspaceToken))
            }
            try await expectRefusal(ledger, .invalidParameterValue) {
                try ledger.listWorkspaces(maxResults: 1, pageToken: indexToken)
            }
        }
    }

    @Test(arguments: [0, -1, Ledger.maxPageSize + 1])
    func anInvalidMaxResultsIsRefused(_ maxResults: Int) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue, naming: "\(maxResults)") {
                try ledger.searchExperiments(in: "default", .init(maxResults: maxResults))
            }
            try await expectRefusal(ledger, .invalidParameterValue, naming: "\(maxResults)") {
                try ledger.searchExperiments(in: "default", .init(name: .like("%"), maxResults: maxResults))
            }
        }
    }

    @Test func searchingAnUnknownWorkspaceIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.searchExperiments(in: "team-z") }
            try await expectRefusal(ledger, .resourceDoesNotExist) { try ledger.searchExperiments(in: "team-z", .init(name: .like("%"))) }
        }
    }
}
