import Foundation
import LedgerCore

/// The alternative the stored encoding is weighed against: the same event as a Codable struct in
/// JSON (what a log of `JSONEncoder` output would hold), decoded with Foundation's `JSONDecoder`.
struct JSONEvent: Codable {
    struct Pair: Codable { var key: String; var value: String }
    struct JSONMetric: Codable { var key: String; var value: Double; var timestamp: Int64; var step: Int64 }

    struct Payload: Codable {
        var runID: String?
        var experimentID: Int64?
        var name: String?
        var userID: String?
        var startTime: Int64?
        var artifactURI: String?
        var description: String?
        var defaultArtifactRoot: String?
        var username: String?
        var resource: String?
        var level: String?
        var previous: String?
        var tags: [Pair]?
        var params: [Pair]?
        var metrics: [JSONMetric]?
        var detail: String?
    }

    var sequence: UInt64
    var timestamp: Int64
    var type: String
    var schemaVersion: UInt16
    var actor: String
    var workspace: String
    var requestID: String
    var source: String
    var remoteAddress: String?
    var userAgent: String?
    var payload: Payload
    /// The chain hash, as lowercase hex.
    var hash: String

    init(_ event: RecordedEvent) {
        sequence = event.sequence
        timestamp = event.timestamp
        type = event.type.name
        schemaVersion = event.schemaVersion
        actor = event.actor
        workspace = event.workspace
        requestID = event.requestID
        switch event.source {
        case .system: source = "system"
        case .cli: source = "cli"
        case .http(let address, let agent):
            source = "http"; remoteAddress = address; userAgent = agent
        }
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(event.hash.count * 2)
        for byte in event.hash { hex.append(digits[Int(byte >> 4)]); hex.append(digits[Int(byte & 15)]) }
        hash = String(decoding: hex, as: UTF8.self)
        var p = Payload()
        func pairs(_ tags: [Tag]) -> [Pair] { tags.map { Pair(key: $0.key, value: $0.value) } }
        switch event.payload {
        case let .workspaceCreated(name, description, root):
            p.name = name; p.description = description; p.defaultArtifactRoot = root
        case let .experimentCreated(id, name, location, tags):
            p.experimentID = id; p.name = name; p.artifactURI = location; p.tags = pairs(tags)
        case let .runCreated(runID, experimentID, name, userID, startTime, artifactURI, tags):
            p.runID = runID; p.experimentID = experimentID; p.name = name; p.userID = userID
            p.startTime = startTime; p.artifactURI = artifactURI; p.tags = pairs(tags)
        case let .runDataLogged(runID, params, metrics, tags):
            p.runID = runID
            if !params.isEmpty { p.params = pairs(params) }
            if !metrics.isEmpty { p.metrics = metrics.map { JSONMetric(key: $0.key, value: $0.value, timestamp: $0.timestamp, step: $0.step) } }
            if !tags.isEmpty { p.tags = pairs(tags) }
        case let .grantSet(resource, username, level, previous):
            p.resource = "\(resource)"; p.username = username; p.level = level.rawValue; p.previous = previous?.rawValue
        default:
            p.detail = "\(event.payload)"
        }
        payload = p
    }

    /// Encodes `events`, then times `JSONDecoder` on each (after a warm-up).
    static func measure(_ events: [RecordedEvent]) throws -> (decodeMicros: Double, averageBytes: Double, example: String) {
        guard !events.isEmpty else { return (0, 0, "no events") }
        let encoder = JSONEncoder()
        let documents = try events.map { try encoder.encode(JSONEvent($0)) }
        let decoder = JSONDecoder()
        var sink = 0
        for document in documents.prefix(2_000) { sink &+= Int(try decoder.decode(JSONEvent.self, from: document).sequence) }
        var passes: [Double] = []
        for _ in 0..<3 {
            let begin = nanos()
            for document in documents { sink &+= Int(try decoder.decode(JSONEvent.self, from: document).sequence) }
            passes.append(Double(nanos() - begin) / Double(documents.count))
        }
        if sink == 0 { progress("JSON decode produced nothing") }
        let bytes = Double(documents.reduce(0) { $0 + $1.count }) / Double(documents.count)
        let example = "e.g. \(documents[0].count) B of JSON for the \(events[0].type.name) event \(events[0].sequence)"
        return (Stats(passes).median / 1000, bytes, example)
    }
}

typealias JSONCodec = JSONEvent
