import Foundation
import Testing
@testable import LedgerCore

/// Swift Testing has a `Tag` of its own.
private typealias Tag = LedgerCore.Tag

/// SPEC §2.4: registered models, unique by name within a workspace.
@Suite struct RegisteredModelRulesTests {
    // MARK: Helpers

    private func workspace(_ ledger: Ledger, _ name: String) async throws {
        if name != Workspace.defaultName, (try? ledger.workspace(named: name)) == nil {
            _ = try await ledger.createWorkspace(name: name, context: testContext)
        }
    }

    @discardableResult
    private func model(_ ledger: Ledger, _ name: String, in workspace: String = "team-a", description: String? = nil,
                       tags: [Tag] = []) async throws -> RegisteredModel {
        try await self.workspace(ledger, workspace)
        return try await ledger.createRegisteredModel(name: name, description: description, tags: tags, in: workspace, context: testContext)
    }

    // MARK: Create and get

    @Test func createAndGet() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await model(ledger, "churn", description: "predicts churn",
                                          tags: [Tag(key: "team", value: "growth"), Tag(key: "area", value: "crm")])
            #expect(created.name == "churn")
            #expect(created.workspace == "team-a")
            #expect(created.description == "predicts churn")
            #expect(created.tags == [Tag(key: "area", value: "crm"), Tag(key: "team", value: "growth")])
            let fetched = try ledger.registeredModel(named: "churn", in: "team-a")
            #expect(fetched == created)
            let event = try lastEvent(ledger)
            #expect(event.type == .registeredModelCreated)
            #expect(event.workspace == "team-a")
            #expect(event.entity == EntityReference(kind: .registeredModel, id: String(created.id)))
        }
    }

    @Test func getOfAnUnknownModelIsResourceDoesNotExist() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "churn")
            let error = await expectLedgerError(.resourceDoesNotExist) { try ledger.registeredModel(named: "nope", in: "team-a") }
            #expect(error?.message.contains("nope") == true)
        }
    }

    @Test func createInAnUnknownWorkspaceIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.createRegisteredModel(name: "m", in: "nowhere", context: testContext)
            }
        }
    }

    @Test func namesAreUniqueWithinAWorkspace() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "churn")
            let error = try await expectRefusal(ledger, .resourceAlreadyExists) {
                try await ledger.createRegisteredModel(name: "churn", in: "team-a", context: testContext)
            }
            #expect(error?.message.contains("churn") == true)
            // Names are case-sensitive, as MLflow's are.
            try await model(ledger, "Churn")
        }
    }

    @Test func theSameNameInTwoWorkspacesIsTwoModels() async throws {
        try await withTemporaryLedger { ledger, _ in
            let a = try await model(ledger, "churn", in: "team-a", description: "a")
            let b = try await model(ledger, "churn", in: "team-b", description: "b")
            let d = try await model(ledger, "churn", in: "default", description: "d")
            #expect(Set([a.id, b.id, d.id]).count == 3)
            #expect(try ledger.registeredModel(named: "churn", in: "team-a").description == "a")
            #expect(try ledger.registeredModel(named: "churn", in: "team-b").description == "b")
            #expect(try ledger.registeredModel(named: "churn", in: "default").description == "d")
            #expect(try ledger.registeredModel(named: "churn", in: "team-b").workspace == "team-b")
        }
    }

    @Test(arguments: [
        (what: "empty", name: ""),
        (what: "blank", name: "   "),
        (what: "newline", name: "a\nb"),
        (what: "tab", name: "a\tb"),
        (what: "DEL", name: "a\u{7F}b"),
        (what: "over 400 bytes", name: String(repeating: "é", count: 201)),
    ])
    func badNamesAreRefused(what: String, name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createRegisteredModel(name: name, in: "team-a", context: testContext)
            }
            try await model(ledger, "ok")
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.renameRegisteredModel(name: "ok", to: name, in: "team-a", context: testContext)
            }
            #expect(try ledger.registeredModel(named: "ok", in: "team-a").name == "ok")
        }
    }

    @Test(arguments: [
        [Tag(key: "", value: "v")],
        [Tag(key: String(repeating: "k", count: 251), value: "v")],
        [Tag(key: "a\u{1}", value: "v")],
        [Tag(key: "k", value: String(repeating: "v", count: 8001))],
    ])
    func badTagsAreRefusedOnCreate(tags: [LedgerCore.Tag]) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createRegisteredModel(name: "m", tags: tags, in: "team-a", context: testContext)
            }
            await expectLedgerError(.resourceDoesNotExist) { try ledger.registeredModel(named: "m", in: "team-a") }
        }
    }

    // MARK: Rename

    @Test func renameMovesTheNameAndKeepsTheModel() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await model(ledger, "old", description: "x")
            let renamed = try await ledger.renameRegisteredModel(name: "old", to: "new", in: "team-a", context: testContext)
            #expect(renamed.id == created.id)
            #expect(renamed.name == "new")
            #expect(try ledger.registeredModel(named: "new", in: "team-a").id == created.id)
            #expect(try ledger.registeredModel(named: "new", in: "team-a").description == "x")
            await expectLedgerError(.resourceDoesNotExist) { try ledger.registeredModel(named: "old", in: "team-a") }
            guard case let .registeredModelRenamed(id, from, to) = try lastEvent(ledger).payload else {
                Issue.record("expected registered_model.renamed")
                return
            }
            #expect(id == created.id && from == "old" && to == "new")
            // The old name is free again.
            try await model(ledger, "old")
        }
    }

    @Test func renameToATakenNameIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "a")
            try await model(ledger, "b")
            try await expectRefusal(ledger, .resourceAlreadyExists) {
                try await ledger.renameRegisteredModel(name: "a", to: "b", in: "team-a", context: testContext)
            }
            #expect(try ledger.registeredModel(named: "a", in: "team-a").name == "a")
            // A name taken only in another workspace is free here.
            try await model(ledger, "c", in: "team-b")
            try await ledger.renameRegisteredModel(name: "a", to: "c", in: "team-a", context: testContext)
            #expect(try ledger.registeredModel(named: "c", in: "team-a").workspace == "team-a")
            #expect(try ledger.registeredModel(named: "c", in: "team-b").workspace == "team-b")
        }
    }

    @Test func renameToTheSameNameWritesNothing() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "a")
            let before = try ledger.head()
            try await ledger.renameRegisteredModel(name: "a", to: "a", in: "team-a", context: testContext)
            #expect(try ledger.head() == before)
        }
    }

    @Test func renameOfAnUnknownModelIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "a")
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.renameRegisteredModel(name: "missing", to: "z", in: "team-a", context: testContext)
            }
        }
    }

    // MARK: Update

    @Test func updateSetsAndClearsTheDescription() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "m", description: "first")
            let updated = try await ledger.updateRegisteredModel(name: "m", description: "second", in: "team-a", context: testContext)
            #expect(updated.description == "second")
            #expect(try ledger.registeredModel(named: "m", in: "team-a").description == "second")
            guard case let .registeredModelUpdated(_, change) = try lastEvent(ledger).payload else {
                Issue.record("expected registered_model.updated")
                return
            }
            #expect(change == FieldChange(before: "first", after: "second"))

            try await ledger.updateRegisteredModel(name: "m", description: nil, in: "team-a", context: testContext)
            #expect(try ledger.registeredModel(named: "m", in: "team-a").description == nil)

            let before = try ledger.head()
            try await ledger.updateRegisteredModel(name: "m", description: nil, in: "team-a", context: testContext)
            #expect(try ledger.head() == before)
        }
    }

    // MARK: Delete

    @Test func deleteRemovesTheModelAndFreesItsName() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await model(ledger, "m")
            try await model(ledger, "other")
            try await ledger.deleteRegisteredModel(name: "m", in: "team-a", context: testContext)
            await expectLedgerError(.resourceDoesNotExist) { try ledger.registeredModel(named: "m", in: "team-a") }
            #expect(try ledger.searchRegisteredModels(in: "team-a").items.map(\.name) == ["other"])
            #expect(try lastEvent(ledger).payload == .registeredModelDeleted(id: created.id, name: "m"))
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.deleteRegisteredModel(name: "m", in: "team-a", context: testContext)
            }
            let again = try await model(ledger, "m")
            #expect(again.id != created.id)
            #expect(again.tags.isEmpty)
        }
    }

    @Test func deleteRevokesTheGrantsOnTheModel() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await model(ledger, "m")
            _ = try await ledger.createUser(username: "bob", password: "password1", hashRounds: 1_000, context: testContext)
            try await ledger.setPermission(.edit, for: "bob", on: .registeredModel(name: "m", workspace: "team-a"), context: testContext)
            let before = try ledger.head()
            try await ledger.deleteRegisteredModel(name: "m", in: "team-a", context: testContext)
            let events = try ledger.events(from: before.sequence + 1)
            #expect(events.map(\.payload) == [
                .grantRevoked(resource: .registeredModel(created.id), username: "bob", previous: .edit),
                .registeredModelDeleted(id: created.id, name: "m"),
            ])
            #expect(try ledger.grants(of: "bob").isEmpty)
            // A new model of that name does not inherit the old grant.
            try await model(ledger, "m")
            #expect(try ledger.grant(of: "bob", on: .registeredModel(name: "m", workspace: "team-a")) == nil)
        }
    }

    // MARK: Tags

    @Test func setOverwriteAndDeleteTags() async throws {
        try await withTemporaryLedger { ledger, _ in
            let created = try await model(ledger, "m")
            try await ledger.setRegisteredModelTag(name: "m", key: "stage", value: "dev", in: "team-a", context: testContext)
            try await ledger.setRegisteredModelTag(name: "m", key: "owner", value: "ann", in: "team-a", context: testContext)
            try await ledger.setRegisteredModelTag(name: "m", key: "stage", value: "prod", in: "team-a", context: testContext)
            #expect(try lastEvent(ledger).payload == .registeredModelTagSet(id: created.id, key: "stage", value: "prod", previous: "dev"))
            #expect(try ledger.registeredModel(named: "m", in: "team-a").tags == [Tag(key: "owner", value: "ann"), Tag(key: "stage", value: "prod")])

            let before = try ledger.head()
            try await ledger.setRegisteredModelTag(name: "m", key: "stage", value: "prod", in: "team-a", context: testContext)
            #expect(try ledger.head() == before)

            try await ledger.deleteRegisteredModelTag(name: "m", key: "stage", in: "team-a", context: testContext)
            #expect(try lastEvent(ledger).payload == .registeredModelTagDeleted(id: created.id, key: "stage", previous: "prod"))
            #expect(try ledger.registeredModel(named: "m", in: "team-a").tags == [Tag(key: "owner", value: "ann")])
        }
    }

    @Test func deletingAMissingTagIsResourceDoesNotExist() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "m", tags: [Tag(key: "a", value: "1")])
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.deleteRegisteredModelTag(name: "m", key: "b", in: "team-a", context: testContext)
            }
            #expect(try ledger.registeredModel(named: "m", in: "team-a").tags == [Tag(key: "a", value: "1")])
        }
    }

    @Test(arguments: [
        (key: "", value: "v"),
        (key: String(repeating: "k", count: 251), value: "v"),
        (key: "a\nb", value: "v"),
        (key: "k", value: String(repeating: "v", count: 8001)),
    ])
    func badTagsAreRefused(key: String, value: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "m")
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.setRegisteredModelTag(name: "m", key: key, value: value, in: "team-a", context: testContext)
            }
            #expect(try ledger.registeredModel(named: "m", in: "team-a").tags.isEmpty)
        }
    }

    // MARK: Search

    @Test func searchListsOnlyTheWorkspacesModelsInNameOrder() async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["delta", "alpha", "charlie", "bravo"] { try await model(ledger, name, in: "team-a") }
            try await model(ledger, "aardvark", in: "team-b")
            try await model(ledger, "zulu", in: "default")
            let page = try ledger.searchRegisteredModels(in: "team-a")
            #expect(page.items.map(\.name) == ["alpha", "bravo", "charlie", "delta"])
            #expect(page.items.allSatisfy { $0.workspace == "team-a" })
            #expect(page.nextPageToken == nil)
            #expect(try ledger.searchRegisteredModels(in: "team-b").items.map(\.name) == ["aardvark"])
            #expect(try ledger.searchRegisteredModels(in: "default").items.map(\.name) == ["zulu"])
        }
    }

    @Test(arguments: [
        (filter: StringMatch.equals("churn-eu"), expected: ["churn-eu"]),
        (filter: .notEquals("churn-eu"), expected: ["Churn-US", "churn-us", "fraud"]),
        (filter: .like("churn%"), expected: ["churn-eu", "churn-us"]),
        (filter: .like("%-__"), expected: ["Churn-US", "churn-eu", "churn-us"]),
        (filter: .ilike("CHURN-us"), expected: ["Churn-US", "churn-us"]),
        (filter: .like("nothing%"), expected: [String]()),
    ])
    func searchFiltersByName(filter: StringMatch, expected: [String]) async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["churn-us", "fraud", "Churn-US", "churn-eu"] { try await model(ledger, name) }
            try await model(ledger, "churn-apac", in: "team-b")
            #expect(try ledger.searchRegisteredModels(in: "team-a", name: filter).items.map(\.name) == expected)
        }
    }

    @Test func searchPaginatesWithoutGapsOrRepeats() async throws {
        try await withTemporaryLedger { ledger, _ in
            let names = (0..<7).map { "model-\($0)" }
            for name in names.shuffled() { try await model(ledger, name) }
            try await model(ledger, "other")
            var seen: [String] = []
            var sizes: [Int] = []
            var token: String?
            repeat {
                let page = try ledger.searchRegisteredModels(in: "team-a", name: .like("model-%"), maxResults: 3, pageToken: token)
                seen += page.items.map(\.name)
                sizes.append(page.items.count)
                token = page.nextPageToken
            } while token != nil && sizes.count < 10
            #expect(sizes == [3, 3, 1])
            #expect(seen == names)
        }
    }

    @Test func searchWithExactlyAFullLastPageGivesNoToken() async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["a", "b", "c", "d"] { try await model(ledger, name) }
            let first = try ledger.searchRegisteredModels(in: "team-a", maxResults: 2)
            #expect(first.items.map(\.name) == ["a", "b"])
            let token = try #require(first.nextPageToken)
            let second = try ledger.searchRegisteredModels(in: "team-a", maxResults: 2, pageToken: token)
            #expect(second.items.map(\.name) == ["c", "d"])
            #expect(second.nextPageToken == nil)
        }
    }

    @Test func searchRefusesBadArguments() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "a")
            await expectLedgerError(.invalidParameterValue) { try ledger.searchRegisteredModels(in: "team-a", maxResults: 0) }
            await expectLedgerError(.invalidParameterValue) { try ledger.searchRegisteredModels(in: "team-a", pageToken: "%%%") }
            // A token of another listing (workspaces) is refused.
            let workspaceToken = try #require(ledger.listWorkspaces(maxResults: 1).nextPageToken)
            await expectLedgerError(.invalidParameterValue) { try ledger.searchRegisteredModels(in: "team-a", pageToken: workspaceToken) }
            await expectLedgerError(.resourceDoesNotExist) { try ledger.searchRegisteredModels(in: "nowhere") }
        }
    }

    // MARK: Workspace isolation

    enum ForeignAccess: String, CaseIterable, Sendable {
        case get, rename, update, delete, setTag, deleteTag, grant

        func perform(_ ledger: Ledger, in workspace: String) async throws {
            let context = testContext
            switch self {
            case .get: _ = try ledger.registeredModel(named: "m", in: workspace)
            case .rename: try await ledger.renameRegisteredModel(name: "m", to: "m2", in: workspace, context: context)
            case .update: try await ledger.updateRegisteredModel(name: "m", description: "changed", in: workspace, context: context)
            case .delete: try await ledger.deleteRegisteredModel(name: "m", in: workspace, context: context)
            case .setTag: try await ledger.setRegisteredModelTag(name: "m", key: "k", value: "changed", in: workspace, context: context)
            case .deleteTag: try await ledger.deleteRegisteredModelTag(name: "m", key: "k", in: workspace, context: context)
            case .grant: try await ledger.setPermission(.read, for: "bob", on: .registeredModel(name: "m", workspace: workspace), context: context)
            }
        }
    }

    @Test(arguments: ForeignAccess.allCases)
    func aModelOfAnotherWorkspaceDoesNotExist(access: ForeignAccess) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await model(ledger, "m", in: "team-a", description: "d", tags: [Tag(key: "k", value: "v")])
            try await workspace(ledger, "team-b")
            _ = try await ledger.createUser(username: "bob", password: "password1", hashRounds: 1_000, context: testContext)
            let original = try ledger.registeredModel(named: "m", in: "team-a")
            for workspace in ["team-b", "default"] {
                let error = try await expectRefusal(ledger, .resourceDoesNotExist) { try await access.perform(ledger, in: workspace) }
                #expect(error?.message.contains("m") == true)
            }
            #expect(try ledger.registeredModel(named: "m", in: "team-a") == original)
            #expect(try ledger.searchRegisteredModels(in: "team-b").items.isEmpty)
            // The same call in the model's own workspace succeeds.
            try await access.perform(ledger, in: "team-a")
        }
    }
}
