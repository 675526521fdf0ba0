import Foundation
import LedgerTestSupport
import Testing
@testable import LedgerCore

/// Storage operations: the map grows on demand, other processes share the directory, and a full
/// disk is a clear error that loses nothing committed.
@Suite struct OperationsTests {
    @Test func mapGrowsOnDemandWithoutReachingCallers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-map-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Ledger.Configuration(directory: directory)
        configuration.durable = false
        configuration.initialMapSize = 64 * 1024
        let ledger = try await Ledger(configuration: configuration)
        let initial = ledger.environment.mapSize
        let big = String(repeating: "x", count: 4000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<100 {
                        _ = try await ledger.createExperiment(name: "e-\(task)-\(i)", tags: [Tag(key: "blob", value: big)], in: "default", context: testContext)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(ledger.environment.mapSize > initial)
        #expect(try ledger.searchExperiments(in: "default", .init(maxResults: 2000)).items.count == 801)
        #expect(try ledger.verify().isClean)
        ledger.close()
    }

    @Test func otherProcessesReadAndWriteTheDirectoryWhileTheLedgerWrites() async throws {
        try await withTemporaryLedger(durable: true) { ledger, directory in
            let writers = Task {
                for i in 0..<200 {
                    _ = try await ledger.createExperiment(name: "concurrent-\(i)", in: "default", context: testContext)
                }
            }
            // A second process writes into the same environment (a database of its own) and
            // others read it, all while the ledger commits.
            let dumpFile = directory + "-probe.txt"
            defer { try? FileManager.default.removeItem(atPath: dumpFile) }
            var dump = "VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n"
            for i in 0..<50 { dump += " \(Array("key-\(i)".utf8).hexString)\n \(Array("value-\(i)".utf8).hexString)\n" }
            dump += "DATA=END\n"
            try dump.write(toFile: dumpFile, atomically: true, encoding: .utf8)
            for round in 0..<5 {
                let load = try runProcess("/usr/bin/mdb_load", ["-s", "probe-\(round)", "-f", dumpFile, directory])
                #expect(load.status == 0, "mdb_load: \(load.output)")
                let stat = try runProcess("/usr/bin/mdb_stat", ["-s", "events", directory])
                #expect(stat.status == 0, "mdb_stat: \(stat.output)")
                #expect(stat.output.contains("Entries:"))
                let events = try runProcess("/usr/bin/mdb_dump", ["-s", "events", directory])
                #expect(events.status == 0)
            }
            try await writers.value
            let report = try ledger.verify()
            #expect(report.isClean, "\(report.problems)")
            #expect(try ledger.head().sequence == 202)
            let probe = try runProcess("/usr/bin/mdb_dump", ["-p", "-s", "probe-4", directory])
            #expect(probe.output.contains("value-49"))
        }
    }

    @Test func aReleasedLedgerClosesItsFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-close-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withReopenableLedger(directory) { ledger in
            _ = try await ledger.createWorkspace(name: "team-a", context: testContext)
            let open = try openFiles(under: directory)
            #expect(open.contains { $0.hasSuffix("data.mdb") })
        }
        // LMDB must not be opened twice in one process: a released ledger holds no file.
        #expect(try openFiles(under: directory).isEmpty)
        try await withReopenableLedger(directory, readOnly: true) { ledger in
            let workspace = try ledger.workspace(named: "team-a")
            #expect(workspace.name == "team-a")
        }
    }

    /// Needs root to mount a small tmpfs; CI runs as root.
    @Test(.enabled(if: getuid() == 0, "mounting a size-limited tmpfs needs root"))
    func fullDiskIsAClearErrorAndLosesNothingCommitted() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mount = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint])
        try #require(mount.status == 0, "mount failed: \(mount.output)")
        defer { _ = try? runProcess("/bin/umount", [mountPoint]) }
        // Ballast to delete later, to free space without unmounting.
        let ballast = mountPoint + "/ballast"
        try Data(count: 1 << 20).write(to: URL(fileURLWithPath: ballast))

        var configuration = Ledger.Configuration(directory: mountPoint + "/ledger")
        configuration.defaultArtifactRoot = "/srv/artifacts"
        let ledger = try await Ledger(configuration: configuration)
        defer { ledger.close() }
        let filler = String(repeating: "f", count: 7000)
        var acknowledged: [Int64] = []
        var failure: LedgerError?
        for i in 0..<10_000 {
            do {
                let experiment = try await ledger.createExperiment(name: "fill-\(i)", tags: [Tag(key: "filler", value: filler)], in: "default", context: testContext)
                acknowledged.append(experiment.id)
            } catch let error as LedgerError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the disk never filled up")
        #expect(error.code == .storageFull)
        #expect(error.message.contains("full"))
        let headAfterFailure = try ledger.head()
        // Reads keep working and everything acknowledged is there.
        for id in acknowledged { #expect(try ledger.experiment(id: id, in: "default").id == id) }
        await expectLedgerError(.storageFull) {
            try await ledger.createExperiment(name: "still-full", tags: [Tag(key: "filler", value: filler)], in: "default", context: testContext)
        }
        #expect(try ledger.head() == headAfterFailure)

        try FileManager.default.removeItem(atPath: ballast)
        let after = try await ledger.createExperiment(name: "after-space-freed", in: "default", context: testContext)
        #expect(try ledger.experiment(id: after.id, in: "default").name == "after-space-freed")
        let report = try ledger.verify()
        #expect(report.isClean, "\(report.problems)")
    }
}

/// Runs a program to completion and returns its exit status and output (posix_spawn, not
/// `Foundation.Process`, whose `run()` crashes intermittently on Linux: see ``SpawnedProcess``).
func runProcess(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let result = try SpawnedProcess.run(path, arguments)
    return (result.status, result.stdout + result.stderr)
}

/// Files of this process open under `directory` (from /proc/self/fd).
func openFiles(under directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { fd in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)") else { return nil }
        return target.hasPrefix(directory) ? target : nil
    }
}
