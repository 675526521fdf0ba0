import Crypto

/// Where a change came from.
public enum EventSource: Sendable, Hashable {
    /// The ledger itself (the `default` workspace at creation, bootstrapped users).
    case system
    /// The `ledger` command line.
    case cli
    /// An HTTP request, with the peer's address and user agent.
    case http(remoteAddress: String, userAgent: String)

    /// A short text: `system`, `cli` or `http <address> <agent>`.
    public var summary: String {
        switch self {
        case .system: "system"
        case .cli: "cli"
        case .http(let address, let agent): "http \(address) \(agent)"
        }
    }
}

/// Who asks for a change, from where, under which request id. Every event records it.
public struct CommandContext: Sendable, Hashable {
    /// The actor: the authenticated user, `anonymous` without authentication, `system`, or for
    /// the CLI the `--actor` or the OS user.
    public var actor: String
    public var requestID: String
    public var source: EventSource

    public init(actor: String, requestID: String, source: EventSource) {
        self.actor = actor
        self.requestID = requestID
        self.source = source
    }

    /// The ledger acting on its own behalf.
    public static func system(requestID: String = "") -> CommandContext {
        CommandContext(actor: "system", requestID: requestID, source: .system)
    }
}

/// An event as stored in the log: the envelope, the payload and the chain hash.
public struct RecordedEvent: Sendable, Hashable {
    /// Position in the log, from 1, without gaps.
    public var sequence: UInt64
    /// Microseconds since 1970 (UTC), assigned by the ledger; never decreases along the log.
    public var timestamp: Int64
    public var actor: String
    /// The workspace the change happened in.
    public var workspace: String
    public var requestID: String
    public var source: EventSource
    /// The payload's schema version as stored (older versions are upcast on read).
    public var schemaVersion: UInt16
    public var payload: EventPayload
    /// SHA-256 of the previous event's hash followed by this event's stored bytes.
    public var hash: [UInt8]

    public var type: EventType { payload.type }
    public var entity: EntityReference { payload.entity }
}

/// The stored layout of an event:
///
/// ```
/// u8 format · u64 sequence · i64 timestamp µs · u16 type · u16 schema version
/// · str actor · str workspace · str request id · u8 source [· str address · str agent]
/// · payload … · 32-byte SHA-256 chain hash
/// ```
/// Integers are big-endian. In envelope format 1 strings are UTF-8 after a varint length; format 2
/// (written since) stores lowercase hexadecimal strings such as run and request ids packed, two
/// digits per byte (``BinaryWriter/write(_:)-String``), which makes a typical event about a
/// sixth smaller. Both formats decode; the fixed header is the same, so scans read the sequence,
/// time and type at fixed offsets. The hash covers every byte before it, preceded by the previous
/// event's hash.
enum EventCodec {
    /// The envelope format this build writes.
    static let envelopeFormat: UInt8 = 2
    /// Every envelope format this build reads.
    static let readableFormats: ClosedRange<UInt8> = 1...2
    static let hashSize = 32
    /// Offsets of the fixed-width header fields, read directly by scans.
    static let sequenceOffset = 1
    static let timestampOffset = 9
    static let typeOffset = 17

    /// The hash that precedes the first event.
    static let genesisHash = [UInt8](repeating: 0, count: hashSize)

    /// Encodes the event body (everything the hash covers), in a buffer with room for the hash
    /// that the log appends to it (most bodies are 150 to 280 bytes).
    ///
    /// - Parameter format: The envelope format; only tests write an older one.
    static func encodeBody(sequence: UInt64, timestamp: Int64, context: CommandContext, workspace: String, payload: EventPayload,
                           format: UInt8 = envelopeFormat) -> [UInt8] {
        precondition(readableFormats.contains(format), "unknown envelope format \(format)")
        var w = BinaryWriter(capacity: 288 + hashSize, compactStrings: format >= 2)
        w.write(format)
        w.write(sequence)
        w.write(timestamp)
        w.write(payload.type.rawValue)
        w.write(payload.type.currentSchemaVersion)
        w.write(context.actor)
        w.write(workspace)
        w.write(context.requestID)
        switch context.source {
        case .system: w.write(UInt8(0))
        case .cli: w.write(UInt8(1))
        case .http(let address, let agent):
            w.write(UInt8(2)); w.write(address); w.write(agent)
        }
        payload.encode(into: &w)
        return w.bytes
    }

