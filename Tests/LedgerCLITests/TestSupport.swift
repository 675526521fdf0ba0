import Foundation
import LedgerLMDB
import LedgerTestSupport
import Testing
@testable import LedgerCore

// MARK: - Running the binary

/// The built `ledger` executable, beside the test bundle.
let ledgerExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger").path

/// What one run of the `ledger` binary did.
struct CLIResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    /// For failure messages: the status and both streams.
    var description: String { "exit \(status)\n--- stdout:\n\(stdout)--- stderr:\n\(stderr)" }
}

extension CLIResult {
    init(_ spawned: SpawnedProcess) {
        self.init(status: spawned.status, stdout: spawned.stdout, stderr: spawned.stderr)
    }
}

/// Runs the built `ledger` with `arguments` and returns its exit status, stdout and stderr.
///
/// `$LEDGER_DATA_DIR` is removed from the inherited environment unless `environment` sets it.
/// The child runs on its own thread, never blocking the test's cooperative pool (which has as
/// many threads as cores): a task of the test process can go on writing meanwhile.
/// With `stopAfter`, the command (a server) gets SIGTERM after that many seconds (through
/// `timeout(1)`, whose exit status 124 then stands for "stopped").
func runLedger(_ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil, stopAfter seconds: Int? = nil) async throws -> CLIResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try runLedgerBlocking(arguments, environment: environment, currentDirectory: currentDirectory, stopAfter: seconds) })
        }.start()
    }
}

#if os(Linux)
/// Starts the `ledger` executable and returns while it runs (a server the test stops itself).
func startLedger(_ arguments: [String], environment: [String: String] = [:]) throws -> SpawnedProcess.Running {
    try SpawnedProcess.start(ledgerExecutable, arguments, environment: ledgerEnvironment(environment))
}
#endif

/// This process's environment without `LEDGER_DATA_DIR`, with `overrides` applied.
private func ledgerEnvironment(_ overrides: [String: String]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "LEDGER_DATA_DIR")
    for (key, value) in overrides { env[key] = value }
    return env
}

private func runLedgerBlocking(_ arguments: [String], environment: [String: String], currentDirectory: String?, stopAfter seconds: Int?) throws -> CLIResult {
    let env = ledgerEnvironment(environment)
    #if os(Linux)
    if let seconds {
        return CLIResult(try SpawnedProcess.run("/usr/bin/timeout", ["-s", "TERM", String(seconds), ledgerExecutable] + arguments, environment: env, currentDirectory: currentDirectory))
    }
    return CLIResult(try SpawnedProcess.run(ledgerExecutable, arguments, environment: env, currentDirectory: currentDirectory))
    #else
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ledgerExecutable)
    process.arguments = arguments
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes concurrently so a full pipe never blocks the child.
    nonisolated(unsafe) var errData = Data()
    let done = DispatchSemaphore(value: 0)
    Thread {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        done.signal()
    }.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    #endif
}

// MARK: - Temporary directories

/// Runs `body` with the path of a new temporary directory (not created), removed afterwards with
/// everything under it, and with any sibling whose name starts with it.
func withTemporaryPath<R>(_ label: String = "ledger-cli", _ body: (String) async throws -> R) async throws -> R {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
    defer { removeTree(path) }
    return try await body(path)
}

