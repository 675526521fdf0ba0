import ArgumentParser
import Foundation
import LedgerCore

/// `--data-dir`, shared by every subcommand.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "The ledger directory (or a backup file, read-only).",
        discussion: "Default: $LEDGER_DATA_DIR, else ./ledger-data.", valueName: "DIR"))
    var dataDirectory: String?

    /// The directory in force: the option, else `$LEDGER_DATA_DIR`, else `./ledger-data`.
    var resolved: String {
        if let dataDirectory { return dataDirectory }
        if let fromEnvironment = ProcessInfo.processInfo.environment["LEDGER_DATA_DIR"], !fromEnvironment.isEmpty { return fromEnvironment }
        return "./ledger-data"
    }

    /// Opens the existing ledger; a missing or non-ledger directory is an error, never a new
    /// ledger, unless `create` (only `workspace create` may start a ledger).
    func open(readOnly: Bool, create: Bool = false) async throws -> Ledger {
        var configuration = Ledger.Configuration(directory: resolved)
        configuration.readOnly = readOnly
        configuration.createIfMissing = create && !readOnly
        return try await Ledger(configuration: configuration)
    }
}

/// `--actor`, for subcommands that change the ledger.
struct ActorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who the change is recorded as (default: the OS user).", valueName: "USER"))
    var actor: String?

    func validate() throws {
        if let actor, actor.isEmpty || actor.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw ValidationError("--actor must be a non-empty name without control characters")
        }
    }

    /// The context every event of this invocation records: the actor, source `cli`, a request id.
    var context: CommandContext {
        CommandContext(actor: actor ?? Self.operatingSystemUser, requestID: "cli-\(UUID().uuidString.lowercased())", source: .cli)
    }

    static var operatingSystemUser: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid-\(geteuid())"
    }
}

/// Output formats of listing subcommands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Parsing of `--since`, `--until`: ISO-8601 times, and sequence numbers where allowed.
enum TimeArgument {
    /// Microseconds since 1970 for an ISO-8601 time such as `2026-11-22T10:00:00Z`,
    /// `2026-11-22T10:00:00.250+01:00` or a date `2026-11-22` (midnight UTC).
    static func microseconds(_ text: String, option: String) throws -> Int64 {
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
        }
        throw ValidationError("\(option) wants an ISO-8601 time such as 2026-11-22T10:00:00Z (or a date, 2026-11-22), got '\(text)'")
    }

    /// A point in the log: a sequence number (digits) or an ISO-8601 time.
    static func point(_ text: String, option: String) throws -> PointInTime {
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) {
            guard let sequence = UInt64(text) else { throw ValidationError("\(option): sequence number '\(text)' is too large") }
            return .sequence(sequence)
        }
        return .time(microseconds: try microseconds(text, option: option))
    }

    /// `2026-11-22T10:00:00.123Z` for microseconds since 1970.
    static func iso8601(_ microseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
    }
}

/// Progress on a terminal: a self-overwriting line on stderr, only when stdout is a terminal.
struct Progress: Sendable {
    let label: String
    var isEnabled: Bool { isatty(STDOUT_FILENO) == 1 }

    var handler: ProgressHandler? {
        guard isEnabled else { return nil }
        let label = self.label
        return { done, total in
            let percent = total > 0 ? min(100, Double(done) * 100 / Double(total)) : 100
            FileHandle.standardError.write(Data("\r\(label): \(done) / \(total) events (\(String(format: "%.0f", percent))%)\u{1B}[K".utf8))
        }
    }

    func finish() {
        if isEnabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
