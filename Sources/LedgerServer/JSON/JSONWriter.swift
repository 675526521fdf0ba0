/// Writes JSON text directly into bytes: keys in the order given, strings escaped per RFC 8259.
/// Responses are built with it rather than through `Encodable`, which keeps field names and
/// omissions exactly as MLflow's protobuf JSON has them.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    init() {
        bytes.reserveCapacity(256)
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma.removeLast() }
    mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma.removeLast() }

    /// Writes `"key":` inside an object; the next value call writes the value.
    mutating func key(_ key: String) {
        separate()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
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
        for byte in string.utf8 {
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
        bytes.append(UInt8(ascii: "\""))
    }
}