/// Removes `path` and every sibling named `path…` (outputs and backups placed beside it).
func removeTree(_ path: String) {
    let fileManager = FileManager.default
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent().path
    let name = url.lastPathComponent
    for entry in (try? fileManager.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(name) {
        try? fileManager.removeItem(atPath: parent + "/" + entry)
    }
}

// MARK: - Ledgers built through the library

/// The actors the demo history records, each through another source.
enum Actors {
    static let alice = CommandContext(actor: "alice", requestID: "req-alice", source: .http(remoteAddress: "10.0.0.5", userAgent: "mlflow-python/2.20"))
    static let bob = CommandContext(actor: "bob", requestID: "req-bob", source: .http(remoteAddress: "10.0.0.6", userAgent: "curl/8.5"))
    static let carol = CommandContext(actor: "carol", requestID: "req-carol", source: .cli)
}

/// What ``buildDemoLedger(in:)`` wrote.
struct DemoHistory: Sendable {
    /// The description of `team-a`: a comma, quotes and a line break, to exercise CSV quoting.
    static let teamADescription = "Team \"A\", vision\nsecond line"
    /// The description of `model-a`: quotes without a comma.
    static let modelADescription = "the \"best\" model"
    /// The tag `note` of `exp-1`: a line break without a comma or a quote.
    static let noteTag = "line one\nline two"

    /// Experiments, runs, registered models and grants in `team-b` (the workspace to delete).
    var teamB: WorkspaceDeletionSummary
    /// The experiment `exp-1` of `team-a`.
    var experimentID: Int64
    /// The event updating `team-a`'s description (inside alice's history).
    var workspaceUpdate: UInt64
    /// The event that changed alice's password.
    var passwordChange: UInt64
    /// Alice's stored password hash after the change: derived key and salt.
    var derivedKey: [UInt8]
    var salt: [UInt8]
    /// Times (microseconds) between the phases of the history, each at least a millisecond from
    /// any event: after the workspaces, after team-a's resources, after team-b's, after the users.
    var boundaries: [Int64]
    /// The head once the history was written.
    var head: LogHead
}

/// Builds a closed ledger in `directory` with some history: workspaces `team-a`, `team-b`,
/// `empty`; experiments, runs with params and metrics, registered models, users, grants, by the
/// actors alice, bob and carol.
@discardableResult
func buildDemoLedger(in directory: String) async throws -> DemoHistory {
    try await withReopenableLedger(directory) { ledger in
        let (alice, bob, carol) = (Actors.alice, Actors.bob, Actors.carol)
        var boundaries: [Int64] = []
        /// Ends a phase: a pause of 4 ms, with its middle as the boundary.
        func pause() async throws {
            boundaries.append(try ledger.head().timestamp + 2_000)
            try await Task.sleep(for: .milliseconds(4))
        }
        _ = try await ledger.createWorkspace(name: "team-a", description: "first", defaultArtifactRoot: "s3://bucket/team-a", context: alice)
        _ = try await ledger.updateWorkspace(name: "team-a", WorkspaceUpdate(description: DemoHistory.teamADescription), context: alice)
        let workspaceUpdate = try ledger.head().sequence
        _ = try await ledger.createWorkspace(name: "team-b", description: "to be torn down", context: bob)
        _ = try await ledger.createWorkspace(name: "empty", context: carol)
        try await pause()

        let exp1 = try await ledger.createExperiment(name: "exp-1", tags: [.init(key: "owner", value: "alice")], in: "team-a", context: alice)
        let run1 = try await ledger.createRun(experimentID: exp1.id, runName: "baseline", in: "team-a", context: alice)
        try await ledger.logBatch(runID: run1.info.runID, params: [.init(key: "lr", value: "0.01")],
                                  metrics: [Metric(key: "loss", value: 0.25, timestamp: 1_700_000_000_000, step: 1)],
                                  in: "team-a", context: alice)
        _ = try await ledger.createRegisteredModel(name: "model-a", description: DemoHistory.modelADescription, in: "team-a", context: alice)
        try await ledger.setExperimentTag(id: exp1.id, key: "stage", value: "final", in: "team-a", context: bob)
        try await ledger.setExperimentTag(id: exp1.id, key: "note", value: DemoHistory.noteTag, in: "team-a", context: bob)
        try await pause()

        var teamB = WorkspaceDeletionSummary()
        for name in ["exp-b1", "exp-b2"] {
            let experiment = try await ledger.createExperiment(name: name, in: "team-b", context: bob)
            teamB.experiments += 1
            let run = try await ledger.createRun(experimentID: experiment.id, in: "team-b", context: bob)
            teamB.runs += 1
            try await ledger.logMetric(runID: run.info.runID, Metric(key: "acc", value: 0.9, timestamp: 1_700_000_000_000, step: 0), in: "team-b", context: bob)
            try await ledger.logParam(runID: run.info.runID, key: "depth", value: "3", in: "team-b", context: bob)
        }
        let bExperiment = try ledger.experiment(named: "exp-b1", in: "team-b")
        _ = try await ledger.createRun(experimentID: bExperiment.id, in: "team-b", context: carol)
        teamB.runs += 1
        _ = try await ledger.createRegisteredModel(name: "model-b", in: "team-b", context: bob)
        teamB.registeredModels += 1
        try await pause()

        _ = try await ledger.createUser(username: "alice", password: "first-password", hashRounds: 1_000, context: .system())
        _ = try await ledger.createUser(username: "bob", password: "bobs-password", hashRounds: 1_000, context: .system())
        try await ledger.updatePassword(username: "alice", password: "second-password", hashRounds: 1_000, context: alice)
        let passwordChange = try ledger.head().sequence
        try await pause()
        try await ledger.setPermission(.edit, for: "alice", on: .workspace("team-a"), context: carol)
        try await ledger.setPermission(.read, for: "alice", on: .workspace("team-b"), context: carol)
        try await ledger.setPermission(.manage, for: "bob", on: .experiment(id: bExperiment.id, workspace: "team-b"), context: carol)
        try await ledger.setPermission(.read, for: "alice", on: .registeredModel(name: "model-b", workspace: "team-b"), context: carol)
        teamB.grants += 3

        let user = try ledger.user(named: "alice")
        return DemoHistory(teamB: teamB, experimentID: exp1.id, workspaceUpdate: workspaceUpdate, passwordChange: passwordChange,
                           derivedKey: user.password.derivedKey, salt: user.password.salt, boundaries: boundaries, head: try ledger.head())
    }
}


/// The head of the closed ledger in `directory`, read through the library.
func headOfLedger(_ directory: String) async throws -> LogHead {
    try await withReopenableLedger(directory, readOnly: true) { try $0.head() }
}

/// Every event of the closed ledger in `directory`, in log order.
func eventsOfLedger(_ directory: String) async throws -> [RecordedEvent] {
    try await withReopenableLedger(directory, readOnly: true) { ledger in
        var all: [RecordedEvent] = []
        while true {
            let page = try ledger.events(from: UInt64(all.count) + 1, limit: 1000)
            all += page
            if page.count < 1000 { return all }
        }
    }
}

// MARK: - Damage, through LMDB directly

/// Opens the closed ledger's LMDB environment and runs `body` in one write transaction over the
/// named databases (`events`, `workspaces`, ...).
func withLMDBDatabases(_ directory: String, _ names: [String], _ body: (borrowing Transaction, [Database]) throws -> Void) throws {
    var configuration = Environment.Configuration()
    configuration.durable = false
    let environment = try Environment(path: directory, configuration: configuration)
    let databases = try names.map { try environment.openDatabase($0, create: false) }
    try environment.write { txn in try body(txn, databases) }
}

/// The key of event `sequence` in `events`: 8 bytes, big-endian.
func eventKey(_ sequence: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: sequence >> (56 - 8 * $0)) }
}

