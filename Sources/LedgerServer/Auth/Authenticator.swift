import Crypto
import Foundation
import LedgerCore
import Synchronization

/// Checks HTTP Basic credentials against the ledger's users.
///
/// Verifying a password costs a slow PBKDF2 derivation by design, so a verified credential is
/// remembered: as an HMAC of the password under a key made for this process (never the password),
/// beside the stored hash it was verified against. Every request still reads the user's record, so
/// a password change or a deleted user invalidates the entry at once; the password endpoints also
/// drop it explicitly.
final class Authenticator: Sendable {
    private struct Verified: Sendable {
        var passwordMAC: [UInt8]
        var derivedKey: [UInt8]
    }

    private let ledger: Ledger
    /// A random HMAC key of this process: remembered credentials mean nothing outside it.
    private let keyBytes: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    private let verified = Mutex<[String: Verified]>([:])
    /// One lock per username for the slow path, so that many concurrent first requests of a user
    /// pay one derivation, not one each.
    private let derivationLocks = Mutex<[String: NSLock]>([:])

    init(ledger: Ledger) {
        self.ledger = ledger
    }

    /// The user whose username and password these are, or `nil`.
    func authenticate(username: String, password: String) -> User? {
        guard let user = try? ledger.user(named: username) else { return nil }
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: SymmetricKey(data: keyBytes)))
        if isRemembered(username, mac, user) { return user }
        let lock = derivationLocks.withLock { locks in
            if let lock = locks[username] { return lock }
            let lock = NSLock()
            locks[username] = lock
            return lock
        }
        lock.lock()
        defer { lock.unlock() }
        if isRemembered(username, mac, user) { return user }
        guard user.password.matches(password) else { return nil }
        verified.withLock { $0[username] = Verified(passwordMAC: mac, derivedKey: user.password.derivedKey) }
        return user
    }

    private func isRemembered(_ username: String, _ mac: [UInt8], _ user: User) -> Bool {
        guard let remembered = verified.withLock({ $0[username] }) else { return false }
        return remembered.derivedKey == user.password.derivedKey && Self.constantTimeEqual(remembered.passwordMAC, mac)
    }

    /// Forgets what was verified for `username` (after a password change or a deletion).
    func forget(_ username: String) {
        _ = verified.withLock { $0.removeValue(forKey: username) }
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

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
