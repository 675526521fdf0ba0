#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// The log handler of `ledger serve`: the lines of swift-log's `StreamLogHandler` (timestamp,
/// level, label, metadata sorted by key, `[source]`, message) at a fraction of the cost, since the
/// server writes one for every request.
///
/// `StreamLogHandler` merges the metadata into a new dictionary, renders each pair by string
/// interpolation, formats the time with `localtime` (which re-reads `/etc/localtime` on every call
/// when `TZ` is unset), and writes through a locked `FILE` it flushes each time. This one sorts the
/// few pairs in place, appends bytes into one buffer, formats the time once per second, and hands
/// the line to the kernel in a single `write(2)`, so lines from concurrent requests never interleave.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let fileDescriptor: Int32

    /// A handler writing to standard error.
    public init(label: String, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.init(label: label, logLevel: logLevel, metadataProvider: metadataProvider, fileDescriptor: 2)
    }

    init(label: String, logLevel: Logger.Level, metadataProvider: Logger.MetadataProvider?, fileDescriptor: Int32) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.fileDescriptor = fileDescriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(320)
        Self.format(event, label: label, base: metadata, provided: metadataProvider?.get() ?? [:], into: &line)
        Self.emit(line, to: fileDescriptor)
    }

    /// `<time> <level> <label>: <key=value ...> [<source>] <message>\n`, as `StreamLogHandler` writes it.
    static func format(_ event: LogEvent, label: String, base: Logger.Metadata, provided: Logger.Metadata, into line: inout [UInt8]) {
        line.append(contentsOf: Timestamp.current())
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: event.level.rawValue.utf8)
        if !label.isEmpty {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: label.utf8)
        }
        line.append(UInt8(ascii: ":"))

        // Later sources win for a key named twice: the handler's, then the provider's, then the call's.
        var pairs: [Pair] = []
        pairs.reserveCapacity(base.count + provided.count + (event.metadata?.count ?? 0) + 2)
        for (key, value) in base { pairs.append(Pair(key: key, rank: 0, value: value)) }
        for (key, value) in provided { pairs.append(Pair(key: key, rank: 1, value: value)) }
        if let metadata = event.metadata {
            for (key, value) in metadata { pairs.append(Pair(key: key, rank: 2, value: value)) }
        }
        if let error = event.error {
            pairs.append(Pair(key: "error.message", rank: 3, value: .string("\(error)")))
            pairs.append(Pair(key: "error.type", rank: 3, value: .string(String(reflecting: type(of: error)))))
        }
        // The pairs' order by an insertion sort of their positions (moving pairs costs more than
        // comparing them): a request line has seven, for which the standard library's merge sort
        // spends more on its scratch buffer than on comparing.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: pairs.count) { order in
            for index in pairs.indices {
                var position = index
                while position > 0, pairs[index].precedes(pairs[order[position - 1]]) {
                    order[position] = order[position - 1]
                    position -= 1
                }
                order[position] = index
            }
            var previous = -1
            for index in order {
                let pair = pairs[index]
                if previous >= 0 && pairs[previous].key == pair.key { continue }
                previous = index
                line.append(UInt8(ascii: " "))
                line.append(contentsOf: pair.key.utf8)
                line.append(UInt8(ascii: "="))
                switch pair.value {
                case .string(let text): line.append(contentsOf: text.utf8)
                case .stringConvertible(let value): line.append(contentsOf: value.description.utf8)
                default: line.append(contentsOf: pair.value.description.utf8)
                }
            }
        }

        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: event.source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: event.message.description.utf8)
        line.append(UInt8(ascii: "\n"))
    }

    /// A metadata pair and the rank of its source (a struct, not a tuple: tuples of an enum from
    /// another module are copied through the runtime's generic witnesses, which cost more than
    /// the rest of the line).
    private struct Pair {
        var key: String
        var rank: Int
        var value: Logger.Metadata.Value

        /// By key; for one key, the source that wins first.
        func precedes(_ other: Pair) -> Bool {
            key != other.key ? key < other.key : rank > other.rank
        }
    }

    /// Writes all of `bytes`, retrying after a signal or a short write; a failing log is dropped.
    static func emit(_ bytes: [UInt8], to fileDescriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    /// The local time as `StreamLogHandler` prints it (`2026-11-22T04:57:28+0000`), formatted
    /// once per second.
    enum Timestamp {
        private static let cache = Mutex<(second: Int, text: [UInt8])>((-1, []))

        static func current() -> [UInt8] {
            var now = time(nil)
            if let cached = cache.withLock({ $0.second == now ? $0.text : nil }) { return cached }
            var parts = tm()
            var buffer = [Int8](repeating: 0, count: 64)
            // localtime_r reads the time zone once, not on every call as localtime does.
            guard localtime_r(&now, &parts) != nil else { return Array("<unknown>".utf8) }
            let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            let text = buffer[..<count].map { UInt8(bitPattern: $0) }
            cache.withLock { $0 = (Int(now), text) }
            return text
        }
    }
}
