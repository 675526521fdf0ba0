import Crypto
import Dispatch
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A password as PBKDF2-HMAC-SHA256 with a random salt; the password itself is never stored.
public struct PasswordHash: Sendable, Hashable {
    /// The PBKDF2 iteration count the hash was made with.
    public var rounds: UInt32
    public var salt: [UInt8]
    public var derivedKey: [UInt8]

    public init(rounds: UInt32, salt: [UInt8], derivedKey: [UInt8]) {
        self.rounds = rounds
        self.salt = salt
        self.derivedKey = derivedKey
    }

    /// OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023): 600,000 iterations.
    public static let recommendedRounds: UInt32 = 600_000

    /// Hashes `password` with a fresh 16-byte salt. Slow by design: call it off the writer thread.
    ///
    /// - Parameter rounds: Iterations; lower only in tests.
    public static func make(password: String, rounds: UInt32 = recommendedRounds) throws(LedgerError) -> PasswordHash {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = generator.next() }
        return PasswordHash(rounds: rounds, salt: salt, derivedKey: try derive(password, salt: salt, rounds: rounds))
    }

    /// Hashes `password` like ``make(password:rounds:)`` on a queue of its own, one hash at a time,
    /// so that the caller's thread (one of Swift's cooperative threads, as many as the cores)
    /// stays free for other work during the hundreds of milliseconds a hash takes.
    public static func making(password: String, rounds: UInt32 = recommendedRounds) async throws(LedgerError) -> PasswordHash {
        let result: Result<PasswordHash, LedgerError> = await withCheckedContinuation { continuation in
            hashingQueue.async {
                continuation.resume(returning: Result { () throws(LedgerError) in try make(password: password, rounds: rounds) })
            }
        }
        return try result.get()
    }

    private static let hashingQueue = DispatchQueue(label: "ledger.password-hash", qos: .userInitiated)

    /// Checks `password` against the hash in constant time.
    public func matches(_ password: String) -> Bool {
        guard let candidate = try? Self.derive(password, salt: salt, rounds: rounds), candidate.count == derivedKey.count else {
            return false
        }
        var difference: UInt8 = 0
        for i in candidate.indices { difference |= candidate[i] ^ derivedKey[i] }
        return difference == 0
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: UInt32) throws(LedgerError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32,
                unsafeUncheckedRounds: Int(rounds))
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw LedgerError(.storage, "could not hash the password: \(error)")
        }
    }
}
