/// Appends values to a byte buffer in the ledger's compact binary layout.
///
/// Integers of fixed width are big-endian, so that encoded keys sort like the numbers they hold;
/// lengths and small counts are LEB128 varints; strings are UTF-8 with a varint length.
struct BinaryWriter {
    private(set) var bytes: [UInt8]
    /// Write strings in the compact form of event envelope format 2 (see ``write(_:)-String``).
    var compactStrings = false

    init(capacity: Int = 256, compactStrings: Bool = false) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.compactStrings = compactStrings
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Int64) { write(UInt64(bitPattern: value)) }

    mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A signed integer as a zig-zag varint: small magnitudes take one byte whatever the sign.
    mutating func writeSignedVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A string: its UTF-8 bytes after a varint length. In the compact form the varint is
    /// `length << 1`, or, for lowercase hexadecimal of an even length of at least 8 (run ids,
    /// request ids), `(length / 2) << 1 | 1` followed by the packed bytes: half the size.
    mutating func write(_ value: String) {
        var s = value
        s.withUTF8 { utf8 in
            guard compactStrings else {
                writeVarint(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
                return
            }
            if utf8.count >= 8, utf8.count % 2 == 0, utf8.allSatisfy(Self.isLowercaseHex) {
                let packed = utf8.count / 2
                writeVarint(UInt64(packed) << 1 | 1)
                // Sized once and filled in place: appending byte by byte checks capacity and
                // uniqueness for each (run and request ids pack in every event).
                let start = bytes.count
                bytes.append(contentsOf: repeatElement(0, count: packed))
                bytes.withUnsafeMutableBufferPointer { out in
                    for index in 0..<packed {
                        out[start + index] = Self.nibble(utf8[2 * index]) << 4 | Self.nibble(utf8[2 * index + 1])
                    }
                }
            } else {
                writeVarint(UInt64(utf8.count) << 1)
                bytes.append(contentsOf: utf8)
            }
        }
    }

    @inline(__always)
    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    @inline(__always)
    private static func nibble(_ byte: UInt8) -> UInt8 {
        byte <= 0x39 ? byte - 0x30 : byte - 0x61 + 10
    }

    mutating func write(_ value: String?) {
        if let value {
            write(true)
            write(value)
        } else {
            write(false)
        }
    }

    mutating func writeBytes(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Raw bytes with no length prefix (for keys whose parts have fixed or terminated widths).
    mutating func writeRaw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }
}
