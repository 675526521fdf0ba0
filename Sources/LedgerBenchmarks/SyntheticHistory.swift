import Foundation
import LedgerCore

/// Writes a realistic synthetic history into a ledger through its normal write path: every
/// command validated and committed as a server would, many clients at once (group commit).
///
/// The shape follows what MLflow users do: teams (workspaces) whose members create experiments;
/// each experiment gets runs with a few params, tags and a metric series (mostly single metrics,
/// some batches), and then a status; now and then experiments are renamed, tagged, shared with a
/// colleague (a grant), soft-deleted and restored; runs are deleted and restored; registered
/// models are created, tagged and renamed; and rarely a scratch workspace is created, used and
/// deleted with CASCADE. Metric events are about four in five, as in real tracking workloads.
public struct SyntheticHistory: Sendable {
    /// About how many events to write; the result may pass it by a few commands' events.
    public var events: Int
    /// Concurrent clients, each awaiting its own commands.
    public var clients: Int = 256
    /// Team workspaces; `nil`: one per 20,000 events, at least 8 and at most 1,000.
    public var workspaceCount: Int?
    /// Seeds the choices, so that two runs write the same kinds of commands.
    public var seed: UInt64 = 0x5EED

    public init(events: Int) {
        self.events = events
    }

    /// What was written.
    public struct Summary: Sendable {
        /// The head of the log afterwards (every event of the ledger, setup included).
        public var events: UInt64
        /// Events this generation appended.
        public var appended: UInt64
        public var seconds: Double
        public var commands: Int
        public var workspaces: [String]
        /// (experiment id, workspace) of experiments created, for read measurements.
        public var experiments: [(Int64, String)]
        /// A user who reads the team workspaces through workspace grants only.
        public var reader: String

        public var eventsPerSecond: Double { seconds > 0 ? Double(appended) / seconds : 0 }
    }

    /// Reports generation progress on standard error, as `ledger bench` does.
    public static func printProgress(_ appended: Int, _ target: Int, _ seconds: Double) {
        progress("generated \(formatCount(Double(appended))) / \(formatCount(Double(target))) events (\(Int(seconds)) s, \(formatCount(Double(appended) / max(seconds, 0.001))) events/s)")
    }

    /// Writes the history into `ledger`, reporting progress about every `progressInterval` seconds,
    /// then flushes it to disk (what a ledger opened with `durable: false` needs before it is handed
    /// over). ``Summary/seconds`` includes that flush.
    public func generate(into ledger: Ledger, progress: (@Sendable (_ appended: Int, _ target: Int, _ seconds: Double) -> Void)? = nil,
                         progressInterval: Double = 5) async throws -> Summary {
        precondition(events > 0 && clients > 0)
        let start = nanos()
        let first = try ledger.head().sequence
        let teamCount = workspaceCount ?? min(1_000, max(8, events / 20_000))
        let suffix = String(UInt32(truncatingIfNeeded: seed &* 0x9E37_79B9_7F4A_7C15 ^ first), radix: 36)
        let teams = (0..<teamCount).map { String(format: "team-%03d-", $0) + suffix }
        let members = max(4, min(clients, 64))
        let users = (0..<members).map { "member-\($0)-\(suffix)" }
        let reader = "auditor-\(suffix)"
        let admin = CommandContext(actor: "admin", requestID: "bench-setup", source: .cli)

        // Setup: teams, members with EDIT on their team and READ on the next, a reader of all.
        for team in teams {
            _ = try await ledger.createWorkspace(name: team, description: "Synthetic team workspace", context: admin)
        }
        // Few hashing rounds: these accounts never log in, and 600,000 rounds each would dominate.
        for user in users + [reader] {
            _ = try await ledger.createUser(username: user, password: "synthetic-password-\(user)", hashRounds: 1_000, context: admin)
        }
        for (index, user) in users.enumerated() {
            try await ledger.setPermission(.edit, for: user, on: .workspace(teams[index % teamCount]), context: admin)
            try await ledger.setPermission(.read, for: user, on: .workspace(teams[(index + 1) % teamCount]), context: admin)
        }
        for team in teams { try await ledger.setPermission(.read, for: reader, on: .workspace(team), context: admin) }

        let setupEnd = try ledger.head().sequence
        let target = events - Int(setupEnd - first)
        let issued = SharedCounter()
        let commands = SharedCounter()
        let done = SharedCounter()
        let clientCount = clients
        let seed = self.seed

        let created: [[(Int64, String)]] = try await withThrowingTaskGroup(of: [(Int64, String)].self) { group in
            if let progress {
                group.addTask {
                    var last = nanos()
                    while done.current < clientCount {
                        try await Task.sleep(for: .milliseconds(100))
                        if seconds(since: last) >= progressInterval {
                            last = nanos()
                            progress(min(issued.current, target), target, seconds(since: start))
                        }
                    }
                    return []
                }
            }
            for client in 0..<clientCount {
                group.addTask {
                    defer { _ = done.next() }
                    let memberIndex = client % members
                    var writer = Client(
                        ledger: ledger, client: client, actor: users[memberIndex], colleague: users[(memberIndex + 1) % members],
                        workspace: teams[memberIndex % teamCount], suffix: suffix,
                        random: SplitMix64(seed: seed ^ UInt64(client) &* 0xA24B_AED4_963E_E407),
                        issued: issued, commands: commands, target: target)
                    return try await writer.run()
                }
            }
            var all: [[(Int64, String)]] = []
            for try await part in group { all.append(part) }
            return all
        }
        try ledger.flush()
        let head = try ledger.head().sequence
        return Summary(events: head, appended: head - first, seconds: seconds(since: start), commands: commands.current,
                       workspaces: teams, experiments: created.flatMap { $0 }, reader: reader)
    }
}

