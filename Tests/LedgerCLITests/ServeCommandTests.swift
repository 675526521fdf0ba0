import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LedgerCore
import LedgerTestSupport
import Testing

/// `ledger serve` started as a process: the bootstrap of the admin with `--auth`, the refusals of
/// bad configuration, and a clean stop on SIGTERM.
@Suite struct ServeCommandTests {
    /// A port nothing listens on: the one the kernel picks for a socket bound to port 0, which is
    /// then closed (a random pick could meet another test's server or an outgoing connection).
    static func freePort() -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        if descriptor >= 0 && bound { return Int(UInt16(bigEndian: address.sin_port)) }
        #endif
        return Int.random(in: 20_000...30_000)
    }

    #if canImport(Glibc)
    /// What ``whileServing(_:environment:_:)`` throws when its checks failed.
    struct ChecksFailed: Error, CustomStringConvertible { var description: String }

    /// Runs `ledger serve` with `arguments` on a free port and `checks` (blocking, on a thread of
    /// its own) with that port, then stops the server with SIGTERM whatever the checks did: not
    /// on a timer, since a loaded machine (the whole suite runs in parallel) may take seconds to
    /// start it. A failure of the checks is thrown after the stop, with the server's output.
    static func whileServing<T: Sendable>(_ arguments: [String], environment: [String: String] = [:],
                                          _ checks: @escaping @Sendable (Int) throws -> T) async throws -> (checked: T, server: CLIResult) {
        let port = freePort()
        let server = try startLedger(["serve", "--port", String(port)] + arguments, environment: environment)
        let outcome: Result<T, any Error>
        do { outcome = .success(try await onOwnThread { try checks(port) }) } catch { outcome = .failure(error) }
        server.send(SIGTERM)
        let result = CLIResult(try await onOwnThread { server.wait() })
        do { return (try outcome.get(), result) } catch { throw ChecksFailed(description: "\(error)\n\(result)") }
    }
    #endif

    @Test func authWithoutUsersOrBootstrapVariablesRefusesToStart() async throws {
        try await withTemporaryPath { directory in
            let result = try await runLedger(["serve", "--auth", "--data-dir", directory, "--port", String(Self.freePort())], stopAfter: 20)
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("LEDGER_ADMIN_USERNAME"), "\(result)")
            #expect(result.stderr.contains("LEDGER_ADMIN_PASSWORD"), "\(result)")
        }
    }

    #if canImport(Glibc)
    @Test func firstStartWithAuthCreatesTheAdminAsSystemAndStopsCleanlyOnSIGTERM() async throws {
        try await withTemporaryPath { directory in
            let password = "bootstrap-secret-42"
            // Stopped once it listens (the admin is created before).
            let (_, result) = try await Self.whileServing(["--auth", "--data-dir", directory],
                                                          environment: ["LEDGER_ADMIN_USERNAME": "root-admin", "LEDGER_ADMIN_PASSWORD": password]) { port in
                _ = try TCPConnection(port: port, within: .seconds(60))
            }
            #expect(result.status == 0, "SIGTERM did not stop the server cleanly: \(result)")
            #expect(!result.stderr.contains(password), "the password was logged: \(result.stderr)")
            let events = try await eventsOfLedger(directory)
            let created = try #require(events.first { $0.type == .userCreated })
            #expect(created.actor == "system")
            guard case let .userCreated(username, isAdmin, hash) = created.payload else { Issue.record("not a user event"); return }
            #expect(username == "root-admin")
            #expect(isAdmin)
            #expect(hash.matches(password))
            #expect(!result.stderr.contains(hash.derivedKey.map { String(format: "%02x", $0) }.joined()))
            // The ledger verifies after the stop: nothing half-written.
            let verify = try await runLedger(["replay", "--verify", "--data-dir", directory])
            #expect(verify.status == 0, "\(verify)")
        }
    }
    #endif

    @Test(arguments: [
        ["--default-artifact-root", "/srv/mlflow/workspaces"],
        ["--default-artifact-root", "/srv/workspaces/team"],
        ["--default-artifact-root", "relative/path"],
        ["--default-workspace-permission", "READ"],
        ["--auth", "--default-workspace-permission", "SUPERUSER"],
        ["--port", "70000"],
        ["--idle-timeout", "0"],
        ["--idle-timeout", "-5"],
        ["--idle-timeout", "nan"],
        ["--max-connections", "0"],
    ])
    func badConfigurationIsRefusedBeforeStarting(_ options: [String]) async throws {
        try await withTemporaryPath { directory in
            let result = try await runLedger(["serve", "--data-dir", directory] + options, stopAfter: 20)
            #expect(result.status == 2, "\(result)")
            #expect(!result.stderr.isEmpty)
        }
    }

    #if canImport(Glibc)
    /// `--max-connections 1 --idle-timeout 2`: a second connection is not served while the first
    /// is open, and is served once the first is closed for idling.
    @Test func connectionLimitAndIdleTimeoutReachTheServer() async throws {
        try await withTemporaryPath { directory in
            let (answers, result) = try await Self.whileServing(["--data-dir", directory, "--max-connections", "1", "--idle-timeout", "2"]) { port in
                let first = try TCPConnection(port: port, within: .seconds(60))
                let request = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                try first.send(request)
                let firstAnswer = first.receive(within: .seconds(10))
                let second = try TCPConnection(port: port, within: .seconds(10))
                try second.send(request)
                let secondWhileFirstOpen = second.receive(within: .milliseconds(500))
                let secondLater = second.receive(within: .seconds(10))
                return (first: firstAnswer, secondWhileFirstOpen: secondWhileFirstOpen, secondLater: secondLater)
            }
            #expect(answers.first.hasPrefix("HTTP/1.1 200"), "\(answers.first)\n\(result)")
            #expect(answers.secondWhileFirstOpen.isEmpty, "served beyond --max-connections 1: \(answers.secondWhileFirstOpen)")
            #expect(answers.secondLater.hasPrefix("HTTP/1.1 200"), "not served after --idle-timeout closed the first: '\(answers.secondLater)'\n\(result)")
            #expect(result.status == 0, "SIGTERM did not stop the server cleanly: \(result)")
        }
    }
    #endif
}

#if canImport(Glibc)

/// Runs `body` on a thread of its own: blocking socket calls stay off the cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A blocking TCP connection to 127.0.0.1, for checking a server process from the outside.
final class TCPConnection {
    struct Failure: Error, CustomStringConvertible { var description: String }
    private let descriptor: Int32

    /// Connects, retrying while the server is not listening yet.
    init(port: Int, within timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected == 0 {
                self.descriptor = descriptor
                return
            }
            close(descriptor)
            guard ContinuousClock.now < deadline else { throw Failure(description: "could not connect to port \(port)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw Failure(description: "send() failed: errno \(errno)")
        }
    }

    /// What arrives within `timeout` (up to 64 KiB; "" when nothing does).
    func receive(within timeout: Duration) -> String {
        var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }
}
#endif
