import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing
@testable import LedgerServer

/// Storage failures as the MLflow client sees them.
@Suite("Storage errors")
struct StorageErrorTests {
    /// The statuses the MLflow client (3.17.2, default settings) retries with backoff for about four
    /// minutes before it raises "too many ... error responses", dropping the server's message.
    static let retriedByTheClient: Set<Int> = [408, 429, 500, 502, 503, 504]

    static let fullDiskMessage = "the disk holding the ledger is full (mdb_txn_commit failed: No space left on device); nothing of this request was written: free space and retry"

    @Test func aFullDiskIsNotAnAnswerTheClientRetries() {
        let answer = APIError(LedgerError(.storageFull, Self.fullDiskMessage))
        #expect(answer.status.code == 507)
        #expect(!Self.retriedByTheClient.contains(answer.status.code))
        #expect(answer.errorCode == "RESOURCE_EXHAUSTED")
        #expect(answer.message == Self.fullDiskMessage)
    }

    /// A handler that meets a full disk answers 507 with MLflow's JSON error and the message.
    @Test func aFullDiskThrownByAHandlerAnswers507WithItsMessage() async throws {
        let router = Router()
        router.post("/api/2.0/mlflow/experiments/create") { _, _ -> Response in
            throw LedgerError(.storageFull, Self.fullDiskMessage)
        }
        try await Application(router: router, logger: quietLogger).test(.router) { client in
            let response = try await client.executeRequest(uri: "/api/2.0/mlflow/experiments/create", method: .post, headers: [:], body: nil)
            #expect(response.status.code == 507)
            let body = try response.json()
            #expect(body["error_code"] as? String == "RESOURCE_EXHAUSTED")
            #expect(body["message"] as? String == Self.fullDiskMessage)
        }
    }
}
