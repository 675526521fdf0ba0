import LedgerLMDB

/// What a command sees while it decides, and the events it emits.
///
/// A command validates against ``reader`` (inside the write transaction, so it sees the effects
/// of the batch's earlier commands) and either emits events or throws a domain ``LedgerError``;
/// a throw leaves nothing written.
struct Decision {
    let reader: StateReader
    let context: CommandContext
    /// The server's default artifact root, used when a workspace has none.
    let defaultArtifactRoot: String
    /// Milliseconds since 1970 of the batch (for results that echo times).
    let milliseconds: Int64
    private(set) var events: [Emitted] = []

    /// An event the command emitted, with the workspace it belongs to. (A struct rather than a
    /// tuple: a tuple holding the payload enum is copied through the runtime's generic value
    /// witnesses, several times per event.)
    struct Emitted {
        let workspace: String
        let payload: EventPayload
    }

    init(reader: StateReader, context: CommandContext, defaultArtifactRoot: String, milliseconds: Int64) {
        self.reader = reader
        self.context = context
        self.defaultArtifactRoot = defaultArtifactRoot
        self.milliseconds = milliseconds
    }

    mutating func emit(_ payload: EventPayload, in workspace: String) {
        events.append(Emitted(workspace: workspace, payload: payload))
    }
}

/// A command waiting for the writer: its decision closure and the caller's continuation.
final class PendingCommand: @unchecked Sendable {
    typealias Decide = (borrowing Transaction, inout Decision) throws -> any Sendable

    let context: CommandContext
    let decide: Decide
    private let continuation: CheckedContinuation<any Sendable, any Error>

    init(context: CommandContext, decide: @escaping Decide, continuation: CheckedContinuation<any Sendable, any Error>) {
        self.context = context
        self.decide = decide
        self.continuation = continuation
    }

    func complete(_ result: Result<any Sendable, any Error>) {
        continuation.resume(with: result)
    }
}
