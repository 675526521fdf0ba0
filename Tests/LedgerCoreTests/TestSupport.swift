import Foundation
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
