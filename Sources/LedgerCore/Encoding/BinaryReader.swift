/// Reads the layout written by ``BinaryWriter`` from borrowed bytes, without copying them.
///
/// Every read checks bounds and throws ``LedgerError`` with code `corruptedData` on a short or
/// malformed buffer, so damaged stored bytes surface as an error, never as a crash.
struct BinaryReader {
    private let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int
    /// Read strings in the compact form of event envelope format 2 (see ``BinaryWriter``).
    var compactStrings = false
    /// Builds each long string once for all the events a decoder reads (a rebuild's, on its
    /// decoding thread).
    var strings: StringInterner?

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0, compactStrings: Bool = false) {
        self.buffer = buffer
        self.offset = offset
        self.compactStrings = compactStrings
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    var isAtEnd: Bool { offset >= buffer.count }
    var remaining: Int { buffer.count - offset }

    // The primitives are forced inline: a decode is a long run of them, and as calls they cost
    // more than the reads.
    @inline(__always)
    private mutating func take(_ count: Int) throws(LedgerError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= buffer.count - offset else {
            throw LedgerError(.corruptedData, "stored bytes end early: wanted \(count) bytes at offset \(offset) of \(buffer.count)")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
    }

    @inline(__always)
    mutating func readUInt8() throws(LedgerError) -> UInt8 { try take(1)[0] }

    @inline(__always)
    mutating func readBool() throws(LedgerError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other: throw LedgerError(.corruptedData, "invalid boolean byte \(other) at offset \(offset - 1)")
        }
    }

    @inline(__always)
    mutating func readUInt16() throws(LedgerError) -> UInt16 {
        let b = try take(2)
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    @inline(__always)
    mutating func readUInt32() throws(LedgerError) -> UInt32 {
        UInt32(bigEndian: try take(4).loadUnaligned(as: UInt32.self))
    }

    @inline(__always)
    mutating func readUInt64() throws(LedgerError) -> UInt64 {
        UInt64(bigEndian: try take(8).loadUnaligned(as: UInt64.self))
    }

    @inline(__always)
    mutating func readInt64() throws(LedgerError) -> Int64 { Int64(bitPattern: try readUInt64()) }

    @inline(__always)
    mutating func readDouble() throws(LedgerError) -> Double { Double(bitPattern: try readUInt64()) }

    @inline(__always)
    mutating func readVarint() throws(LedgerError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readUInt8()
            guard shift < 64 else { throw LedgerError(.corruptedData, "varint too long at offset \(offset)") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    @inline(__always)
    mutating func readSignedVarint() throws(LedgerError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inline(__always)
    mutating func readCount() throws(LedgerError) -> Int {
        let n = try readVarint()
        guard n <= UInt64(remaining) else {
            throw LedgerError(.corruptedData, "count \(n) exceeds the \(remaining) bytes left at offset \(offset)")
        }
        return Int(n)
    }

    /// A string's stored length and form: UTF-8, or (in the compact form) packed hexadecimal.
    @inline(__always)
    private mutating func readStringHeader() throws(LedgerError) -> (count: Int, packedHex: Bool) {
        guard compactStrings else { return (try readCount(), false) }
        let header = try readVarint()
        let count = header >> 1
        guard count <= UInt64(remaining) else {
            throw LedgerError(.corruptedData, "string of \(count) bytes exceeds the \(remaining) bytes left at offset \(offset)")
        }
        return (Int(count), header & 1 == 1)
    }

    mutating func readString() throws(LedgerError) -> String {
        let (count, packedHex) = try readStringHeader()
        let raw = try take(count)
        if packedHex, count < 4 {
            throw LedgerError(.corruptedData, "packed hexadecimal string of \(count) bytes is shorter than 4 at offset \(offset)")
        }
        // Strings of up to 15 UTF-8 bytes are stored inline in a String: nothing to save.
        if let strings, (packedHex ? 2 * count : count) > 15, count <= StringInterner.maximumStoredLength {
            return strings.string(stored: raw, packedHex: packedHex) { Self.string(stored: $0, packedHex: packedHex) }
        }
        return Self.string(stored: raw, packedHex: packedHex)
    }

    /// The string of a stored form: UTF-8 (repaired if invalid), or packed lowercase hexadecimal,
    /// two digits per byte.
    private static func string(stored raw: UnsafeRawBufferPointer, packedHex: Bool) -> String {
        guard packedHex else { return String(decoding: raw, as: UTF8.self) }
        let digits = hexDigits
        return String(unsafeUninitializedCapacity: raw.count * 2) { buffer in
            for (index, byte) in raw.enumerated() {
                buffer[index * 2] = digits[Int(byte >> 4)]
                buffer[index * 2 + 1] = digits[Int(byte & 0x0F)]
            }
            return raw.count * 2
        }
    }

    /// Steps over a string (in either form) without building it.
    mutating func skipString() throws(LedgerError) {
        _ = try take(try readStringHeader().count)
    }

    mutating func readOptionalString() throws(LedgerError) -> String? {
        try readBool() ? try readString() : nil
    }

    mutating func readBytes() throws(LedgerError) -> [UInt8] {
        Array(try take(try readCount()))
    }

    mutating func readRaw(_ count: Int) throws(LedgerError) -> UnsafeRawBufferPointer { try take(count) }
}

extension BinaryReader {
    /// Decodes `bytes` with `body`, requiring that it consumes them all.
    static func decode<T>(_ bytes: UnsafeRawBufferPointer, _ what: String, _ body: (inout BinaryReader) throws(LedgerError) -> T) throws(LedgerError) -> T {
        var reader = BinaryReader(bytes)
        let value = try body(&reader)
        guard reader.isAtEnd else {
            throw LedgerError(.corruptedData, "\(reader.remaining) unexpected trailing bytes after \(what)")
        }
        return value
    }
}