/// One synthetic client: a team member working through experiments until the target is reached.
private struct Client {
    let ledger: Ledger
    let client: Int
    let actor: String
    let colleague: String
    let workspace: String
    let suffix: String
    var random: SplitMix64
    let issued: SharedCounter
    let commands: SharedCounter
    let target: Int
    var request = 0
    var experiments: [(Int64, String)] = []

    static let metricKeys = ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"]
    static let baseTime: Int64 = 1_767_225_600_000

    /// The context of the next request, as the server records it.
    mutating func context() -> CommandContext {
        request += 1
        _ = commands.next()
        return Contexts.http(actor: actor, client: client, request: request)
    }

    /// Counts `count` events toward the target; false once it is reached.
    func claim(_ count: Int) -> Bool {
        issued.add(count) < target
    }

    mutating func run() async throws -> [(Int64, String)] {
        var cycle = 0
        while claim(2) {
            if cycle % 200 == 199 {
                try await scratchWorkspace(cycle)
            } else {
                try await experiment(cycle)
            }
            cycle += 1
        }
        return experiments
    }

    /// An experiment with its runs, and what happens to it afterwards.
    mutating func experiment(_ cycle: Int) async throws {
        let name = "experiment-\(client)-\(cycle)"
        let experiment = try await ledger.createExperiment(
            name: name, tags: [Tag(key: "team", value: workspace), Tag(key: "mlflow.note.content", value: "Synthetic experiment \(cycle)")],
            in: workspace, context: context())
        experiments.append((experiment.id, workspace))
        if random.chance(1, in: 4), claim(1) {
            try await ledger.setExperimentTag(id: experiment.id, key: "stage", value: "tuning", in: workspace, context: context())
        }
        if random.chance(1, in: 6), claim(1) {
            try await ledger.setPermission(.read, for: colleague, on: .experiment(id: experiment.id, workspace: workspace), context: context())
        }
        let runs = random.between(3, 8)
        for index in 0..<runs {
            guard try await run(in: experiment.id, index: index) else { return }
        }
        if random.chance(1, in: 10), claim(1) {
            _ = try await ledger.renameExperiment(id: experiment.id, to: name + "-final", in: workspace, context: context())
        }
        if random.chance(1, in: 8), claim(1) {
            try await ledger.deleteExperiment(id: experiment.id, in: workspace, context: context())
            if random.chance(1, in: 4), claim(1) {
                try await ledger.restoreExperiment(id: experiment.id, in: workspace, context: context())
            }
        }
        if random.chance(1, in: 10), claim(2) {
            let model = "model-\(client)-\(cycle)"
            _ = try await ledger.createRegisteredModel(name: model, description: "Synthetic model", in: workspace, context: context())
            if claim(1) {
                try await ledger.setRegisteredModelTag(name: model, key: "task", value: "classification", in: workspace, context: context())
            }
            if random.chance(1, in: 3), claim(1) {
                _ = try await ledger.renameRegisteredModel(name: model, to: model + "-v2", in: workspace, context: context())
            }
        }
    }

