import LedgerCore
import Testing

/// Opens the ledger in `directory`, runs `body`, closes it and makes sure it is released, so
/// that the directory can be opened again in this process (LMDB forbids two handles at once).
public func withReopenableLedger<R>(_ directory: String, readOnly: Bool = false, _ body: (Ledger) async throws -> R) async throws -> R {
    var configuration = Ledger.Configuration(directory: directory)
    configuration.readOnly = readOnly
    configuration.durable = false
    configuration.defaultArtifactRoot = "/srv/artifacts"
    var ledger: Ledger? = try await Ledger(configuration: configuration)
    weak let released = ledger
    let result: R
    do {
        result = try await body(ledger!)
    } catch {
        ledger?.close()
        ledger = nil
        throw error
    }
    ledger?.close()
    ledger = nil
    try #require(released == nil, "the ledger is still referenced after close")
    return result
}
