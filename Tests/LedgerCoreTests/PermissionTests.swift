import Foundation
import Testing
@testable import LedgerCore

/// Swift Testing has a `Tag` of its own.
private typealias Tag = LedgerCore.Tag

/// SPEC §2.5 (users, grants, effective permissions, visible workspaces) and §2.6 (actors and the
/// audit fields every event records).
@Suite struct PermissionTests {
    // MARK: Helpers

    private static let rounds: UInt32 = 1_000

    @discardableResult
    private func user(_ ledger: Ledger, _ name: String, password: String = "correct horse", isAdmin: Bool = false) async throws -> User {
        try await ledger.createUser(username: name, password: password, isAdmin: isAdmin, hashRounds: Self.rounds, context: testContext)
    }

    private func workspace(_ ledger: Ledger, _ name: String) async throws {
        if name != Workspace.defaultName, (try? ledger.workspace(named: name)) == nil {
            _ = try await ledger.createWorkspace(name: name, context: testContext)
        }
    }

    private func eventsAfter(_ head: LogHead, _ ledger: Ledger) throws -> [RecordedEvent] {
        try ledger.events(from: head.sequence + 1, limit: 10_000)
    }

    private func visible(_ ledger: Ledger, _ username: String, floor: PermissionLevel? = nil) throws -> [String] {
        try ledger.visibleWorkspaces(for: username, defaultWorkspaceFloor: floor).items.map(\.name)
    }

    // MARK: Users

    @Test(arguments: [false, true])
    func createAndReadAUser(isAdmin: Bool) async throws {
        try await withTemporaryLedger { ledger, _ in
            let before = try ledger.head()
            let created = try await user(ledger, "alice", isAdmin: isAdmin)
            #expect(created.username == "alice")
            #expect(created.isAdmin == isAdmin)
            let stored = try ledger.user(named: "alice")
            #expect(stored == created)
            #expect(try ledger.users().map(\.username) == ["alice"])
            let events = try eventsAfter(before, ledger)
            #expect(events.count == 1)
            #expect(events.first?.type == .userCreated)
            #expect(events.first?.workspace == Workspace.defaultName)
            #expect(events.first?.entity == EntityReference(kind: .user, id: "alice"))
        }
    }

    @Test func aDuplicateUsernameIsRefused() async throws {
        try await withTemporaryLedger { ledger, _ in
            let original = try await user(ledger, "alice", password: "first-password")
            try await expectRefusal(ledger, .resourceAlreadyExists) {
                try await ledger.createUser(username: "alice", password: "second-password", isAdmin: true, hashRounds: Self.rounds, context: testContext)
            }
            let stored = try ledger.user(named: "alice")
            #expect(stored == original)
            #expect(stored.password.matches("first-password"))
        }
    }

