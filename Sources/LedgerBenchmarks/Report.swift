import Foundation

// MARK: - Timing

/// Monotonic nanoseconds (CLOCK_MONOTONIC through DispatchTime).
@inline(__always)
func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Seconds elapsed since `start` (from ``nanos()``).
func seconds(since start: UInt64) -> Double { Double(nanos() - start) / 1e9 }

/// Order statistics of a set of samples (nanoseconds unless said otherwise).
struct Stats: Sendable {
    let sorted: [Double]

    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "no samples")
        sorted = samples.sorted()
    }

    var count: Int { sorted.count }
    /// Nearest-rank percentile, `p` in 0...100.
    func percentile(_ p: Double) -> Double {
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
    var median: Double { percentile(50) }
    var p99: Double { percentile(99) }
    var mean: Double { sorted.reduce(0, +) / Double(sorted.count) }
}

// MARK: - Rows

/// The unit of a figure; values are stored in the unit's base (µs, events/s, bytes, ...).
enum Unit: String, Sendable, Codable {
    case microseconds = "us"
    case perSecond = "per_s"
    case bytes = "bytes"
    case seconds = "s"

    func format(_ value: Double) -> String {
        switch self {
        case .microseconds: return formatMicros(value)
        case .perSecond: return formatCount(value) + "/s"
        case .bytes: return formatCount(value) + " B"
        case .seconds: return String(format: "%.2f s", value)
        }
    }
}

/// A SPEC §6 target and how a row is checked against it.
enum Target: Sendable {
    /// value / reference ≤ bound (for latencies).
    case ratioAtMost(Double)
    /// value ≥ bound, in the row's unit.
    case atLeast(Double)
    /// value ≤ bound, in the row's unit.
    case atMost(Double)
    /// No target: shown for context.
    case none

    var text: String {
        switch self {
        case .ratioAtMost(let r): return "≤ \(trim(r))× ref"
        case .atLeast(let v): return "≥ " + formatCount(v)
        case .atMost(let v): return "≤ " + trim(v)
        case .none: return ""
        }
    }

    func passes(value: Double, reference: Double?) -> Bool? {
        switch self {
        case .ratioAtMost(let bound):
            guard let reference, reference > 0 else { return nil }
            return value / reference <= bound
        case .atLeast(let bound): return value >= bound
        case .atMost(let bound): return value <= bound
        case .none: return nil
        }
    }
}

/// One measured figure beside its reference.
struct Row: Sendable {
    /// The SPEC item, `1`...`7`.
    var section: String
    /// A stable machine name, such as `commit.create_experiment.median`.
    var key: String
    /// What the ledger did.
    var label: String
    var value: Double
    var unit: Unit
    /// The bare figure measured in the same run, in the same unit.
    var reference: Double?
    var referenceLabel: String?
    var target: Target = .none
    /// How many operations (or samples) the figure is made of.
    var samples: Int?

    var ratio: Double? {
        guard let reference, reference > 0 else { return nil }
        return value / reference
    }

    var verdict: Bool? { target.passes(value: value, reference: reference) }
}

/// Collects rows and notes and prints them as a table or as JSON lines.
final class Report: @unchecked Sendable {
    typealias Format = BenchmarkOptions.Format

    let format: Format
    private(set) var rows: [Row] = []
    private(set) var notes: [String] = []
    private var header: [(String, String)] = []

    init(format: Format) { self.format = format }

    func add(_ row: Row) {
        // Kept in SPEC order whatever order they are measured in.
        let index = rows.lastIndex { $0.section <= row.section }.map { $0 + 1 } ?? 0
        rows.insert(row, at: index)
        progress("\(row.section) \(row.label): \(row.unit.format(row.value))" + (row.reference.map { " (ref \(row.unit.format($0)))" } ?? ""))
    }

    func note(_ text: String) {
        notes.append(text)
        progress("note: \(text)")
    }

    func describe(_ key: String, _ value: String) { header.append((key, value)) }

    func print() {
        switch format {
        case .table: printTable()
        case .json: printJSON()
        }
    }

    private func printTable() {
        var out = "Workspace Ledger benchmark\n"
        for (key, value) in header { out += "  \(key): \(value)\n" }
        out += "\n"
        let columns = ["#", "measurement", "ledger", "bare reference (same run)", "ratio", "SPEC target", "result"]
        var lines: [[String]] = []
        for row in rows {
            let reference = row.reference.map { value in
                row.unit.format(value) + (row.referenceLabel.map { "  \($0)" } ?? "")
            } ?? (row.referenceLabel ?? "")
            let ratio = row.ratio.map { String(format: "%.2f×", $0) } ?? ""
            let verdict = row.verdict.map { $0 ? "PASS" : "FAIL" } ?? ""
            lines.append([row.section, row.label, row.unit.format(row.value), reference, ratio, row.target.text, verdict])
        }
        var widths = columns.map { $0.count }
        for line in lines { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: " | ")
                .trimmingCharacters(in: .whitespaces)
        }
        out += render(columns) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-") + "\n"
        var lastSection = rows.first?.section
        for (row, line) in zip(rows, lines) {
            if row.section != lastSection { out += "\n"; lastSection = row.section }
            out += render(line) + "\n"
        }
        if !notes.isEmpty {
            out += "\nNotes:\n"
            for note in notes { out += "  - \(note)\n" }
        }
        Swift.print(out, terminator: "")
    }

    private struct JSONRow: Encodable {
        var type = "measurement"
        var section: String
        var key: String
        var label: String
        var value: Double
        var unit: String
        var reference: Double?
        var reference_label: String?
        var ratio: Double?
        var target: String?
        var pass: Bool?
        var samples: Int?
    }

    private func printJSON() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func emit(_ object: [String: String]) {
            if let data = try? encoder.encode(object) { Swift.print(String(decoding: data, as: UTF8.self)) }
        }
        var run = ["type": "run"]
        for (key, value) in header { run[key] = value }
        emit(run)
        for row in rows {
            let json = JSONRow(
                section: row.section, key: row.key, label: row.label, value: row.value, unit: row.unit.rawValue,
                reference: row.reference, reference_label: row.referenceLabel, ratio: row.ratio,
                target: row.target.text.isEmpty ? nil : row.target.text, pass: row.verdict, samples: row.samples)
            if let data = try? encoder.encode(json) { Swift.print(String(decoding: data, as: UTF8.self)) }
        }
        for note in notes { emit(["type": "note", "text": note]) }
    }
}

// MARK: - Formatting

/// Progress and diagnostics go to stderr, so stdout holds only the report.
func progress(_ text: String) {
    FileHandle.standardError.write(Data(("[bench] " + text + "\n").utf8))
}

func formatMicros(_ us: Double) -> String {
    if us >= 10_000 { return String(format: "%.1f ms", us / 1000) }
    if us >= 100 { return String(format: "%.0f µs", us) }
    if us >= 10 { return String(format: "%.1f µs", us) }
    return String(format: "%.2f µs", us)
}

/// 1234567 → "1,234,567"; fractions below 100 keep one decimal.
func formatCount(_ value: Double) -> String {
    if value < 100 && value != value.rounded() { return String(format: "%.1f", value) }
    let n = Int(value.rounded())
    let digits = String(abs(n))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

func trim(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
}
