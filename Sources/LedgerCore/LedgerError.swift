/// An error of the ledger: a ``Code`` that callers branch on and a message a person can act on.
///
/// The first five codes map one-to-one to MLflow's error codes (``Code/mlflowErrorCode``); the
/// others describe the storage and are internal errors to an HTTP client.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidParameterValue, resourceAlreadyExists, resourceDoesNotExist, invalidState, permissionDenied
            case notALedger, incompatibleFormat, corruptedData, storageFull, storage, readOnly, closed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The input is malformed or breaks a rule (a bad name, a relative artifact root, ...).
        public static let invalidParameterValue = Code(.invalidParameterValue)
        /// The name or id is already taken in that scope.
        public static let resourceAlreadyExists = Code(.resourceAlreadyExists)
        /// No such resource, or it lives in another workspace.
        public static let resourceDoesNotExist = Code(.resourceDoesNotExist)
        /// The resource is in a state that forbids the change (a non-empty workspace, a name clash).
        public static let invalidState = Code(.invalidState)
        /// The actor lacks the permission the operation needs.
        public static let permissionDenied = Code(.permissionDenied)
        /// The directory holds no ledger (or a damaged one).
        public static let notALedger = Code(.notALedger)
        /// The ledger was written by a newer format version.
        public static let incompatibleFormat = Code(.incompatibleFormat)
        /// Stored bytes do not decode: the log or a view is damaged.
        public static let corruptedData = Code(.corruptedData)
        /// The disk is full; nothing of the refused write was stored.
        public static let storageFull = Code(.storageFull)
        /// Any other storage failure.
        public static let storage = Code(.storage)
        /// The ledger was opened read-only.
        public static let readOnly = Code(.readOnly)
        /// The ledger has been closed.
        public static let closed = Code(.closed)

        /// MLflow's `error_code` for this code.
        public var mlflowErrorCode: String {
            switch value {
            case .invalidParameterValue: "INVALID_PARAMETER_VALUE"
            case .resourceAlreadyExists: "RESOURCE_ALREADY_EXISTS"
            case .resourceDoesNotExist: "RESOURCE_DOES_NOT_EXIST"
            case .invalidState: "INVALID_STATE"
            case .permissionDenied: "PERMISSION_DENIED"
            case .notALedger, .incompatibleFormat, .corruptedData, .storage, .closed: "INTERNAL_ERROR"
            case .storageFull: "RESOURCE_EXHAUSTED"
            case .readOnly: "INVALID_STATE"
            }
        }

        /// True for the codes that describe the caller's input or the domain's state, as opposed to
        /// the storage.
        public var isDomainError: Bool {
            switch value {
            case .invalidParameterValue, .resourceAlreadyExists, .resourceDoesNotExist, .invalidState, .permissionDenied: true
            default: false
            }
        }

        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.mlflowErrorCode): \(message)" }
}
