import Foundation
import Testing

@Suite struct CLISmokeTests {
    @Test func helpExitsZeroAndListsSubcommands() throws {
        let result = try runLedger(["--help"])
        #expect(result.status == 0)
        for subcommand in ["replay", "audit", "workspace", "delete-workspace", "backup"] {
            #expect(result.stdout.contains(subcommand))
        }
    }
}

/// The built `ledger` executable, beside the test bundle.
let ledgerExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger").path

/// Runs the built `ledger` with `arguments` and returns its exit status, stdout and stderr.
func runLedger(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ledgerExecutable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "LEDGER_DATA_DIR")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a full pipe never blocks the child.
    nonisolated(unsafe) var errData = Data()
    let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
