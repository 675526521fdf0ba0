/// The end of the log: the last sequence number, its timestamp and its chain hash.
public struct LogHead: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt64
    /// Microseconds since 1970 (UTC).
    public var timestamp: Int64
    public var hash: [UInt8]

    public init(sequence: UInt64, timestamp: Int64, hash: [UInt8]) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.hash = hash
    }

    /// The head of an empty log.
    public static let empty = LogHead(sequence: 0, timestamp: 0, hash: EventCodec.genesisHash)

    /// The hash as lowercase hex.
    public var hashHex: String { hash.hexString }

    public var description: String { "sequence \(sequence), hash \(hashHex.prefix(16))…" }

    func encoded() -> [UInt8] {
        var w = BinaryWriter(capacity: 48)
        w.write(sequence); w.write(timestamp); w.writeRaw(hash)
        return w.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(LedgerError) {
        guard bytes.count == 16 + EventCodec.hashSize else {
            throw LedgerError(.corruptedData, "head record of \(bytes.count) bytes (expected \(16 + EventCodec.hashSize))")
        }
        var r = BinaryReader(bytes)
        self.init(sequence: try r.readUInt64(), timestamp: try r.readInt64(), hash: Array(try r.readRaw(EventCodec.hashSize)))
    }
}

extension Sequence<UInt8> {
    /// The bytes as lowercase hex.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
