import Foundation
import LedgerCore
import Synchronization

/// A counter shared by concurrent tasks.
final class SharedCounter: Sendable {
    private let value: Atomic<Int>
    init(_ initial: Int = 0) { value = Atomic(initial) }
    /// Adds one and returns the value before.
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
    /// Adds `count` and returns the value before.
    func add(_ count: Int) -> Int { value.wrappingAdd(count, ordering: .relaxed).oldValue }
    var current: Int { value.load(ordering: .relaxed) }
    func store(_ new: Int) { value.store(new, ordering: .relaxed) }
    func lower(to new: Int) {
        var old = value.load(ordering: .relaxed)
        while new < old {
            let (exchanged, original) = value.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if exchanged { return }
            old = original
        }
    }
}

/// A text shared by concurrent tasks.
final class SharedText: Sendable {
    private let text = Mutex<String?>(nil)
    func withLock<R>(_ body: (inout String?) -> R) -> R { text.withLock { body(&$0) } }
}

/// What requests look like: an HTTP client with a request id, as the server will record them.
enum Contexts {
    static let userAgent = "mlflow-python-client/3.17.2"

    /// A context of client `client` for its `n`-th request: a 32-hex-digit request id.
    static func http(actor: String = "alice", client: Int, request n: Int) -> CommandContext {
        CommandContext(actor: actor, requestID: requestID(client: client, request: n),
                       source: .http(remoteAddress: "10.0.\(client % 8).\(client + 10)", userAgent: userAgent))
    }

    /// 16 hexadecimal digits of the client, then 16 of the request, written straight into the
    /// string: the simulated clients make one for every command they send.
    static func requestID(client: Int, request n: Int) -> String {
        let high = UInt64(0x5EED_0000_0000_0000) | UInt64(client)
        let low = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<16 {
                let shift = UInt64(60 - 4 * index)
                buffer[index] = hexDigits[Int(high >> shift & 0xF)]
                buffer[16 + index] = hexDigits[Int(low >> shift & 0xF)]
            }
            return 32
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

enum Workload {
    /// Opens (creating, unless `create` is false) a ledger. Ledgers that only serve reads may skip
    /// the fsyncs (`durable: false`: the same bytes, written faster).
    static func open(_ directory: String, durable: Bool, create: Bool = true) async throws -> Ledger {
        var configuration = Ledger.Configuration(directory: directory)
        configuration.durable = durable
        configuration.createIfMissing = create
        configuration.defaultArtifactRoot = "s3://mlflow-artifacts"
        return try await Ledger(configuration: configuration)
    }

    /// Runs `body(task)` on `tasks` concurrent tasks and collects their results.
    static func concurrently<T: Sendable>(_ tasks: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for t in 0..<tasks { group.addTask { (t, try await body(t)) } }
            var results = [T?](repeating: nil, count: tasks)
            for try await (t, value) in group { results[t] = value }
            return results.map { $0! }
        }
    }
}
