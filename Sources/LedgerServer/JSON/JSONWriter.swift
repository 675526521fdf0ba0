/// Writes JSON text directly into bytes: keys in the order given, strings escaped per RFC 8259.
/// Responses are built with it rather than through `Encodable`, which keeps field names and
/// omissions exactly as MLflow's protobuf JSON has them.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Bit `depth` is set once the innermost open object or array holds a value (so the next
    /// needs a comma); bit 0 is the top level. Responses nest a handful of levels, far below 64.
    private var needsComma: UInt64 = 0
    private var depth = 0

    init() {
        bytes.reserveCapacity(256)
    }

    private mutating func separate() {
        if needsComma & (1 << depth) != 0 { bytes.append(UInt8(ascii: ",")) }
        needsComma |= 1 << depth
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        depth += 1
        precondition(depth < 64, "JSONWriter nests at most 63 levels")
        needsComma &= ~(1 << depth)
    }

    private mutating func close(_ bracket: UInt8) { bytes.append(bracket); depth -= 1 }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes `"key":` inside an object; the next value call writes the value.
    mutating func key(_ key: String) {
        separate()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma &= ~(1 << depth)
    }

    mutating func value(_ string: String) { separate(); writeString(string) }
    mutating func value(_ number: Int64) { separate(); bytes.append(contentsOf: String(number).utf8) }
    mutating func value(_ flag: Bool) { separate(); bytes.append(contentsOf: (flag ? "true" : "false").utf8) }
    mutating func value(_ number: Double) {
        separate()
        // JSON has no NaN or infinity; MLflow writes them as these strings.
        if number.isNaN { writeString("NaN") }
        else if number.isInfinite { writeString(number > 0 ? "Infinity" : "-Infinity") }
        else if number == number.rounded(), abs(number) < 1e15 { bytes.append(contentsOf: String(Int64(number)).utf8); bytes.append(contentsOf: ".0".utf8) }
        else { bytes.append(contentsOf: "\(number)".utf8) }
    }

    /// `"key": value` for a string, omitted when `nil` (MLflow omits unset optional fields).
    mutating func field(_ name: String, _ string: String?) {
        guard let string else { return }
        key(name); value(string)
    }

    mutating func field(_ name: String, _ number: Int64?) {
        guard let number else { return }
        key(name); value(number)
    }

    private mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied whole.
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                writeEscaped(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func writeEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: bytes.append(byte)
        }
    }
}
