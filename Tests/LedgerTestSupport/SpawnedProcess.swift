#if os(Linux)
import Foundation

/// A child process run to its end: its exit status and what it wrote.
public struct SpawnedProcess: Sendable {
    /// The exit status, or 128 + the signal that ended it (as a shell reports it).
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Runs `executable` with posix_spawn to its end and collects its exit status and output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                           currentDirectory: String? = nil) throws -> SpawnedProcess {
        try start(executable, arguments, environment: environment, currentDirectory: currentDirectory).wait()
    }

    /// A child still running: its output is read as it comes (so a full pipe never blocks it),
    /// and ``wait()`` collects the rest and its exit status.
    public final class Running: Sendable {
        public let pid: pid_t
        private let output: Output

        fileprivate init(pid: pid_t, outFD: Int32, errFD: Int32) {
            self.pid = pid
            self.output = Output(outFD: outFD, errFD: errFD)
        }

        /// Sends `signal` (SIGTERM to ask a server to stop).
        public func send(_ signal: Int32) { kill(pid, signal) }

        /// Blocks until the child ends and both of its pipes are closed. Call it once.
        public func wait() -> SpawnedProcess {
            output.done.wait()
            output.done.wait()
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS, else 128 + the signal, as a shell reports it.
            let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return SpawnedProcess(status: exitStatus, stdout: String(decoding: output.out, as: UTF8.self),
                                  stderr: String(decoding: output.err, as: UTF8.self))
        }

        /// Both pipes, each read to its end on a thread of its own.
        private final class Output: @unchecked Sendable {
            // Written by the reading threads before they signal `done`, read only after.
            var out: [UInt8] = []
            var err: [UInt8] = []
            let done = DispatchSemaphore(value: 0)

            init(outFD: Int32, errFD: Int32) {
                Thread { self.out = SpawnedProcess.readAll(outFD); self.done.signal() }.start()
                Thread { self.err = SpawnedProcess.readAll(errFD); self.done.signal() }.start()
            }
        }
    }

    /// Starts `executable` with posix_spawn.
    ///
    /// Not `Foundation.Process`: on Linux its `run()` scans /proc/self/fd with a dirent over-read that
    /// crashes intermittently in a process holding many descriptors, as this test process does
    /// (swift-corelibs-foundation PR #5472, present in Swift 6.3.1).
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                             currentDirectory: String? = nil) throws -> Running {
        struct SpawnError: Error, CustomStringConvertible { var description: String }
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Not inherited by children spawned meanwhile (pipe2 is a GNU extension Swift does not see;
        // every spawn here also closes all descriptors above 2).
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Both are GNU extensions (glibc 2.29, 2.34) that Swift's Glibc module does not declare.
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddClosefrom.self)(&actions, 3)
        }
        if let currentDirectory {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
                throw SpawnError(description: "posix_spawn_file_actions_addchdir_np is not available")
            }
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, currentDirectory)
        }

        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let argv = cStrings([executable] + arguments)
        let envp = cStrings(environment.map { "\($0.key)=\($0.value)" })
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(spawned)))")
        }

        return Running(pid: pid, outFD: outPipe[0], errFD: errPipe[0])
    }

    /// Reads `fd` to its end and closes it.
    fileprivate static func readAll(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { data += buffer[0..<n] } else if n == 0 || errno != EINTR { break }
        }
        close(fd)
        return data
    }
}
#endif