    /// The chain hash of `body` following `previous`.
    static func chainHash(previous: some Sequence<UInt8>, body: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(previous))
        hasher.update(bufferPointer: body)
        return bytes(of: hasher.finalize())
    }

    static func chainHash(previous: [UInt8], body: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: body)
        return bytes(of: hasher.finalize())
    }

    /// The digest's bytes, copied in one go: `Array(digest)` walks its sequence byte by byte,
    /// which cost a quarter of hashing an event.
    static func bytes(of digest: SHA256.Digest) -> [UInt8] {
        digest.withUnsafeBytes { Array($0) }
    }

    /// Splits a stored value into the body and the hash.
    static func split(_ stored: UnsafeRawBufferPointer) throws(LedgerError) -> (body: UnsafeRawBufferPointer, hash: UnsafeRawBufferPointer) {
        guard stored.count > hashSize + typeOffset + 4 else {
            throw LedgerError(.corruptedData, "stored event of \(stored.count) bytes is too short")
        }
        let cut = stored.count - hashSize
        return (UnsafeRawBufferPointer(rebasing: stored[..<cut]), UnsafeRawBufferPointer(rebasing: stored[cut...]))
    }

    /// Reads the sequence number stored in a body, without decoding the rest.
    static func sequence(ofBody body: UnsafeRawBufferPointer) throws(LedgerError) -> UInt64 {
        var r = BinaryReader(body, offset: sequenceOffset)
        return try r.readUInt64()
    }

    /// Reads the timestamp stored in a body, without decoding the rest.
    static func timestamp(ofBody body: UnsafeRawBufferPointer) throws(LedgerError) -> Int64 {
        var r = BinaryReader(body, offset: timestampOffset)
        return try r.readInt64()
    }

    /// The fixed header of a body.
    struct Header {
        var sequence: UInt64
        var timestamp: Int64
        var type: EventType
        var schemaVersion: UInt16
    }

    /// Reads the fixed header from the start of a body, refusing a format or type this build does
    /// not know, and sets `reader` to the string form of the body's format.
    static func readHeader(_ r: inout BinaryReader) throws(LedgerError) -> Header {
        let format = try r.readUInt8()
        guard readableFormats.contains(format) else {
            throw LedgerError(.incompatibleFormat, "event envelope format \(format) is unknown to this build (it reads formats \(readableFormats.lowerBound) to \(readableFormats.upperBound))")
        }
        r.compactStrings = format >= 2
        let sequence = try r.readUInt64()
        let timestamp = try r.readInt64()
        let rawType = try r.readUInt16()
        guard let type = EventType(rawValue: rawType) else {
            throw LedgerError(.incompatibleFormat, "event \(sequence) has type number \(rawType), unknown to this build")
        }
        return Header(sequence: sequence, timestamp: timestamp, type: type, schemaVersion: try r.readUInt16())
    }

    /// Decodes a stored value (body and hash).
    static func decode(stored: UnsafeRawBufferPointer) throws(LedgerError) -> RecordedEvent {
        let (body, hash) = try split(stored)
        var r = BinaryReader(body)
        let header = try readHeader(&r)
        let (sequence, timestamp, type, schemaVersion) = (header.sequence, header.timestamp, header.type, header.schemaVersion)
        let actor = try r.readString()
        let workspace = try r.readString()
        let requestID = try r.readString()
        let source: EventSource
        switch try r.readUInt8() {
        case 0: source = .system
        case 1: source = .cli
        case 2: source = .http(remoteAddress: try r.readString(), userAgent: try r.readString())
        case let other: throw LedgerError(.corruptedData, "event \(sequence) has invalid source byte \(other)")
        }
        let payload = try EventPayload.decode(type: type, schemaVersion: schemaVersion, from: &r)
        guard r.isAtEnd else {
            throw LedgerError(.corruptedData, "event \(sequence) has \(r.remaining) unexpected trailing bytes")
        }
        return RecordedEvent(
            sequence: sequence, timestamp: timestamp, actor: actor, workspace: workspace, requestID: requestID,
            source: source, schemaVersion: schemaVersion, payload: payload, hash: Array(hash))
    }
}
