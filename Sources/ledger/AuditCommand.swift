import ArgumentParser
import Foundation
import LedgerCore

/// `ledger audit`: who changed what, when, from where.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print who changed what: time, sequence, actor, source, workspace, event type, entity and the change.",
        discussion: """
            Filters combine. --workspace and --actor read through indexes kept with the log, not the \
            whole log. Times are ISO-8601 (UTC unless an offset is given). An update shows each changed \
            field as before → after; a password shows as "password set", never the hash.

            --format json prints one JSON object per line; csv prints a header row and quotes as RFC 4180.
            --verify also checks the hash chain over the printed range and exits 1 on a break.

            Examples:
              ledger audit --workspace team-a --since 2026-11-01
              ledger audit --actor alice --type experiment.renamed --format json
              ledger audit --entity experiment:3 --format csv --verify
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: ArgumentHelp("Only changes in this workspace.", valueName: "W"))
    var workspace: String?

    @Option(help: ArgumentHelp("Only changes by this actor.", valueName: "U"))
    var actor: String?

    @Option(name: .customLong("type"), help: ArgumentHelp("Only events of this type, such as experiment.renamed (repeatable).", valueName: "T"))
    var types: [String] = []

    @Option(help: ArgumentHelp("Only events about this entity: KIND or KIND:ID, such as experiment:3.", valueName: "E"))
    var entity: String?

    @Option(help: ArgumentHelp("Only events at or after this ISO-8601 time.", valueName: "T"))
    var since: String?

    @Option(help: ArgumentHelp("Only events at or before this ISO-8601 time.", valueName: "T"))
    var until: String?

    @Option(help: "Output format: table, json (one object per line) or csv.")
    var format: Format = .table

    @Flag(help: "Also check the hash chain over the printed range; exit 1 on a break.")
    var verify = false

    func validate() throws {
        for type in types where EventType(name: type) == nil {
            throw ValidationError("unknown event type '\(type)'; the types are: \(EventType.allCases.map(\.name).joined(separator: ", "))")
        }
        if let entity {
            do { try AuditFilter.validateEntity(entity) } catch { throw ValidationError(error.message) }
        }
        if let since { _ = try TimeArgument.microseconds(since, option: "--since") }
        if let until { _ = try TimeArgument.microseconds(until, option: "--until") }
    }

    func run() async throws {
        let filter = AuditFilter(
            workspace: workspace, actor: actor, types: Set(types.compactMap(EventType.init(name:))), entity: entity,
            since: try since.map { try TimeArgument.microseconds($0, option: "--since") },
            until: try until.map { try TimeArgument.microseconds($0, option: "--until") })
        let ledger = try await data.open(readOnly: true)
        var writer = AuditWriter(format: format)
        writer.begin()
        let scan = try ledger.audit(filter) { event in writer.write(event) }
        writer.end()
        guard verify else { return }
        guard let first = scan.firstSequence, let last = scan.lastSequence else {
            FileHandle.standardError.write(Data("ledger: nothing printed, nothing to verify\n".utf8))
            return
        }
        let report = try ledger.verifyChain(from: first, through: last)
        if report.isClean {
            FileHandle.standardError.write(Data("ledger: hash chain verified over sequences \(first)...\(last) (\(report.eventsChecked) events)\n".utf8))
        } else {
            FileHandle.standardError.write(Data("ledger: hash chain BROKEN over sequences \(first)...\(last): \(report.problemCount) problem(s); first: \(report.firstProblem!)\n".utf8))
            throw ExitCode(ExitStatus.problemFound)
        }
    }
}

/// Renders audit events as a table, JSON lines or CSV, one event at a time.
struct AuditWriter {
    let format: AuditCommand.Format
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(format: AuditCommand.Format) {
        self.format = format
    }

    /// One printed event; also the JSON object of `--format json`.
    struct Line: Encodable {
        var time: String
        var sequence: UInt64
        var actor: String
        var source: String
        var remoteAddress: String?
        var userAgent: String?
        var requestID: String
        var workspace: String
        var type: String
        var entity: String
        var change: String
        var changes: [AuditChange]

        enum CodingKeys: String, CodingKey {
            case time, sequence, actor, source, workspace, type, entity, change, changes
            case remoteAddress = "remote_address", userAgent = "user_agent", requestID = "request_id"
        }

        init(_ event: RecordedEvent) {
            time = TimeArgument.iso8601(event.timestamp)
            sequence = event.sequence
            actor = event.actor
            switch event.source {
            case .system: source = "system"
            case .cli: source = "cli"
            case let .http(address, agent):
                source = "http"
                remoteAddress = address
                userAgent = agent
            }
            requestID = event.requestID
            workspace = event.workspace
            type = event.type.name
            entity = event.entity.description
            changes = event.payload.auditChanges
            change = event.payload.auditSummary
        }
    }

    static let columns = ["TIME", "SEQ", "ACTOR", "SOURCE", "WORKSPACE", "TYPE", "ENTITY", "CHANGE"]
    static let widths = [24, 7, 12, 16, 16, 26, 24, 0]
    static let csvHeader = ["time", "sequence", "actor", "source", "remote_address", "user_agent", "request_id", "workspace", "type", "entity", "change"]

    /// Output waiting to be written: a system call per 64 KiB, not per line.
    private var buffer: [UInt8] = []

    mutating func begin() {
        switch format {
        case .table: emit(Self.tableRow(Self.columns))
        case .csv: emit(Self.csvHeader.map(Self.csvField).joined(separator: ",") + "\r\n")
        case .json: break
        }
    }

    mutating func write(_ event: RecordedEvent) {
        let line = Line(event)
        switch format {
        case .table:
            let source = line.remoteAddress.map { "http \($0)" } ?? line.source
            emit(Self.tableRow([line.time, String(line.sequence), line.actor, source, line.workspace, line.type, line.entity, line.change]))
        case .json:
            let data = (try? encoder.encode(line)) ?? Data("{}".utf8)
            emit(String(decoding: data, as: UTF8.self) + "\n")
        case .csv:
            let fields = [line.time, String(line.sequence), line.actor, line.source, line.remoteAddress ?? "", line.userAgent ?? "",
                          line.requestID, line.workspace, line.type, line.entity, line.change]
            emit(fields.map(Self.csvField).joined(separator: ",") + "\r\n")
        }
    }

    mutating func end() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll()
    }

    private mutating func emit(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { end() }
    }

    static func tableRow(_ cells: [String]) -> String {
        zip(cells.map(\.escapingControlCharacters), widths).map { cell, width in
            width == 0 ? cell : cell.padding(toLength: max(width, cell.count), withPad: " ", startingAt: 0)
        }.joined(separator: " ") + "\n"
    }

    /// RFC 4180: quote fields holding a comma, a quote or a line break; double inner quotes.
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
