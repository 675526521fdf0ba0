import Foundation
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Runs `body` with a new ledger in a temporary directory, removed afterwards.
func withTemporaryLedger<R>(
    durable: Bool = false, defaultArtifactRoot: String? = "/srv/artifacts", maxBatchSize: Int = 1024,
    _ body: (Ledger, String) async throws -> R
) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = Ledger.Configuration(directory: directory)
    configuration.durable = durable
    configuration.defaultArtifactRoot = defaultArtifactRoot
    configuration.maxBatchSize = maxBatchSize
    let ledger = try await Ledger(configuration: configuration)
    defer { ledger.close() }
    return try await body(ledger, directory)
}

/// A context for tests: the actor `tester` over HTTP.
let testContext = CommandContext(actor: "tester", requestID: "req-test", source: .http(remoteAddress: "127.0.0.1", userAgent: "swift-testing"))

/// Expects `body` to throw a ``LedgerError`` with `code`, and returns it.
@discardableResult
func expectLedgerError<R>(_ code: LedgerError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> R) async -> LedgerError? {
    do {
        _ = try await body()
        Issue.record("expected \(code), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as LedgerError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected LedgerError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `body` to be refused with `code`, with the log head (sequence, time and hash) unchanged,
/// and, when `naming` is given, with a message that contains that text.
@discardableResult
func expectRefusal<R>(
    _ ledger: Ledger, _ code: LedgerError.Code, naming value: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> R
) async throws -> LedgerError? {
    let before = try ledger.head()
    let error = await expectLedgerError(code, sourceLocation: sourceLocation, body)
    let after = try ledger.head()
    #expect(after == before, "a refused command moved the head from \(before) to \(after)", sourceLocation: sourceLocation)
    if let value, !value.isEmpty, let error {
        #expect(error.message.contains(value), "the message does not name \(value): \(error.message)", sourceLocation: sourceLocation)
    }
    return error
}


/// The last event of the log.
func lastEvent(_ ledger: Ledger) throws -> RecordedEvent {
    let head = try ledger.head()
    return try #require(ledger.events(from: head.sequence, limit: 1).first)
}
