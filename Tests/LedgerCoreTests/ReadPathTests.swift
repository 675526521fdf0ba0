import Foundation
import Testing
@testable import LedgerCore

/// Swift Testing has a `Tag` of its own.
private typealias Tag = LedgerCore.Tag

/// The shortcuts of the hot read path (name check, narrow record reads, grant keys built in
/// place) must answer exactly what the general code answers.
@Suite struct ReadPathTests {
    // MARK: Workspace names

    /// The name check as first written (code points counted, then the pattern, then `--`, then
    /// the reserved names): the reference the one-pass check must agree with, message for message.
    private static func referenceWorkspaceNameProblem(_ name: String, allowDefault: Bool) -> String? {
        let count = name.unicodeScalars.count
        guard (2...63).contains(count) else { return "Workspace name '\(name)' must be between 2 and 63 characters." }
        let bytes = Array(name.utf8)
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        let wellFormed = bytes.count == count && isAlnum(bytes.first!) && isAlnum(bytes.last!) && bytes.allSatisfy { isAlnum($0) || $0 == 0x2D }
        guard wellFormed else {
            return "Workspace name '\(name)' must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (lowercase letters, digits and inner hyphens)."
        }
        guard !name.contains("--") else { return "Workspace name '\(name)' must not contain consecutive hyphens ('--')." }
        if ["workspaces", "api", "ajax-api", "static-files"].contains(name) || (!allowDefault && name == "default") {
            return "Workspace name '\(name)' is reserved and cannot be used."
        }
        return nil
    }

    private static func problem(_ name: String, allowDefault: Bool) -> String? {
        do {
            try Validation.workspaceName(name, allowDefault: allowDefault)
            return nil
        } catch {
            #expect(error.code == .invalidParameterValue)
            return error.message
        }
    }