/// Rewrites the stored bytes (body ‖ 32-byte chain hash) of event `sequence`.
func changeStoredEvent(_ directory: String, _ sequence: UInt64, _ change: (inout [UInt8]) throws -> Void) throws {
    try withLMDBDatabases(directory, ["events"]) { txn, databases in
        var stored = try #require(try txn.get(databases[0], key: eventKey(sequence)))
        try change(&stored)
        try txn.put(databases[0], key: eventKey(sequence), value: stored)
    }
}

/// The index of `needle` in `haystack`, if present.
func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
    return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

// MARK: - Parsing the output

/// Parses `--format json` output: one JSON object per line.
func parseJSONLines(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
    try text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(line)", sourceLocation: sourceLocation)
    }
}

/// The `sequence` of each JSON audit line.
func sequences(_ lines: [[String: Any]]) -> [UInt64] {
    lines.compactMap { ($0["sequence"] as? NSNumber)?.uint64Value }
}

/// Parses RFC 4180 CSV: fields separated by commas, records by CRLF (or LF); a quoted field may
/// hold commas, line breaks and doubled quotes. Throws on a malformed quote.
func parseCSV(_ text: String) throws -> [[String]] {
    struct Malformed: Error, CustomStringConvertible { var description: String }
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var chars = Array(text.unicodeScalars)[...]
    var quoted = false
    var fieldStarted = false
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" {
                    chars.removeFirst()
                    field.unicodeScalars.append("\"")
                } else {
                    quoted = false
                    if let next = chars.first, next != ",", next != "\r", next != "\n" {
                        throw Malformed(description: "text after a closing quote: '\(next)'")
                    }
                }
            } else {
                field.unicodeScalars.append(c)
            }
            continue
        }
        switch c {
        case "\"":
            guard field.isEmpty else { throw Malformed(description: "a quote inside an unquoted field '\(field)'") }
            quoted = true
            fieldStarted = true
        case ",":
            record.append(field)
            field = ""
            fieldStarted = true
        case "\r":
            guard chars.first == "\n" else { throw Malformed(description: "a bare CR") }
        case "\n":
            record.append(field)
            records.append(record)
            record = []
            field = ""
            fieldStarted = false
        default:
            field.unicodeScalars.append(c)
            fieldStarted = true
        }
    }
    if quoted { throw Malformed(description: "an unterminated quoted field") }
    if fieldStarted || !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}

/// ISO-8601 with milliseconds, as `--since`/`--until` take it, for microseconds since 1970.
func iso8601(microseconds: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
}

/// The OS user the binary records without `--actor`.
var operatingSystemUser: String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"] ?? "uid-\(geteuid())"
}

extension Array where Element == UInt8 {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
