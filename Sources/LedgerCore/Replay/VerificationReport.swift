/// The outcome of ``Ledger/verify(progress:)``: the chain check and the comparison of a rebuild
/// with the live views.
public struct VerificationReport: Sendable {
    /// One difference found.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            /// A sequence number has no event (an event was removed).
            case missingEvent = "missing event"
            /// An event's bytes do not hash to its stored hash in the chain (changed or reordered).
            case hashMismatch = "hash mismatch"
            /// An event is stored under another sequence number than its own (reordered).
            case sequenceMismatch = "sequence mismatch"
            /// An event's time is earlier than its predecessor's.
            case timeWentBackwards = "time went backwards"
            /// An event's bytes do not decode.
            case undecodable = "undecodable event"
            /// The head recorded in the metadata is not the last event.
            case headMismatch = "head mismatch"
            /// A key the rebuild has is missing from the live view.
            case missingInView = "missing in view"
            /// The live view has a key the rebuild does not.
            case unexpectedInView = "unexpected in view"
            /// The live view holds another value than the rebuild under the same key.
            case valueDiffers = "value differs"
        }

        public var kind: Kind
        /// The event concerned; for a view difference, the last event that wrote the key.
        public var sequence: UInt64?
        /// The view concerned, for a view difference.
        public var view: String?
        /// The key concerned, printable (hex for non-text bytes).
        public var key: String?
        public var detail: String

        public var description: String {
            var parts = ["\(kind.rawValue)"]
            if let sequence { parts.append("at sequence \(sequence)") }
            if let view { parts.append("in view \(view)") }
            if let key { parts.append("key \(key)") }
            return parts.joined(separator: " ") + ": " + detail
        }
    }

    /// Events read from the log.
    public var eventsChecked: UInt64 = 0
    /// The head as recorded in the metadata.
    public var head: LogHead = .empty
    /// Views compared with a rebuild (all of them when the log decodes).
    public var viewsCompared = 0
    /// The first differences found, in log order then view order (at most ``problemLimit``).
    public var problems: [Problem] = []
    /// How many differences there are in all.
    public var problemCount = 0
    public var seconds: Double = 0

    static let problemLimit = 100

    /// True when the chain is intact and the views equal a rebuild.
    public var isClean: Bool { problemCount == 0 }
    public var firstProblem: Problem? { problems.first }

    mutating func record(_ problem: Problem) {
        problemCount += 1
        if problems.count < Self.problemLimit { problems.append(problem) }
    }
}
