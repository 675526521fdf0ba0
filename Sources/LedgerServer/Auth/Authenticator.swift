import Crypto
import Dispatch
import Foundation
import LedgerCore
import Synchronization

/// Checks HTTP Basic credentials against the ledger's users.
///
/// Verifying a password costs a slow PBKDF2 derivation by design (hundreds of milliseconds of
/// CPU), so:
/// - a verified credential is remembered, as an HMAC of the password under a key made for this
///   process (never the password), beside the stored hash it was verified against; so is a refused
///   one, so a client retrying a wrong password in a loop costs nothing after the first try;
/// - derivations run on a few dedicated threads, never on the request's (Swift concurrency's
///   cooperative threads are as many as the cores: blocking them would stall every request), and
///   at most ``maxPendingDerivations`` wait: past that the caller is told to retry (503) rather
///   than queueing unbounded CPU work;
/// - concurrent checks of the same credential share one derivation.
/// Every request still reads the user's record, so a password change or a deleted user
/// invalidates what was remembered at once; the password endpoints also drop it explicitly.
final class Authenticator: Sendable {
    enum Outcome: Sendable, Equatable {
        case authenticated(User)
        case refused
        /// Too many derivations are waiting: retry later.
        case busy
    }

    /// Derivations waiting or running before further ones are turned away.
    static let maxPendingDerivations = 32
    /// Refused credentials remembered; the oldest half is dropped when full.
    static let maxRememberedRefusals = 4_096

    private struct Credential: Hashable, Sendable {
        var username: String
        var passwordMAC: [UInt8]
    }

    private struct State {
        /// Username → the credential last verified and the stored key it matched.
        var verified: [String: (passwordMAC: [UInt8], derivedKey: [UInt8])] = [:]
        /// Refused credential → the stored key it failed against.
        var refused: [Credential: [UInt8]] = [:]
        var refusedOrder: [Credential] = []
        /// Derivations waiting or running, by credential.
        var inFlight: [Credential: Task<Bool, Never>] = [:]

        /// Whether `credential` was verified (true) or refused (false) against `storedKey`, if known.
        func known(_ credential: Credential, against storedKey: [UInt8]) -> Bool? {
            if let known = verified[credential.username], known.derivedKey == storedKey,
               Authenticator.constantTimeEqual(known.passwordMAC, credential.passwordMAC) {
                return true
            }
            return refused[credential] == storedKey ? false : nil
        }
    }

    private let ledger: Ledger
    /// A random HMAC key of this process: remembered credentials mean nothing outside it.
    private let keyBytes: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    private let state = Mutex(State())
    private let lanes: [DispatchQueue]
    private let nextLane = Atomic<Int>(0)
    private let derivations = Atomic<Int>(0)

    /// Password derivations run so far (each costs the hash's PBKDF2 rounds).
    var derivationsRun: Int { derivations.load(ordering: .relaxed) }

    /// - Parameter lanes: Derivations that may run at once (default: half the cores, at least one),
    ///   so that a flood of wrong passwords leaves CPU for everything else.
    init(ledger: Ledger, lanes: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)) {
        self.ledger = ledger
        self.lanes = (0..<max(1, lanes)).map { DispatchQueue(label: "ledger.password-check.\($0)", qos: .userInitiated) }
    }

    /// Whether `username` and `password` are the credentials of a user.
    func authenticate(username: String, password: String) async -> Outcome {
        guard let user = try? ledger.user(named: username) else { return .refused }
        let credential = Credential(username: username, passwordMAC: mac(password))
        let storedKey = user.password.derivedKey
        let derivation: Task<Bool, Never>? = state.withLock { state in
            if state.known(credential, against: storedKey) != nil { return nil }
            if let running = state.inFlight[credential] { return running }
            guard state.inFlight.count < Self.maxPendingDerivations else { return nil }
            let task = Task { await self.derive(credential, password: password, against: user.password) }
            state.inFlight[credential] = task
            return task
        }
        if let derivation {
            return await derivation.value ? .authenticated(user) : .refused
        }
        switch state.withLock({ $0.known(credential, against: storedKey) }) {
        case true?: return .authenticated(user)
        case false?: return .refused
        case nil: return .busy
        }
    }

    /// Runs the derivation on a lane and remembers its result.
    private func derive(_ credential: Credential, password: String, against hash: PasswordHash) async -> Bool {
        let lane = lanes[nextLane.add(1, ordering: .relaxed).oldValue % lanes.count]
        let matches = await withCheckedContinuation { continuation in
            lane.async { continuation.resume(returning: hash.matches(password)) }
        }
        derivations.add(1, ordering: .relaxed)
        state.withLock { state in
            state.inFlight[credential] = nil
            if matches {
                state.verified[credential.username] = (credential.passwordMAC, hash.derivedKey)
            } else {
                if state.refused.count >= Self.maxRememberedRefusals {
                    let dropped = state.refusedOrder.prefix(state.refusedOrder.count / 2)
                    for old in dropped { state.refused[old] = nil }
                    state.refusedOrder.removeFirst(dropped.count)
                }
                if state.refused.updateValue(hash.derivedKey, forKey: credential) == nil { state.refusedOrder.append(credential) }
            }
        }
        return matches
    }

    private func mac(_ password: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: SymmetricKey(data: keyBytes)))
    }

    /// Forgets what was verified or refused for `username` (after a password change or a deletion).
    func forget(_ username: String) {
        state.withLock { state in
            state.verified[username] = nil
            state.refused = state.refused.filter { $0.key.username != username }
            state.refusedOrder.removeAll { $0.username == username }
        }
    }

    /// Parses `Authorization: Basic base64(username:password)`.
    static func basicCredentials(_ header: String?) -> (username: String, password: String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    fileprivate static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