    @Test(arguments: [
        (what: "empty", name: ""),
        (what: "colon", name: "ali:ce"),
        (what: "leading colon", name: ":alice"),
        (what: "newline", name: "ali\nce"),
        (what: "NUL", name: "ali\u{0}ce"),
        (what: "escape", name: "ali\u{1B}ce"),
        (what: "DEL", name: "ali\u{7F}ce"),
        (what: "256 bytes", name: String(repeating: "u", count: 256)),
    ])
    func badUsernamesAreRefused(what: String, name: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createUser(username: name, password: "long enough", hashRounds: Self.rounds, context: testContext)
            }
            #expect(try ledger.users().isEmpty)
        }
    }

    @Test func usernamesAtTheLimitsAreAccepted() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await user(ledger, "a")
            try await user(ledger, String(repeating: "u", count: 255))
            try await user(ledger, "jörg.o'brien@example.com")
            #expect(try ledger.users().count == 3)
        }
    }

    @Test(arguments: ["", "short", "1234567"])
    func shortPasswordsAreRefused(password: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            let error = try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.createUser(username: "alice", password: password, hashRounds: Self.rounds, context: testContext)
            }
            #expect(error.map { !$0.message.contains(password) || password.isEmpty } ?? false, "the message must not echo the password")
            await expectLedgerError(.resourceDoesNotExist) { try ledger.user(named: "alice") }
            // Eight characters are enough.
            try await user(ledger, "alice", password: "12345678")
        }
    }

    @Test func thePasswordIsStoredAsASaltedPBKDF2Hash() async throws {
        try await withTemporaryLedger { ledger, _ in
            let alice = try await user(ledger, "alice", password: "right-password")
            try await user(ledger, "bob", password: "right-password")
            let storedAlice = try ledger.user(named: "alice").password
            let storedBob = try ledger.user(named: "bob").password
            #expect(storedAlice == alice.password)
            #expect(storedAlice.matches("right-password"))
            #expect(!storedAlice.matches("wrong-password"))
            #expect(!storedAlice.matches("right-passwordx"))
            #expect(!storedAlice.matches(""))
            #expect(storedAlice.rounds == Self.rounds)
            #expect(storedAlice.salt.count == 16)
            #expect(storedAlice.derivedKey.count == 32)
            #expect(storedAlice.derivedKey != Array("right-password".utf8))
            // The same password, two salts, two hashes.
            #expect(storedAlice.salt != storedBob.salt)
            #expect(storedAlice.derivedKey != storedBob.derivedKey)
            #expect(storedBob.matches("right-password"))
            // Deterministic for a given salt: the same derivation reproduces the stored key.
            let twin = PasswordHash(rounds: storedAlice.rounds, salt: storedAlice.salt, derivedKey: storedAlice.derivedKey)
            #expect(twin.matches("right-password"))
            let otherRounds = PasswordHash(rounds: storedAlice.rounds + 1, salt: storedAlice.salt, derivedKey: storedAlice.derivedKey)
            #expect(!otherRounds.matches("right-password"))
        }
    }

    @Test func thePlainPasswordIsWrittenNowhere() async throws {
        let password = "Pl41n-T3xt-Canary-\(UUID().uuidString)"
        try await withTemporaryLedger { ledger, directory in
            try await user(ledger, "alice", password: password)
            try await ledger.updatePassword(username: "alice", password: password + "-2", hashRounds: Self.rounds, context: testContext)
            let events = try ledger.events()
            #expect(!events.contains { "\($0.payload)".contains(password) })
            ledger.close()
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.contains("data.mdb"))
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
                #expect(bytes.range(of: Data(password.utf8)) == nil, "\(file) holds the password in plain text")
            }
        }
    }

    @Test func updatePasswordReplacesTheHash() async throws {
        try await withTemporaryLedger { ledger, _ in
            let original = try await user(ledger, "alice", password: "old-password")
            let before = try ledger.head()
            try await ledger.updatePassword(username: "alice", password: "new-password", hashRounds: Self.rounds, context: testContext)
            let stored = try ledger.user(named: "alice")
            #expect(stored.password.matches("new-password"))
            #expect(!stored.password.matches("old-password"))
            #expect(stored.password.salt != original.password.salt)
            #expect(stored.isAdmin == original.isAdmin)
            let events = try eventsAfter(before, ledger)
            #expect(events.map(\.type) == [.userPasswordChanged])
        }
    }

    @Test func updatePasswordRefusals() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await user(ledger, "alice", password: "old-password")
            try await expectRefusal(ledger, .invalidParameterValue) {
                try await ledger.updatePassword(username: "alice", password: "short", hashRounds: Self.rounds, context: testContext)
            }
            // Lengths count code points, as MLflow's do: 8 of them in 4 characters are enough.
            try await ledger.updatePassword(username: "alice", password: String(repeating: "e\u{301}", count: 4), hashRounds: Self.rounds, context: testContext)
            #expect(try ledger.user(named: "alice").password.matches(String(repeating: "e\u{301}", count: 4)))
            try await ledger.updatePassword(username: "alice", password: "old-password", hashRounds: Self.rounds, context: testContext)
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.updatePassword(username: "nobody", password: "long enough", hashRounds: Self.rounds, context: testContext)
            }
            #expect(try ledger.user(named: "alice").password.matches("old-password"))
        }
    }

    @Test func theAdminFlag() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await user(ledger, "alice")
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a")) == .noPermissions)
            try await ledger.setAdmin(username: "alice", isAdmin: true, context: testContext)
            #expect(try ledger.user(named: "alice").isAdmin)
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a")) == .manage)
            let last = try #require(ledger.events(from: ledger.head().sequence).first)
            #expect(last.payload == .userAdminChanged(username: "alice", isAdmin: FieldChange(before: false, after: true)))

            let before = try ledger.head()
            try await ledger.setAdmin(username: "alice", isAdmin: true, context: testContext)
            #expect(try ledger.head() == before)

            try await ledger.setAdmin(username: "alice", isAdmin: false, context: testContext)
            #expect(try !ledger.user(named: "alice").isAdmin)
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a")) == .noPermissions)

            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.setAdmin(username: "nobody", isAdmin: true, context: testContext)
            }
        }
    }

    @Test func deletingAUserRemovesTheirGrantsEachAsAnEvent() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            let model = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: testContext)
            try await user(ledger, "alice")
            try await user(ledger, "bob")
            try await ledger.setPermission(.read, for: "alice", on: .workspace("team-a"), context: testContext)
            try await ledger.setPermission(.edit, for: "alice", on: .experiment(id: experiment.id, workspace: "team-a"), context: testContext)
            try await ledger.setPermission(.manage, for: "alice", on: .registeredModel(name: "m", workspace: "team-a"), context: testContext)
            try await ledger.setPermission(.use, for: "alice", on: .workspace("default"), context: testContext)
            try await ledger.setPermission(.read, for: "bob", on: .workspace("team-a"), context: testContext)
            #expect(try ledger.grants(of: "alice").count == 4)

            let before = try ledger.head()
            try await ledger.deleteUser(username: "alice", context: testContext)
            let events = try eventsAfter(before, ledger)
            let revoked = events.filter { $0.type == .grantRevoked }
            #expect(revoked.count == 4)
            #expect(Set(revoked.map(\.payload)) == [
                .grantRevoked(resource: .workspace("team-a"), username: "alice", previous: .read),
                .grantRevoked(resource: .experiment(experiment.id), username: "alice", previous: .edit),
                .grantRevoked(resource: .registeredModel(model.id), username: "alice", previous: .manage),
                .grantRevoked(resource: .workspace("default"), username: "alice", previous: .use),
            ])
            // Each revocation is recorded in the workspace of its resource.
            for event in revoked {
                if case .grantRevoked(.workspace("default"), _, _) = event.payload {
                    #expect(event.workspace == "default")
                } else {
                    #expect(event.workspace == "team-a")
                }
            }
            #expect(events.last?.payload == .userDeleted(username: "alice"))
            #expect(events.count == 5)

            await expectLedgerError(.resourceDoesNotExist) { try ledger.user(named: "alice") }
            #expect(try ledger.grants(of: "alice").isEmpty)
            #expect(try ledger.grants(on: .workspace("team-a")) == [Grant(resource: .workspace("team-a"), username: "bob", level: .read)])
            #expect(try ledger.grants(on: .experiment(id: experiment.id, workspace: "team-a")).isEmpty)
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a")) == .noPermissions)

            // Re-created, the user starts from nothing.
            try await user(ledger, "alice")
            #expect(try ledger.grants(of: "alice").isEmpty)
            #expect(try ledger.effectivePermission(of: "alice", on: .experiment(id: experiment.id, workspace: "team-a")) == .noPermissions)
            try await expectRefusal(ledger, .resourceDoesNotExist) { try await ledger.deleteUser(username: "nobody", context: testContext) }
        }
    }

    // MARK: Grants

    @Test func setReplaceAndRevokeAGrant() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await user(ledger, "alice")
            let target = PermissionTarget.workspace("team-a")
            try await ledger.setPermission(.read, for: "alice", on: target, context: testContext)
            #expect(try ledger.grant(of: "alice", on: target) == .read)
            try await ledger.setPermission(.edit, for: "alice", on: target, context: testContext)
            #expect(try ledger.grant(of: "alice", on: target) == .edit)
            var last = try #require(ledger.events(from: ledger.head().sequence).first)
            #expect(last.payload == .grantSet(resource: .workspace("team-a"), username: "alice", level: .edit, previous: .read))
            #expect(last.workspace == "team-a")

            let before = try ledger.head()
            try await ledger.setPermission(.edit, for: "alice", on: target, context: testContext)
            #expect(try ledger.head() == before)

            try await ledger.revokePermission(for: "alice", on: target, context: testContext)
            #expect(try ledger.grant(of: "alice", on: target) == nil)
            last = try #require(ledger.events(from: ledger.head().sequence).first)
            #expect(last.type == .grantRevoked)
            #expect(last.type.name == "grant.revoked")
            #expect(last.payload == .grantRevoked(resource: .workspace("team-a"), username: "alice", previous: .edit))

            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.revokePermission(for: "alice", on: target, context: testContext)
            }
        }
    }

    enum BadTarget: String, CaseIterable, Sendable {
        case unknownWorkspace, unknownExperiment, foreignExperiment, unknownModel, foreignModel

        var target: PermissionTarget {
            switch self {
            case .unknownWorkspace: .workspace("nowhere")
            case .unknownExperiment: .experiment(id: 999, workspace: "team-a")
            case .foreignExperiment: .experiment(id: Experiment.defaultExperimentID, workspace: "team-a") // experiment 0 lives in default
            case .unknownModel: .registeredModel(name: "ghost", workspace: "team-a")
            case .foreignModel: .registeredModel(name: "only-in-b", workspace: "team-a")
            }
        }
    }

    @Test(arguments: BadTarget.allCases)
    func grantsOnUnknownOrForeignResourcesAreRefused(bad: BadTarget) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await workspace(ledger, "team-b")
            _ = try await ledger.createRegisteredModel(name: "only-in-b", in: "team-b", context: testContext)
            try await user(ledger, "alice")
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.setPermission(.read, for: "alice", on: bad.target, context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.revokePermission(for: "alice", on: bad.target, context: testContext)
            }
            await expectLedgerError(.resourceDoesNotExist) { try ledger.effectivePermission(of: "alice", on: bad.target) }
            await expectLedgerError(.resourceDoesNotExist) { try ledger.grant(of: "alice", on: bad.target) }
            #expect(try ledger.grants(of: "alice").isEmpty)
        }
    }

    @Test(arguments: [PermissionTarget.workspace("team-a"), .experiment(id: 1, workspace: "team-a"), .registeredModel(name: "m", workspace: "team-a")])
    func grantingToAnUnknownUserIsRefused(target: PermissionTarget) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            #expect(experiment.id == 1)
            _ = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: testContext)
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.setPermission(.read, for: "ghost", on: target, context: testContext)
            }
            try await expectRefusal(ledger, .resourceDoesNotExist) {
                try await ledger.revokePermission(for: "ghost", on: target, context: testContext)
            }
            #expect(try ledger.grants(on: target).isEmpty)
        }
    }

    // MARK: Effective permission

    struct Case: Sendable, CustomTestStringConvertible {
        var workspace: PermissionLevel?
        var resource: PermissionLevel?
        var expected: PermissionLevel
        var testDescription: String {
            "workspace \(workspace?.rawValue ?? "-"), resource \(resource?.rawValue ?? "-") → \(expected.rawValue)"
        }
    }

    static let resolutionCases: [Case] = [
        Case(workspace: nil, resource: nil, expected: .noPermissions),
        Case(workspace: .read, resource: nil, expected: .read),
        Case(workspace: .edit, resource: nil, expected: .edit),
        Case(workspace: .manage, resource: nil, expected: .manage),
        Case(workspace: .noPermissions, resource: nil, expected: .noPermissions),
        Case(workspace: nil, resource: .use, expected: .use),
        Case(workspace: .edit, resource: .read, expected: .read),
        Case(workspace: .read, resource: .manage, expected: .manage),
        Case(workspace: .manage, resource: .noPermissions, expected: .noPermissions),
        Case(workspace: .noPermissions, resource: .edit, expected: .edit),
    ]

    enum ResourceKind: String, CaseIterable, Sendable { case experiment, registeredModel }

    @Test(arguments: PermissionTests.resolutionCases, ResourceKind.allCases)
    func anExplicitResourceGrantWinsOtherwiseTheWorkspaceGrant(c: Case, kind: ResourceKind) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: testContext)
            let target: PermissionTarget = kind == .experiment
                ? .experiment(id: experiment.id, workspace: "team-a") : .registeredModel(name: "m", workspace: "team-a")
            let sibling: PermissionTarget = kind == .experiment
                ? .registeredModel(name: "m", workspace: "team-a") : .experiment(id: experiment.id, workspace: "team-a")
            try await user(ledger, "alice")
            try await user(ledger, "bob")
            if let level = c.workspace { try await ledger.setPermission(level, for: "alice", on: .workspace("team-a"), context: testContext) }
            if let level = c.resource { try await ledger.setPermission(level, for: "alice", on: target, context: testContext) }
            // Noise: another user's grant never leaks.
            try await ledger.setPermission(.manage, for: "bob", on: target, context: testContext)
            try await ledger.setPermission(.manage, for: "bob", on: .workspace("team-a"), context: testContext)

            #expect(try ledger.effectivePermission(of: "alice", on: target) == c.expected)
            // The resource grant stays on its resource: the sibling falls back to the workspace grant.
            #expect(try ledger.effectivePermission(of: "alice", on: sibling) == (c.workspace ?? .noPermissions))
            // And the workspace itself answers with the workspace grant only.
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a")) == (c.workspace ?? .noPermissions))
        }
    }

    @Test func aWorkspaceGrantDoesNotReachOtherWorkspaces() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await workspace(ledger, "team-b")
            let b = try await ledger.createExperiment(name: "e", in: "team-b", context: testContext)
            try await user(ledger, "alice")
            try await ledger.setPermission(.manage, for: "alice", on: .workspace("team-a"), context: testContext)
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-b")) == .noPermissions)
            #expect(try ledger.effectivePermission(of: "alice", on: .experiment(id: b.id, workspace: "team-b")) == .noPermissions)
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("default")) == .noPermissions)
        }
    }

    @Test func anAdminHasManageEverywhereWhateverTheGrants() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: testContext)
            try await user(ledger, "root", isAdmin: true)
            try await ledger.setPermission(.noPermissions, for: "root", on: .workspace("team-a"), context: testContext)
            try await ledger.setPermission(.read, for: "root", on: .experiment(id: experiment.id, workspace: "team-a"), context: testContext)
            let targets: [PermissionTarget] = [
                .workspace("team-a"), .workspace("default"),
                .experiment(id: experiment.id, workspace: "team-a"), .experiment(id: 0, workspace: "default"),
                .registeredModel(name: "m", workspace: "team-a"),
            ]
            for target in targets {
                #expect(try ledger.effectivePermission(of: "root", on: target) == .manage, "\(target)")
                #expect(try ledger.effectivePermission(of: "root", on: target, defaultWorkspaceFloor: .read) == .manage, "\(target)")
            }
        }
    }

    @Test func anUnknownUserHasNoPermissions() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            for floor in [nil, PermissionLevel.read, .manage] {
                #expect(try ledger.effectivePermission(of: "ghost", on: .workspace("team-a"), defaultWorkspaceFloor: floor) == .noPermissions)
                #expect(try ledger.effectivePermission(of: "ghost", on: .workspace("default"), defaultWorkspaceFloor: floor) == .noPermissions)
                #expect(try ledger.effectivePermission(of: "ghost", on: .experiment(id: 0, workspace: "default"), defaultWorkspaceFloor: floor) == .noPermissions)
            }
        }
    }

    @Test(arguments: [
        // (explicit grant on default, floor, expected in default)
        (grant: PermissionLevel?.none, floor: PermissionLevel?.none, expected: PermissionLevel.noPermissions),
        (grant: nil, floor: .read, expected: .read),
        (grant: nil, floor: .edit, expected: .edit),
        (grant: .use, floor: .edit, expected: .use),
        (grant: .manage, floor: .read, expected: .manage),
        (grant: .noPermissions, floor: .manage, expected: .noPermissions),
    ])
    func theDefaultWorkspaceFloor(grant: PermissionLevel?, floor: PermissionLevel?, expected: PermissionLevel) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            let other = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            try await user(ledger, "alice")
            if let grant { try await ledger.setPermission(grant, for: "alice", on: .workspace("default"), context: testContext) }
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("default"), defaultWorkspaceFloor: floor) == expected)
            #expect(try ledger.effectivePermission(of: "alice", on: .experiment(id: 0, workspace: "default"), defaultWorkspaceFloor: floor) == expected)
            // The floor never applies outside `default`.
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a"), defaultWorkspaceFloor: floor) == .noPermissions)
            #expect(try ledger.effectivePermission(of: "alice", on: .experiment(id: other.id, workspace: "team-a"), defaultWorkspaceFloor: floor) == .noPermissions)
        }
    }

    @Test func anExplicitResourceGrantInDefaultBeatsTheFloor() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await user(ledger, "alice")
            let target = PermissionTarget.experiment(id: 0, workspace: "default")
            try await ledger.setPermission(.noPermissions, for: "alice", on: target, context: testContext)
            #expect(try ledger.effectivePermission(of: "alice", on: target, defaultWorkspaceFloor: .edit) == .noPermissions)
            #expect(try ledger.effectivePermission(of: "alice", on: .workspace("default"), defaultWorkspaceFloor: .edit) == .edit)
        }
    }

    // MARK: Visible workspaces

    @Test func anAdminSeesEveryWorkspace() async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["team-c", "team-a", "team-b"] { try await workspace(ledger, name) }
            try await user(ledger, "root", isAdmin: true)
            try await ledger.setPermission(.noPermissions, for: "root", on: .workspace("team-b"), context: testContext)
            #expect(try visible(ledger, "root") == ["default", "team-a", "team-b", "team-c"])
        }
    }

    @Test func othersSeeOnlyWorkspacesWithReadOrHigher() async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["ws-read", "ws-use", "ws-edit", "ws-manage", "ws-denied", "ws-exp-only", "ws-model-only", "ws-none"] {
                try await workspace(ledger, name)
            }
            let experiment = try await ledger.createExperiment(name: "e", in: "ws-exp-only", context: testContext)
            _ = try await ledger.createRegisteredModel(name: "m", in: "ws-model-only", context: testContext)
            try await user(ledger, "alice")
            try await user(ledger, "bob")
            try await ledger.setPermission(.read, for: "alice", on: .workspace("ws-read"), context: testContext)
            try await ledger.setPermission(.use, for: "alice", on: .workspace("ws-use"), context: testContext)
            try await ledger.setPermission(.edit, for: "alice", on: .workspace("ws-edit"), context: testContext)
            try await ledger.setPermission(.manage, for: "alice", on: .workspace("ws-manage"), context: testContext)
            try await ledger.setPermission(.noPermissions, for: "alice", on: .workspace("ws-denied"), context: testContext)
            try await ledger.setPermission(.manage, for: "alice", on: .experiment(id: experiment.id, workspace: "ws-exp-only"), context: testContext)
            try await ledger.setPermission(.manage, for: "alice", on: .registeredModel(name: "m", workspace: "ws-model-only"), context: testContext)
            try await ledger.setPermission(.read, for: "bob", on: .workspace("ws-none"), context: testContext)

            #expect(try visible(ledger, "alice") == ["ws-edit", "ws-manage", "ws-read", "ws-use"])
            #expect(try visible(ledger, "bob") == ["ws-none"])

            // Revoking makes a workspace disappear; a deny replacing a grant hides it.
            try await ledger.revokePermission(for: "alice", on: .workspace("ws-read"), context: testContext)
            try await ledger.setPermission(.noPermissions, for: "alice", on: .workspace("ws-use"), context: testContext)
            #expect(try visible(ledger, "alice") == ["ws-edit", "ws-manage"])
        }
    }

    @Test(arguments: [
        (grant: PermissionLevel?.none, floor: PermissionLevel?.none, defaultVisible: false),
        (grant: nil, floor: .read, defaultVisible: true),
        (grant: nil, floor: .use, defaultVisible: true),
        (grant: nil, floor: .noPermissions, defaultVisible: false),
        (grant: .noPermissions, floor: .read, defaultVisible: false),
        (grant: .read, floor: nil, defaultVisible: true),
    ])
    func theFloorMakesDefaultVisible(grant: PermissionLevel?, floor: PermissionLevel?, defaultVisible: Bool) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await user(ledger, "alice")
            try await ledger.setPermission(.read, for: "alice", on: .workspace("team-a"), context: testContext)
            if let grant { try await ledger.setPermission(grant, for: "alice", on: .workspace("default"), context: testContext) }
            let expected = defaultVisible ? ["default", "team-a"] : ["team-a"]
            #expect(try visible(ledger, "alice", floor: floor) == expected)
        }
    }

    /// Listing and the permission check must agree: a workspace is listed exactly when the
    /// effective workspace permission is READ or higher, for known and unknown users alike.
    @Test(arguments: [PermissionLevel?.none, .noPermissions, .read])
    func visibilityAgreesWithEffectivePermission(floor: PermissionLevel?) async throws {
        try await withTemporaryLedger { ledger, _ in
            for name in ["team-a", "team-b"] { try await workspace(ledger, name) }
            try await user(ledger, "alice")
            try await user(ledger, "root", isAdmin: true)
            try await ledger.setPermission(.read, for: "alice", on: .workspace("team-a"), context: testContext)
            try await ledger.setPermission(.noPermissions, for: "alice", on: .workspace("team-b"), context: testContext)
            let all = try ledger.listWorkspaces().items.map(\.name)
            for username in ["alice", "root", "ghost"] {
                let expected = try all.filter {
                    try ledger.effectivePermission(of: username, on: .workspace($0), defaultWorkspaceFloor: floor) >= .read
                }
                #expect(try visible(ledger, username, floor: floor) == expected, "\(username)")
            }
        }
    }

    @Test func visibleWorkspacesPaginate() async throws {
        try await withTemporaryLedger { ledger, _ in
            let names = (1...5).map { "team-\($0)" }
            for name in names + ["hidden"] { try await workspace(ledger, name) }
            try await user(ledger, "alice")
            for name in names { try await ledger.setPermission(.read, for: "alice", on: .workspace(name), context: testContext) }
            var seen: [String] = []
            var sizes: [Int] = []
            var token: String?
            repeat {
                let page = try ledger.visibleWorkspaces(for: "alice", maxResults: 2, pageToken: token)
                seen += page.items.map(\.name)
                sizes.append(page.items.count)
                token = page.nextPageToken
            } while token != nil && sizes.count < 10
            #expect(sizes == [2, 2, 1])
            #expect(seen == names)
        }
    }

    /// A search for a user pages over what they may read: full pages, each token after a
    /// readable item, and the same for the listing index, the in-memory order, and models.
    @Test(arguments: [[ExperimentSearch.Order](), [.init(.name, ascending: true)]])
    func searchesPageOverWhatTheUserMayRead(_ order: [ExperimentSearch.Order]) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            var ids: [Int64] = []
            for index in 0..<6 {
                ids.append(try await ledger.createExperiment(name: "exp-\(index)", in: "team-a", context: testContext).id)
                _ = try await ledger.createRegisteredModel(name: "model-\(index)", in: "team-a", context: testContext)
            }
            try await user(ledger, "alice")
            try await user(ledger, "root", isAdmin: true)
            // Alice reads the workspace except two experiments and two models; bob reads one of each.
            try await ledger.setPermission(.read, for: "alice", on: .workspace("team-a"), context: testContext)
            for index in [1, 4] {
                try await ledger.setPermission(.noPermissions, for: "alice", on: .experiment(id: ids[index], workspace: "team-a"), context: testContext)
                try await ledger.setPermission(.noPermissions, for: "alice", on: .registeredModel(name: "model-\(index)", workspace: "team-a"), context: testContext)
            }
            try await user(ledger, "bob")
            try await ledger.setPermission(.read, for: "bob", on: .experiment(id: ids[2], workspace: "team-a"), context: testContext)
            try await ledger.setPermission(.read, for: "bob", on: .registeredModel(name: "model-2", workspace: "team-a"), context: testContext)

            func experiments(_ visibility: SearchVisibility) throws -> (ids: [Int64], sizes: [Int]) {
                var found: [Int64] = [], sizes: [Int] = [], token: String?
                repeat {
                    let page = try ledger.searchExperiments(in: "team-a", ExperimentSearch(orderBy: order, maxResults: 2, pageToken: token, visibility: visibility))
                    found += page.items.map(\.id)
                    sizes.append(page.items.count)
                    token = page.nextPageToken
                } while token != nil && sizes.count < 10
                return (found, sizes)
            }
            func models(_ visibility: SearchVisibility) throws -> (names: [String], sizes: [Int]) {
                var found: [String] = [], sizes: [Int] = [], token: String?
                repeat {
                    let page = try ledger.searchRegisteredModels(in: "team-a", maxResults: 2, pageToken: token, visibility: visibility)
                    found += page.items.map(\.name)
                    sizes.append(page.items.count)
                    token = page.nextPageToken
                } while token != nil && sizes.count < 10
                return (found, sizes)
            }
            let readable = [0, 2, 3, 5].map { ids[$0] }
            let inOrder = order.isEmpty ? Array(readable.reversed()) : readable
            let alice = try experiments(.readable(by: "alice", defaultWorkspaceFloor: nil))
            #expect(alice.ids == inOrder)
            #expect(alice.sizes == [2, 2])
            #expect(try experiments(.readable(by: "bob", defaultWorkspaceFloor: nil)).ids == [ids[2]])
            #expect(try experiments(.readable(by: "bob", defaultWorkspaceFloor: nil)).sizes == [1])
            #expect(try experiments(.readable(by: "nobody", defaultWorkspaceFloor: nil)).sizes == [0])
            #expect(try experiments(.readable(by: "root", defaultWorkspaceFloor: nil)).ids.count == 6)
            #expect(try experiments(.everything).ids.count == 6)
            let aliceModels = try models(.readable(by: "alice", defaultWorkspaceFloor: nil))
            #expect(aliceModels.names == ["model-0", "model-2", "model-3", "model-5"])
            #expect(aliceModels.sizes == [2, 2])
            #expect(try models(.readable(by: "bob", defaultWorkspaceFloor: nil)).names == ["model-2"])
            #expect(try models(.readable(by: "nobody", defaultWorkspaceFloor: nil)).sizes == [0])
        }
    }

    // MARK: The creator's grant

    @Test func aRegisteredCreatorGetsManageOnWhatTheyCreate() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await user(ledger, "alice")
            let alice = CommandContext(actor: "alice", requestID: "req-alice", source: .http(remoteAddress: "10.0.0.5", userAgent: "mlflow-python"))

            var before = try ledger.head()
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: alice)
            var events = try eventsAfter(before, ledger)
            #expect(events.map(\.payload) == [
                .experimentCreated(id: experiment.id, name: "e", artifactLocation: experiment.artifactLocation, tags: []),
                .grantSet(resource: .experiment(experiment.id), username: "alice", level: .manage, previous: nil),
            ])
            #expect(events.last?.type.name == "grant.set")
            #expect(events.allSatisfy { $0.actor == "alice" && $0.requestID == "req-alice" && $0.workspace == "team-a" })
            #expect(try ledger.grant(of: "alice", on: .experiment(id: experiment.id, workspace: "team-a")) == .manage)
            #expect(try ledger.effectivePermission(of: "alice", on: .experiment(id: experiment.id, workspace: "team-a")) == .manage)

            before = try ledger.head()
            let model = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: alice)
            events = try eventsAfter(before, ledger)
            #expect(events.map(\.payload) == [
                .registeredModelCreated(id: model.id, name: "m", description: nil, tags: []),
                .grantSet(resource: .registeredModel(model.id), username: "alice", level: .manage, previous: nil),
            ])
            #expect(try ledger.grant(of: "alice", on: .registeredModel(name: "m", workspace: "team-a")) == .manage)
            // The creator's grant is on the resource only, not on the workspace.
            #expect(try ledger.grant(of: "alice", on: .workspace("team-a")) == nil)
        }
    }

    @Test(arguments: ["anonymous", "system", "tester"])
    func anActorThatIsNoRegisteredUserGetsNoGrant(actor: String) async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await user(ledger, "alice")
            let context = CommandContext(actor: actor, requestID: "req-1", source: .http(remoteAddress: "127.0.0.1", userAgent: "curl"))
            let before = try ledger.head()
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: context)
            let model = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: context)
            let events = try eventsAfter(before, ledger)
            #expect(events.map(\.type) == [.experimentCreated, .registeredModelCreated])
            #expect(try ledger.grants(on: .experiment(id: experiment.id, workspace: "team-a")).isEmpty)
            #expect(try ledger.grants(on: .registeredModel(name: model.name, workspace: "team-a")).isEmpty)
            #expect(try ledger.grants(of: actor).isEmpty)
        }
    }

    // MARK: Actors and the audit trail (§2.6)

    @Test(arguments: [
        CommandContext(actor: "alice", requestID: "req-http-1", source: .http(remoteAddress: "192.0.2.7", userAgent: "mlflow-python-client/3.17")),
        CommandContext(actor: "ops", requestID: "req-cli-1", source: .cli),
        CommandContext(actor: "system", requestID: "req-sys-1", source: .system),
    ])
    func everyEventRecordsActorWorkspaceRequestAndSource(context: CommandContext) async throws {
        try await withTemporaryLedger { ledger, _ in
            let before = try ledger.head()
            _ = try await ledger.createWorkspace(name: "team-a", context: context)
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: context)
            let run = try await ledger.createRun(experimentID: experiment.id, in: "team-a", context: context)
            try await ledger.logParam(runID: run.info.runID, key: "p", value: "1", in: "team-a", context: context)
            _ = try await ledger.updateRun(id: run.info.runID, RunUpdate(status: .finished), in: "team-a", context: context)
            _ = try await ledger.createRegisteredModel(name: "m", in: "team-a", context: context)
            let events = try eventsAfter(before, ledger)
            #expect(events.map(\.type) == [.workspaceCreated, .experimentCreated, .runCreated, .runDataLogged, .runUpdated, .registeredModelCreated])
            for event in events {
                #expect(event.actor == context.actor)
                #expect(event.requestID == context.requestID)
                #expect(event.source == context.source)
                #expect(event.workspace == "team-a")
            }
            #expect(events[2].entity == EntityReference(kind: .run, id: run.info.runID))
            #expect(events[1].entity == EntityReference(kind: .experiment, id: String(experiment.id)))
            #expect(try ledger.workspace(named: "team-a").createdBy == context.actor)
        }
    }

    @Test func eachEventCarriesTheContextOfItsOwnCommand() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await workspace(ledger, "team-b")
            let contexts = (0..<12).map { index in
                CommandContext(actor: "actor-\(index)", requestID: "req-\(index)",
                               source: index.isMultiple(of: 3) ? .cli : .http(remoteAddress: "10.0.0.\(index)", userAgent: "agent-\(index)"))
            }
            let before = try ledger.head()
            // Concurrent commands share commits; each event must still carry its own command's context.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, context) in contexts.enumerated() {
                    let workspace = index.isMultiple(of: 2) ? "team-a" : "team-b"
                    group.addTask { _ = try await ledger.createExperiment(name: "e-\(index)", in: workspace, context: context) }
                }
                try await group.waitForAll()
            }
            let events = try eventsAfter(before, ledger)
            #expect(events.count == contexts.count)
            for event in events {
                guard case let .experimentCreated(_, name, _, _) = event.payload, let index = Int(name.dropFirst(2)) else {
                    Issue.record("unexpected \(event.payload)")
                    continue
                }
                #expect(event.actor == contexts[index].actor)
                #expect(event.requestID == contexts[index].requestID)
                #expect(event.source == contexts[index].source)
                #expect(event.workspace == (index.isMultiple(of: 2) ? "team-a" : "team-b"))
            }
        }
    }

    @Test func theFirstEventsAreBySystem() async throws {
        try await withTemporaryLedger { ledger, _ in
            let events = try ledger.events()
            #expect(events.map(\.type) == [.workspaceCreated, .experimentCreated])
            #expect(events.allSatisfy { $0.actor == "system" && $0.source == .system && $0.workspace == "default" })
        }
    }

    @Test func sequencesAreGaplessFromOneAndTimestampsNeverDecrease() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            try await user(ledger, "alice")
            // Concurrent commands, some refused (duplicate names), shared commits.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            _ = try await ledger.createExperiment(name: "e-\(index % 25)", in: "team-a", context: testContext)
                            return true
                        } catch let error as LedgerError where error.code == .resourceAlreadyExists {
                            return false
                        }
                    }
                }
                var results: [Bool] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(outcomes.filter { $0 }.count == 25)
            #expect(outcomes.filter { !$0 }.count == 15)
            let experiment = try ledger.experiment(named: "e-0", in: "team-a")
            for index in 0..<10 {
                try await ledger.setExperimentTag(id: experiment.id, key: "k", value: "\(index)", in: "team-a", context: testContext)
            }
            await expectLedgerError(.resourceDoesNotExist) {
                try await ledger.deleteExperimentTag(id: experiment.id, key: "missing", in: "team-a", context: testContext)
            }

            let head = try ledger.head()
            let events = try ledger.events(from: 1, limit: 10_000)
            // default + experiment 0, team-a, alice, 25 experiments, 10 tags.
            #expect(head.sequence == 2 + 1 + 1 + 25 + 10)
            #expect(events.map(\.sequence) == Array(1...head.sequence))
            for (earlier, later) in zip(events, events.dropFirst()) {
                #expect(earlier.timestamp <= later.timestamp, "event \(later.sequence) is older than \(earlier.sequence)")
            }
            #expect(events.last?.hash == head.hash)
            #expect(events.last?.timestamp == head.timestamp)

            // Paging through the log returns the same events.
            var paged: [RecordedEvent] = []
            var next: UInt64 = 1
            while true {
                let page = try ledger.events(from: next, limit: 7)
                if page.isEmpty { break }
                #expect(page.count <= 7)
                #expect(page.first?.sequence == next)
                paged += page
                next = page.last!.sequence + 1
            }
            #expect(paged == events)
            #expect(try ledger.events(from: head.sequence + 1).isEmpty)
        }
    }

    @Test func timestampsAreLedgerTimeNotClientTime() async throws {
        try await withTemporaryLedger { ledger, _ in
            let experiment = try await ledger.createExperiment(name: "e", in: "default", context: testContext)
            let lower = CommitQueue.nowMicroseconds()
            // A run start time far in the past does not move the event's timestamp.
            _ = try await ledger.createRun(experimentID: experiment.id, startTime: 1, in: "default", context: testContext)
            let upper = CommitQueue.nowMicroseconds()
            let event = try #require(ledger.events(from: ledger.head().sequence).first)
            #expect(event.type == .runCreated)
            #expect(event.timestamp >= lower && event.timestamp <= upper, "\(event.timestamp) not in \(lower)...\(upper)")
        }
    }

    @Test func grantEventsAreRecordedInTheResourcesWorkspace() async throws {
        try await withTemporaryLedger { ledger, _ in
            try await workspace(ledger, "team-a")
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            try await user(ledger, "alice")
            let before = try ledger.head()
            try await ledger.setPermission(.read, for: "alice", on: .experiment(id: experiment.id, workspace: "team-a"), context: testContext)
            try await ledger.setPermission(.read, for: "alice", on: .workspace("default"), context: testContext)
            let events = try eventsAfter(before, ledger)
            #expect(events.map(\.workspace) == ["team-a", "default"])
            #expect(events.map(\.entity) == [EntityReference(kind: .experiment, id: String(experiment.id)), EntityReference(kind: .workspace, id: "default")])
            #expect(events.allSatisfy { $0.actor == testContext.actor && $0.requestID == testContext.requestID && $0.source == testContext.source })
        }
    }
}