    /// A run: tags, params, a metric series, a status; sometimes deleted (and restored).
    /// Returns false once the target is reached.
    mutating func run(in experimentID: Int64, index: Int) async throws -> Bool {
        guard claim(2) else { return false }
        let created = try await ledger.createRun(
            experimentID: experimentID, runName: "run-\(index)", userID: actor, startTime: Self.baseTime + Int64(request) * 1_000,
            tags: [Tag(key: "mlflow.source.name", value: "train.py"), Tag(key: "mlflow.user", value: actor)],
            in: workspace, context: context())
        let runID = created.info.runID
        let params = [
            Tag(key: "learning_rate", value: String(Double(random.between(1, 100)) / 10_000)),
            Tag(key: "batch_size", value: String(16 << random.between(0, 4))),
            Tag(key: "epochs", value: String(random.between(5, 50))),
            Tag(key: "optimizer", value: random.chance(1, in: 2) ? "adam" : "sgd"),
        ]
        try await ledger.logBatch(runID: runID, params: params, in: workspace, context: context())
        let steps = random.between(10, 40)
        for step in 0..<steps {
            guard claim(1) else { return false }
            let timestamp = Self.baseTime + Int64(request) * 1_000 + Int64(step)
            let loss = 2.0 / Double(step + 1) + Double(random.between(0, 100)) / 1_000
            if random.chance(3, in: 10) {
                let metrics = [
                    Metric(key: "loss", value: loss, timestamp: timestamp, step: Int64(step)),
                    Metric(key: "accuracy", value: 1 - loss / 2, timestamp: timestamp, step: Int64(step)),
                    Metric(key: "learning_rate", value: 0.001, timestamp: timestamp, step: Int64(step)),
                ]
                try await ledger.logBatch(runID: runID, metrics: metrics, in: workspace, context: context())
            } else {
                let key = Self.metricKeys[random.between(0, 3)]
                try await ledger.logMetric(runID: runID, Metric(key: key, value: loss, timestamp: timestamp, step: Int64(step)),
                                           in: workspace, context: context())
            }
            if step == steps / 2, random.chance(1, in: 3), claim(1) {
                try await ledger.setRunTag(runID: runID, key: "phase", value: "fine-tune", in: workspace, context: context())
            }
        }
        guard claim(1) else { return false }
        let status: RunStatus = random.chance(1, in: 10) ? .failed : .finished
        _ = try await ledger.updateRun(id: runID, RunUpdate(status: status, endTime: Self.baseTime + Int64(request) * 1_000 + Int64(steps)),
                                       in: workspace, context: context())
        if random.chance(1, in: 20), claim(1) {
            try await ledger.deleteRun(id: runID, in: workspace, context: context())
            if random.chance(1, in: 3), claim(1) {
                try await ledger.restoreRun(id: runID, in: workspace, context: context())
            }
        }
        return true
    }

    /// A short-lived workspace: created, used for one experiment, deleted with CASCADE.
    mutating func scratchWorkspace(_ cycle: Int) async throws {
        let name = "scratch-\(client)-\(cycle)-\(suffix)"
        _ = try await ledger.createWorkspace(name: name, description: "Scratch space", context: context())
        guard claim(6) else { return }
        let experiment = try await ledger.createExperiment(name: "sandbox", in: name, context: context())
        let run = try await ledger.createRun(experimentID: experiment.id, runName: "try", userID: actor, in: name, context: context())
        for step in 0..<3 {
            try await ledger.logMetric(runID: run.info.runID, Metric(key: "loss", value: 1 / Double(step + 1), timestamp: Self.baseTime + Int64(step), step: Int64(step)),
                                       in: name, context: context())
        }
        // CASCADE removes the experiment, its run and grants: a handful of events.
        guard claim(4) else { return }
        _ = try await ledger.deleteWorkspace(name: name, mode: .cascade, context: context())
    }
}

/// A small, fast, seedable generator (SplitMix64), so that histories are reproducible in kind.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A whole number in `low...high`.
    mutating func between(_ low: Int, _ high: Int) -> Int {
        low + Int(next() % UInt64(high - low + 1))
    }

    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        between(1, denominator) <= numerator
    }
}
