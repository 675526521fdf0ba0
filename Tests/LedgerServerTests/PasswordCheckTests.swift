import Foundation
import LedgerCore
import Synchronization
import Testing
@testable import LedgerServer

/// Password checks cost a slow derivation: they must not multiply under repeated or concurrent
/// requests, nor take the threads every other request needs.
@Suite struct PasswordCheckTests {
    /// A ledger with the user `alice` (password `right-password`, hashed with `rounds`).
    static func withAlice(rounds: UInt32, _ body: (Ledger) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-password-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Ledger.Configuration(directory: directory)
        configuration.durable = false
        let ledger = try await Ledger(configuration: configuration)
        defer { ledger.close() }
        _ = try await ledger.createUser(username: "alice", password: "right-password", hashRounds: rounds, context: .system())
        try await body(ledger)
    }

    @Test func aWrongPasswordRetriedInALoopIsDerivedOnce() async throws {
        try await Self.withAlice(rounds: testHashRounds) { ledger in
            let authenticator = Authenticator(ledger: ledger)
            for _ in 0..<5 {
                #expect(await authenticator.authenticate(username: "alice", password: "wrong") == .refused)
            }
            #expect(authenticator.derivationsRun == 1)
            #expect(await authenticator.authenticate(username: "alice", password: "also-wrong") == .refused)
            #expect(authenticator.derivationsRun == 2)
            #expect(await authenticator.authenticate(username: "nobody", password: "wrong") == .refused)
            #expect(authenticator.derivationsRun == 2, "an unknown user costs no derivation")
        }
    }

    @Test func concurrentChecksOfOneCredentialShareOneDerivation() async throws {
        try await Self.withAlice(rounds: 200_000) { ledger in
            let authenticator = Authenticator(ledger: ledger)
            let outcomes = await withTaskGroup(of: Authenticator.Outcome.self) { group in
                for _ in 0..<20 { group.addTask { await authenticator.authenticate(username: "alice", password: "right-password") } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.count == 20)
            #expect(outcomes.allSatisfy { if case .authenticated(let user) = $0 { user.username == "alice" } else { false } })
            #expect(authenticator.derivationsRun == 1)
        }
    }

    /// A flood of distinct wrong passwords queues at most `maxPendingDerivations` derivations,
    /// turns the rest away at once (busy), and a credential verified before is answered while
    /// the flood is still being worked through.
    @Test func aFloodOfWrongPasswordsIsBoundedAndVerifiedCredentialsStillPass() async throws {
        try await Self.withAlice(rounds: 300_000) { ledger in
            let authenticator = Authenticator(ledger: ledger, lanes: 1)
            guard case .authenticated = await authenticator.authenticate(username: "alice", password: "right-password") else {
                Issue.record("alice's own password was refused")
                return
            }
            let flood = Authenticator.maxPendingDerivations + 8
            let finished = FinishedCount()
            let outcomes = await withTaskGroup(of: Authenticator.Outcome.self) { group in
                for attempt in 0..<flood {
                    group.addTask {
                        let outcome = await authenticator.authenticate(username: "alice", password: "guess-\(attempt)")
                        finished.value.add(1, ordering: .relaxed)
                        return outcome
                    }
                }
                // Wait until the flood is queued (the busy answers come back at once).
                while finished.value.load(ordering: .relaxed) < flood - Authenticator.maxPendingDerivations {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                let served = await authenticator.authenticate(username: "alice", password: "right-password")
                #expect(served == .authenticated(try! ledger.user(named: "alice")))
                #expect(finished.value.load(ordering: .relaxed) < flood, "the verified credential waited for the whole flood")
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .busy }.count >= 1)
            #expect(outcomes.allSatisfy { $0 == .busy || $0 == .refused })
            #expect(authenticator.derivationsRun <= Authenticator.maxPendingDerivations + 1)
        }
    }
}

private final class FinishedCount: Sendable {
    let value = Atomic<Int>(0)
}
