import Foundation
import LedgerCore
import Synchronization

/// A counter shared by concurrent tasks.
final class SharedCounter: Sendable {
    private let value: Atomic<Int>
    init(_ initial: Int = 0) { value = Atomic(initial) }
    /// Adds one and returns the value before.
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
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
        let high = String(UInt64(0x5EED_0000_0000_0000) | UInt64(client), radix: 16)
        let low = String(UInt64(n) &* 0x9E37_79B9_7F4A_7C15, radix: 16)
        let id = high + String(repeating: "0", count: 16 - low.count) + low
        return CommandContext(actor: actor, requestID: id, source: .http(remoteAddress: "10.0.\(client % 8).\(client + 10)", userAgent: userAgent))
    }
}

enum Workload {
    static let metricKeys = ["loss", "accuracy", "val_loss", "learning_rate"]

    /// Opens (creating) a ledger. Generation uses `durable: false` (the views and the log are the
    /// same bytes, only the fsyncs are skipped); measured commits use the default, durable.
    static func open(_ directory: String, durable: Bool) async throws -> Ledger {
        var configuration = Ledger.Configuration(directory: directory)
        configuration.durable = durable
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

    /// What `generateMixed` built, for the later measurements.
    struct Generated: Sendable {
        var events: UInt64
        var seconds: Double
        var workspaces: [String]
        /// (experiment id, workspace) pairs, for permission checks.
        var experiments: [(Int64, String)]
        var note: String?
    }

    /// Fills a ledger with a realistic mix from `tasks` concurrent clients until about `target`
    /// events: per client one experiment per 500 requests, one run per 50, and in between
    /// metrics (60%), params (10%), run tags (10%), 3-metric batches (10%).
    ///
    /// - Parameter fallback: when set, and 1,000,000 events would take longer than
    ///   `fallback.budget` seconds at the rate seen over the first 100,000, stop at
    ///   `fallback.events` instead.
    static func generateMixed(_ ledger: Ledger, target: Int, tasks: Int = 64, workspaceCount: Int = 16,
                              fallback: (events: Int, budget: Double)?, hardLimitSeconds: Double) async throws -> Generated {
        let admin = CommandContext(actor: "admin", requestID: "setup", source: .cli)
        let workspaces = (0..<workspaceCount).map { String(format: "team-%02d", $0) }
        for name in workspaces {
            _ = try await ledger.createWorkspace(name: name, description: "Benchmark workspace \(name)", defaultArtifactRoot: nil, context: admin)
        }
        // alice creates everything (so she gets MANAGE on what she creates); bob only reads through
        // workspace grants (the fallback path of the permission check).
        _ = try await ledger.createUser(username: "alice", password: "alice-password-1", hashRounds: 1_000, context: admin)
        _ = try await ledger.createUser(username: "bob", password: "bob-password-12", hashRounds: 1_000, context: admin)
        for name in workspaces {
            try await ledger.setPermission(.edit, for: "alice", on: .workspace(name), context: admin)
            try await ledger.setPermission(.read, for: "bob", on: .workspace(name), context: admin)
        }
        let setupEvents = Int(try ledger.head().sequence)

        let issued = SharedCounter(setupEvents)
        let limit = SharedCounter(target)
        let finished = SharedCounter()
        let start = nanos()
        let noteBox = SharedText()

        let experiments: [[(Int64, String)]] = try await withThrowingTaskGroup(of: [(Int64, String)].self) { group in
            // The monitor: progress, the 1M → 200k fallback and the hard time limit.
            group.addTask {
                var decided = fallback == nil
                var lastReport = nanos()
                while finished.current < tasks {
                    try await Task.sleep(for: .milliseconds(200))
                    let done = issued.current
                    let elapsed = seconds(since: start)
                    if !decided, let fallback, done - setupEvents >= 100_000 {
                        decided = true
                        let rate = Double(done - setupEvents) / elapsed
                        let projected = Double(target) / rate
                        if projected > fallback.budget {
                            limit.lower(to: fallback.events)
                            noteBox.withLock {
                                $0 = "generating \(formatCount(Double(target))) events would take about \(Int(projected)) s at the \(formatCount(rate)) events/s seen (budget \(Int(fallback.budget)) s): the replay ledger has \(formatCount(Double(fallback.events))) events instead (pass --events to force a size)"
                            }
                        }
                    }
                    if elapsed > hardLimitSeconds && limit.current > done {
                        limit.lower(to: done)
                        noteBox.withLock { $0 = "generation stopped at its time limit (\(Int(hardLimitSeconds)) s) with \(formatCount(Double(done))) events" }
                    }
                    if nanos() - lastReport > 5_000_000_000 {
                        lastReport = nanos()
                        progress("generated \(formatCount(Double(done))) / \(formatCount(Double(limit.current))) events (\(Int(elapsed)) s, \(formatCount(Double(done - setupEvents) / elapsed)) events/s)")
                    }
                }
                return []
            }
            for t in 0..<tasks {
                group.addTask {
                    defer { _ = finished.next() }
                    let workspace = workspaces[t % workspaces.count]
                    var experimentID: Int64 = 0
                    var runID = ""
                    var created: [(Int64, String)] = []
                    var j = 0
                    while issued.next() < limit.current {
                        let context = Contexts.http(client: t, request: j)
                        if j % 500 == 0 {
                            let experiment = try await ledger.createExperiment(
                                name: "experiment-\(t)-\(j / 500)", tags: [Tag(key: "team", value: workspace), Tag(key: "purpose", value: "benchmark")],
                                in: workspace, context: context)
                            experimentID = experiment.id
                            created.append((experiment.id, workspace))
                            _ = issued.next() // the creator's MANAGE grant is a second event
                        } else if j % 50 == 1 {
                            let run = try await ledger.createRun(
                                experimentID: experimentID, runName: "run-\(t)-\(j / 50)", userID: "alice",
                                tags: [Tag(key: "mlflow.source.name", value: "train.py"), Tag(key: "mlflow.user", value: "alice")],
                                in: workspace, context: context)
                            runID = run.info.runID
                        } else {
                            let timestamp = Int64(1_767_225_600_000 + j)
                            switch j % 10 {
                            case 5:
                                try await ledger.logParam(runID: runID, key: "param_\(j)", value: String(Double(j) * 0.001), in: workspace, context: context)
                            case 6:
                                try await ledger.setRunTag(runID: runID, key: "phase", value: "epoch-\(j / 10)", in: workspace, context: context)
                            case 7:
                                let metrics = (0..<3).map { k in Metric(key: metricKeys[k], value: Double(j) * 0.01 + Double(k), timestamp: timestamp, step: Int64(j)) }
                                try await ledger.logBatch(runID: runID, metrics: metrics, in: workspace, context: context)
                            default:
                                try await ledger.logMetric(runID: runID, Metric(key: metricKeys[j % 4], value: 1.0 / Double(j + 1), timestamp: timestamp, step: Int64(j)),
                                                           in: workspace, context: context)
                            }
                        }
                        j += 1
                    }
                    return created
                }
            }
            var all: [[(Int64, String)]] = []
            for try await part in group { all.append(part) }
            return all
        }
        let elapsed = seconds(since: start)
        let events = try ledger.head().sequence
        return Generated(events: events, seconds: elapsed, workspaces: workspaces,
                         experiments: experiments.flatMap { $0 }, note: noteBox.withLock { $0 })
    }
}
