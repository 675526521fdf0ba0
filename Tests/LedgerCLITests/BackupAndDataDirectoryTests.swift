import Foundation
import Testing
@testable import LedgerCore

/// `ledger backup`, and which directory every command works on.
@Suite struct BackupAndDataDirectoryTests {
    @Test func backupWritesAFileThatVerifies() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let file = directory + "-backup.mdb"
            let result = try await runLedger(["backup", "--to", file, "--data-dir", directory])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasPrefix("backed up the ledger (head at sequence \(history.head.sequence) or later) to \(file): "), "\(result)")
            let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
            #expect(size > 0)
            #expect(result.stdout.hasSuffix(": \(size) bytes\n"), "\(result)")
            // No partial file is left beside it.
            let siblings = try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent)
            #expect(!siblings.contains { $0.hasPrefix((file as NSString).lastPathComponent + ".partial") })

            let verified = try await runLedger(["replay", "--verify", "--data-dir", file])
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdout.contains("head at sequence \(history.head.sequence),"), "\(verified)")
            let listed = try await runLedger(["workspace", "list", "--format", "json", "--data-dir", file])
            #expect(try parseJSONLines(listed.stdout).compactMap { $0["name"] as? String } == ["default", "empty", "team-a", "team-b"])
            let audited = try await runLedger(["audit", "--format", "json", "--data-dir", file])
            #expect(sequences(try parseJSONLines(audited.stdout)) == Array(1...history.head.sequence))
            #expect(try await headOfLedger(file) == history.head)

            // A backup is read-only: writing commands refuse it.
            let write = try await runLedger(["workspace", "create", "team-x", "--data-dir", file])
            #expect(write.status == 2, "\(write)")
            #expect(write.stderr.contains("is a file"), "\(write)")

            // An existing file is never overwritten.
            let again = try await runLedger(["backup", "--to", file, "--data-dir", directory])
            #expect(again.status == 2, "\(again)")
            #expect(again.stderr.contains("exists"), "\(again)")
            #expect(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int == size)
        }
    }

    /// A backup into a directory that does not exist is bad input (2), not a failed check (1).
    @Test func backupIntoAMissingDirectoryIsBadInput() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let file = directory + "-missing/backup.mdb"
            let result = try await runLedger(["backup", "--to", file, "--data-dir", directory])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("does not exist"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: directory + "-missing"))
            #expect(try await headOfLedger(directory) == history.head)
        }
    }

    /// The read commands, in their non-writing forms.
    static let readCommands: [[String]] = [
        ["replay", "--verify"], ["replay"], ["replay", "--until", "3"], ["audit"], ["audit", "--verify"],
        ["workspace", "list"], ["workspace", "get", "team-a"], ["delete-workspace", "--workspace", "team-a"],
        ["workspace", "update", "team-a", "--description", "x"], ["workspace", "delete", "team-a"],
    ]

    /// A missing directory, an empty one, or one with something else in it: exit 2 with a clear
    /// message, and nothing created.
    @Test(arguments: readCommands)
    func missingOrNonLedgerDirectoryIsRefused(_ command: [String]) async throws {
        try await withTemporaryPath { base in
            let missing = base + "/missing"
            let empty = base + "/empty"
            let other = base + "/other"
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))

            for directory in [missing, empty, other] {
                let result = try await runLedger(command + ["--data-dir", directory])
                #expect(result.status == 2, "\(command) on \(directory): \(result)")
                #expect(result.stderr.contains("holds no ledger"), "\(result)")
                #expect(result.stderr.contains(directory), "the message names the directory: \(result)")
                #expect(result.stdout.isEmpty, "\(result)")
            }
            #expect(!FileManager.default.fileExists(atPath: missing), "\(command) created the directory")
            #expect(try FileManager.default.contentsOfDirectory(atPath: empty) == [], "\(command) wrote into an empty directory")
            #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["notes.txt"])
        }
    }

    @Test func backupOfAMissingLedgerCreatesNothing() async throws {
        try await withTemporaryPath { base in
            let result = try await runLedger(["backup", "--to", base + "-backup.mdb", "--data-dir", base])
            #expect(result.status == 2, "\(result)")
            #expect(result.stderr.contains("holds no ledger"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: base))
            #expect(!FileManager.default.fileExists(atPath: base + "-backup.mdb"))
        }
    }

    /// A `data.mdb` that is not an LMDB file is not a ledger either.
    @Test func garbageDataFileIsNotALedger() async throws {
        try await withTemporaryPath { directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(repeating: 0xAB, count: 64 << 10).write(to: URL(fileURLWithPath: directory + "/data.mdb"))
            for command in [["replay", "--verify"], ["audit"], ["workspace", "list"]] {
                let result = try await runLedger(command + ["--data-dir", directory])
                #expect(result.status == 2, "\(command): \(result)")
                #expect(result.stderr.contains("not a ledger"), "\(result)")
            }
        }
    }

    /// Without --data-dir: `$LEDGER_DATA_DIR`, else `./ledger-data`; --data-dir wins over both.
    @Test func dataDirectoryComesFromTheOptionTheEnvironmentOrTheCurrentDirectory() async throws {
        try await withTemporaryPath { directory in
            let history = try await buildDemoLedger(in: directory)
            let fromEnvironment = try await runLedger(["workspace", "list", "--format", "json"], environment: ["LEDGER_DATA_DIR": directory])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
            #expect(try parseJSONLines(fromEnvironment.stdout).compactMap { $0["name"] as? String } == ["default", "empty", "team-a", "team-b"])
            let audit = try await runLedger(["audit", "--format", "json"], environment: ["LEDGER_DATA_DIR": directory])
            #expect(sequences(try parseJSONLines(audit.stdout)) == Array(1...history.head.sequence))

            let optionWins = try await runLedger(["replay", "--verify", "--data-dir", directory], environment: ["LEDGER_DATA_DIR": directory + "-nowhere"])
            #expect(optionWins.status == 0, "\(optionWins)")
            let environmentMissing = try await runLedger(["replay", "--verify"], environment: ["LEDGER_DATA_DIR": directory + "-nowhere"])
            #expect(environmentMissing.status == 2, "\(environmentMissing)")
            #expect(environmentMissing.stderr.contains(directory + "-nowhere"), "\(environmentMissing)")

            // Neither: ./ledger-data, relative to the current directory; a read never creates it.
            let cwd = directory + "-cwd"
            try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
            let fallback = try await runLedger(["audit"], currentDirectory: cwd)
            #expect(fallback.status == 2, "\(fallback)")
            #expect(fallback.stderr.contains("ledger-data"), "\(fallback)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: cwd) == [])

            // `workspace create` is the one command that may start a ledger there.
            let created = try await runLedger(["workspace", "create", "first", "--actor", "ops"], currentDirectory: cwd)
            #expect(created.status == 0, "\(created)")
            let listed = try await runLedger(["workspace", "list", "--data-dir", cwd + "/ledger-data", "--format", "json"])
            #expect(try parseJSONLines(listed.stdout).compactMap { $0["name"] as? String } == ["default", "first"])
        }
    }
}
