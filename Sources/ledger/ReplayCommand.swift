import ArgumentParser
import Foundation
import LedgerCore

/// `ledger replay`: rebuild the views from the log, verify them, or look into the past.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild every view from the log, verify the log and the views, or recover a past state.",
        discussion: """
            Without options, rebuilds every projection from the log in one transaction (the recovery \
            path after a projector change or a damaged view) and prints a one-line summary.

            --verify changes nothing: it checks the hash chain (gaps, changed bytes, reordering) and \
            compares a rebuild with the live views key by key. Clean: exit 0. Any difference: exit 1, \
            printing the first one (sequence number, view, key) and the count.

            --until SEQ|TIME prints the state as of then (workspaces with their experiment, model and \
            grant counts); with --output DIR it writes a new ledger directory holding the log up to that \
            point with its views (point-in-time recovery).

            Examples:
              ledger replay --data-dir /srv/ledger
              ledger replay --verify
              ledger replay --until 2026-11-22T10:00:00Z
              ledger replay --until 1520 --output /srv/ledger-before-delete
            """
    )

    @OptionGroup var data: DataDirectoryOptions

    @Flag(help: "Check the chain and compare a rebuild with the live views; change nothing.")
    var verify = false

    @Option(help: ArgumentHelp("A sequence number or an ISO-8601 time to look back to.", valueName: "SEQ|TIME"))
    var until: String?

    @Option(help: ArgumentHelp("With --until: write a new ledger directory holding the log up to then.", valueName: "DIR"))
    var output: String?

    func validate() throws {
        if verify && (until != nil || output != nil) {
            throw ValidationError("--verify checks the whole ledger; it does not combine with --until or --output")
        }
        if output != nil && until == nil {
            throw ValidationError("--output needs --until SEQ|TIME: the point the new ledger ends at")
        }
        if let until { _ = try TimeArgument.point(until, option: "--until") }
    }

    func run() async throws {
        if verify { return try await runVerify() }
        if let until { return try await runUntil(try TimeArgument.point(until, option: "--until")) }
        let ledger = try await data.open(readOnly: false)
        let progress = Progress(label: "replay")
        let summary = try ledger.rebuildProjections(progress: progress.handler)
        progress.finish()
        print("replayed \(summary.events) events in \(String(format: "%.2f", summary.seconds)) s (\(Int(summary.eventsPerSecond)) events/s)")
    }

    private func runVerify() async throws {
        let ledger = try await data.open(readOnly: true)
        let progress = Progress(label: "verify")
        let report = try ledger.verify(progress: progress.handler)
        progress.finish()
        if report.isClean {
            print("verified \(report.eventsChecked) events: hash chain intact, head at sequence \(report.head.sequence), \(report.viewsCompared) views equal a rebuild (\(String(format: "%.2f", report.seconds)) s)")
            return
        }
        print("verification FAILED after \(report.eventsChecked) events: \(report.problemCount) difference(s)")
        if let first = report.firstProblem {
            print("first difference: \(first)")
        }
        for problem in report.problems.dropFirst().prefix(9) {
            print("  then: \(problem)")
        }
        throw ExitCode(ExitStatus.problemFound)
    }

    private func runUntil(_ point: PointInTime) async throws {
        let ledger = try await data.open(readOnly: true)
        let sequence = try ledger.sequence(at: point)
        if let output {
            let head = try ledger.copyLog(upTo: .sequence(sequence), into: output)
            let time = head.sequence > 0 ? " (\(TimeArgument.iso8601(head.timestamp)))" : ""
            print("wrote a ledger with events 1...\(head.sequence)\(time) to \(output)")
            return
        }
        let past = try await ledger.state(asOf: .sequence(sequence))
        let head = try past.head()
        let time = head.sequence > 0 ? TimeArgument.iso8601(head.timestamp) : "the beginning"
        print("state as of sequence \(head.sequence) (\(time)):")
        let rows = try past.workspaceSummaries().map { [$0.name, String($0.experiments), String($0.registeredModels), String($0.grants)] }
        print(Table(header: ["WORKSPACE", "EXPERIMENTS", "MODELS", "GRANTS"], rows: rows).rendered, terminator: "")
    }
}
