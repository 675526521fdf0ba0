import Foundation
import LedgerLMDB
import Testing

/// A fresh, empty directory under the system temporary directory, removed when `body` returns.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("LedgerLMDBTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// A test configuration: small map, no fsync (the environments are thrown away).
func testConfiguration(mapSize: Int = 16 << 20) -> Environment.Configuration {
    var configuration = Environment.Configuration()
    configuration.mapSize = mapSize
    configuration.durable = false
    return configuration
}

/// Opens a fresh environment in a temporary directory, runs `body`, then closes the environment
/// and removes the directory. `body` must not let the environment escape.
func withTemporaryEnvironment<R>(
    _ configuration: Environment.Configuration = testConfiguration(),
    _ body: (Environment, String) throws -> R
) throws -> R {
    try withTemporaryDirectory { path in
        // The environment is closed (deinit) before the directory is removed.
        let environment = try Environment(path: path, configuration: configuration)
        return try body(environment, path)
    }
}

/// Same as above, with one database named "main" opened.
func withTemporaryDatabase<R>(
    _ configuration: Environment.Configuration = testConfiguration(),
    _ body: (Environment, Database) throws -> R
) throws -> R {
    try withTemporaryEnvironment(configuration) { environment, _ in
        let database = try environment.openDatabase("main")
        return try body(environment, database)
    }
}

/// The 8-byte big-endian encoding of `value`, so that byte order is numeric order.
func bigEndianKey(_ value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// Decodes an 8-byte big-endian key.
func decodeBigEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
    precondition(bytes.count == 8)
    return bytes.reduce(0) { $0 << 8 | UInt64($1) }
}

/// UTF-8 bytes of a string.
func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

/// A deterministic, seed-dependent value of `count` bytes, so that a value read back under the
/// wrong key, truncated or shifted does not compare equal. Cheap even for megabytes (debug builds):
/// a seed-dependent fill, with the seed stamped every 512 bytes and in the last 8 bytes.
func patternValue(_ seed: UInt64, count: Int) -> [UInt8] {
    var value = [UInt8](repeating: UInt8(truncatingIfNeeded: seed &* 131 &+ 7), count: count)
    let stamp = withUnsafeBytes(of: (seed &* 0x9E37_79B9_7F4A_7C15).bigEndian) { Array($0) }
    value.withUnsafeMutableBytes { buffer in
        for offset in stride(from: 0, to: count, by: 512) {
            let n = min(8, count - offset)
            buffer[offset..<offset + n].copyBytes(from: stamp[0..<n])
        }
        if count >= 8 { buffer[(count - 8)...].copyBytes(from: stamp.reversed()) }
    }
    return value
}

/// Collects every (key, value) of `database` in cursor order, copied out of the map.
func allEntries(_ environment: Environment, _ database: Database) throws -> [([UInt8], [UInt8])] {
    try environment.read { txn in
        try txn.withCursor(database) { cursor in
            var result: [([UInt8], [UInt8])] = []
            var entry = try cursor.first()
            while let e = entry {
                result.append((Array(e.key), Array(e.value)))
                entry = try cursor.next()
            }
            return result
        }
    }
}

/// Runs `body` on a new thread and waits for it; returns what it returned or rethrows.
func onOtherThread<R: Sendable>(_ body: @escaping @Sendable () throws -> R) throws -> R {
    let box = ResultBox<R>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.set(Result { try body() })
        done.signal()
    }
    thread.start()
    done.wait()
    return try box.get()!.get()
}

/// Runs `body(0)`, …, `body(count - 1)` each on its own thread, all at once, and waits for all.
/// (Unlike `DispatchQueue.concurrentPerform`, no worker waits for a free CPU, so workers that
/// wait for one another cannot deadlock.) Returns the errors they threw.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
    let errors = ErrorLog()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            do { try body(index) } catch { errors.record(error) }
            group.leave()
        }.start()
    }
    group.wait()
    return errors.all
}

/// A lock-protected slot for passing results between threads.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?

    func set(_ newValue: Result<T, any Error>) {
        lock.lock(); defer { lock.unlock() }
        value = newValue
    }

    func get() -> Result<T, any Error>? {
        lock.lock(); defer { lock.unlock() }
        return value
    }
}

/// A lock-protected list of errors, filled from several threads.
final class ErrorLog: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []

    func record(_ error: any Error) {
        lock.lock(); defer { lock.unlock() }
        errors.append(String(describing: error))
    }

    func record(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        errors.append(message)
    }

    var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return errors
    }
}

struct TestFailure: Error, Equatable {
    var reason: String = "intentional"
}

/// Runs `executable` (posix_spawn, not `Foundation.Process`: see `LedgerTestSupport`'s
/// `SpawnedProcess`) to its end; returns its exit status and what it wrote to stdout and stderr.
func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)").path
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw TestFailure(reason: "posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return (exitStatus, output)
}

/// Reader slots that process `pid` holds in the environment at `path`, as `mdb_stat -r` (another
/// process, which needs a slot of its own to run) lists them.
func readerSlots(of pid: pid_t, in path: String) throws -> Int {
    let stat = try runTool("/usr/bin/mdb_stat", ["-r", path])
    // `mdb_stat -r` alone exits with 1 after printing the table (it opens no transaction).
    guard stat.output.hasPrefix("Reader Table Status\n") else { throw TestFailure(reason: "mdb_stat -r failed (\(stat.status)): \(stat.output)") }
    return stat.output.split(separator: "\n").count { line in
        line.split(separator: " ", omittingEmptySubsequences: true).first == Substring(String(pid))
    }
}