    @Test func workspaceNameCheckAgreesWithTheReference() {
        var names = ["", "a", "ab", "a-b", "a--b", "-ab", "ab-", "Ab", "a_b", "a b", "default", "workspaces", "api", "ajax-api",
                     "static-files", "static-file", "apis", "team-a", "x0", "00", "é", "éé", "ab\u{301}", "a\u{0}b",
                     String(repeating: "a", count: 63), String(repeating: "a", count: 64), String(repeating: "é", count: 63),
                     String(repeating: "a", count: 62) + "é", "a-" + String(repeating: "b", count: 61), "---", "a---b"]
        // Random names over an alphabet that reaches every rule.
        let alphabet: [String] = ["a", "z", "0", "9", "-", "-", "A", "_", " ", "é", "\u{301}", "👍"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var name = ""
            for i in 0..<Int(state >> 58) + Int((state >> 40) & 3) {
                name += alphabet[Int((state >> UInt64(i % 40)) % UInt64(alphabet.count))]
                state = state &* 6364136223846793005 &+ 1442695040888963407
            }
            names.append(name)
        }
        for name in names {
            for allowDefault in [true, false] {
                #expect(Self.problem(name, allowDefault: allowDefault) == Self.referenceWorkspaceNameProblem(name, allowDefault: allowDefault),
                        "name '\(name)' (allowDefault: \(allowDefault))")
            }
        }
        #expect(Self.problem("a--b", allowDefault: true) != nil)
        #expect(Self.problem("team-a", allowDefault: true) == nil)
    }

    /// The blank-name check agrees with Foundation's `trimmingCharacters(in: .whitespaces)`,
    /// which it replaces: every space separator (Zs) and tab is blank, newlines and others are not.
    @Test func blankNameCheckAgreesWithFoundation() {
        var samples = ["", " ", "   ", "\t", " \t ", "a", " a ", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{85}",
                       "\u{A0}", "\u{3000}", "\u{2028}", "\u{200B}", "\u{FEFF}", "é", " \u{1680} ", "x\u{A0}"]
        for value in 0x00...0x3100 where !(0xD800...0xDFFF).contains(value) {
            samples.append(" " + String(UnicodeScalar(value)!) + " ")
        }
        for value in [0xFEFF, 0xFFFD, 0x1F600, 0xE0020] { samples.append(String(UnicodeScalar(value)!)) }
        for sample in samples {
            let reference = sample.trimmingCharacters(in: .whitespaces).isEmpty
            #expect(Validation.isBlank(sample) == reference, "\(sample.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func everyReservedNameIsRefusedAsReserved() {
        for name in Validation.reservedWorkspaceNames {
            #expect(Self.problem(name, allowDefault: true) == "Workspace name '\(name)' is reserved and cannot be used.")
        }
    }

    // MARK: Narrow record reads

    @Test(arguments: ["default", "team-a", "t", "", "é-ü", String(repeating: "w", count: 300)])
    func experimentWorkspaceReadAgreesWithTheDecodedRecord(workspace: String) throws {
        let tags = [Tag(key: "mlflow.note", value: String(repeating: "n", count: 500)), Tag(key: "owner", value: "ö")]
        for (id, name) in [(Int64(0), "Default"), (1, ""), (-5, "e"), (Int64.max, String(repeating: "x", count: 200))] {
            let experiment = Experiment(id: id, name: name, workspace: workspace, artifactLocation: "/srv/\(id)", lifecycleStage: .deleted,
                                        creationTime: 1, lastUpdateTime: 2, tags: id == 1 ? [] : tags)
            let record = experiment.encoded()
            try record.withUnsafeBytes { (bytes) throws in
                #expect(try Experiment(decoding: bytes).workspace == workspace)
                for candidate in [workspace, workspace + "x", String(workspace.dropLast()), "other", "team-b", ""] {
                    #expect(try Experiment.record(bytes, isInWorkspace: candidate) == (candidate == workspace), "'\(candidate)' vs '\(workspace)'")
                }
                // A record cut inside its first fields is reported, not misread.
                let cut = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, 3)])
                if cut.count < 1 + 1 + name.utf8.count + 1 {
                    #expect(throws: LedgerError.self) { try Experiment.record(cut, isInWorkspace: workspace) }
                }
            }
        }
    }

    @Test(arguments: [LifecycleStage.active, .deleted])
    func runStageReadAgreesWithTheDecodedRecord(stage: LifecycleStage) throws {
        for (endTime, name) in [(Int64?.none, ""), (1_767_225_600_123, "run"), (-1, String(repeating: "r", count: 300))] {
            for status in RunStatus.allCases {
                let run = RunInfo(runID: "0123456789abcdef0123456789abcdef", experimentID: endTime == nil ? 0 : Int64.max, runName: name, userID: "ü-user",
                                  status: status, startTime: -7, endTime: endTime, artifactURI: "s3://b/\(name)", lifecycleStage: stage)
                try run.encoded().withUnsafeBytes { (bytes) throws in
                    let read = try RunInfo.experimentAndStage(ofRecord: bytes)
                    #expect(read.experimentID == run.experimentID)
                    #expect(read.stage == stage)
                    // A record cut short, or with bytes after it, is reported, not misread.
                    #expect(throws: LedgerError.self) { try RunInfo.experimentAndStage(ofRecord: UnsafeRawBufferPointer(rebasing: bytes.dropLast())) }
                }
                #expect(throws: LedgerError.self) { try (run.encoded() + [0]).withUnsafeBytes { try RunInfo.experimentAndStage(ofRecord: $0) } }
            }
        }
    }

    @Test(arguments: [true, false])
    func userAdminFlagReadAgreesWithTheDecodedRecord(isAdmin: Bool) throws {
        for username in ["alice", "", "ü", String(repeating: "u", count: 300)] {
            let user = User(username: username, isAdmin: isAdmin,
                            password: PasswordHash(rounds: 1_000, salt: Array(repeating: 7, count: 16), derivedKey: Array(repeating: 9, count: 32)),
                            creationTime: 1_700_000_000_000)
            try user.encoded().withUnsafeBytes { (bytes) throws in
                #expect(try User(decoding: bytes).isAdmin == isAdmin)
                #expect(try User.isAdmin(record: bytes) == isAdmin)
            }
        }
        // A flag byte other than 0 or 1 is damage.
        var damaged = User(username: "bob", isAdmin: isAdmin, password: PasswordHash(rounds: 1, salt: [1], derivedKey: [2]), creationTime: 0).encoded()
        damaged[4] = 7
        damaged.withUnsafeBytes { (bytes) -> Void in
            #expect(throws: LedgerError.self) { try User.isAdmin(record: bytes) }
        }
    }

    // MARK: Grant keys

    @Test func grantKeysBuiltInPlaceAreTheStoredKeys() throws {
        let resources: [GrantResource] = [.workspace("team-a"), .workspace("default"), .workspace("é"), .workspace(String(repeating: "w", count: 63)),
                                          .experiment(0), .experiment(1), .experiment(-1), .experiment(Int64.max),
                                          .registeredModel(0), .registeredModel(0x0102_0304_0506_0708)]
        for resource in resources {
            for username in ["alice", "", "ü", String(repeating: "u", count: 200)] {
                let built = try StateReader.withGrantKey(resource, username) { Array($0) }
                #expect(built == Keys.grant(resource, username), "\(resource) \(username)")
            }
        }
    }

    // MARK: Through the ledger

    @Test func permissionChecksReadTheLatestGrantsAfterManyReads() async throws {
        try await withTemporaryLedger { ledger, _ in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let experiment = try await ledger.createExperiment(name: "e", in: "team-a", context: testContext)
            _ = try await ledger.createUser(username: "alice", password: "correct horse", isAdmin: false, hashRounds: 1_000, context: testContext)
            let target = PermissionTarget.experiment(id: experiment.id, workspace: "team-a")
            for level in [PermissionLevel.read, .edit, .noPermissions, .manage, .use] {
                // Reads between the commits reuse transactions: each check must see the last grant.
                for _ in 0..<50 { _ = try ledger.workspace(named: "team-a") }
                try await ledger.setPermission(level, for: "alice", on: .workspace("team-a"), context: testContext)
                #expect(try ledger.effectivePermission(of: "alice", on: target) == level)
                #expect(try ledger.effectivePermission(of: "alice", on: .workspace("team-a")) == level)
            }
            try await ledger.setPermission(.edit, for: "alice", on: target, context: testContext)
            #expect(try ledger.effectivePermission(of: "alice", on: target) == .edit)
            // The experiment lives in team-a only.
            await expectLedgerError(.resourceDoesNotExist) { try ledger.effectivePermission(of: "alice", on: .experiment(id: experiment.id, workspace: "default")) }
            await expectLedgerError(.resourceDoesNotExist) { try ledger.effectivePermission(of: "alice", on: .experiment(id: experiment.id, workspace: "team-")) }
        }
    }
}
